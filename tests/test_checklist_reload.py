"""A programme reloaded mid-round leaves every lead on the milestone they were on.

The conversation's state names the milestone by its code, so a milestone added before the
one a lead is on, or an unanswered one taken out, moves nobody; a lead whose own milestone
is taken out goes on at the one that followed it. Stored answers are untouched throughout.
Rows stored before states kept a code (a position, "index") are read, and migrated, to the
milestone at that position.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise

from conversations.clock import ManualClock
from conversations.events import Event, GiveRemark, Next, SetProgress, Skip, Start
from conversations.views import MilestoneView
from conversations.vocabulary import Progress
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from service import rounds
from service.runner import ChecklistRunner, Reply

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"
SYD = "unit:syddanmark"
NOW = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
NEW_MILESTONE = '      - code: "3.2"\n        title: Et punkt tilføjet midt i runden\n'
MIGRATION = "models.migrations.0003_conversation_state_by_code"


@dataclass
class Walk:
    """A lead of Syddanmark part-way through the KOL checklist of an open round."""

    runner: ChecklistRunner
    lead: Person
    round_id: int
    reply: Reply

    async def send(self, event: Event) -> Reply:
        self.reply = await self.runner.handle(self.lead, self.round_id, SYD, event)
        return self.reply

    @property
    def view(self) -> MilestoneView:
        assert isinstance(self.reply.view, MilestoneView), self.reply.view
        return self.reply.view

    async def now(self) -> MilestoneView:
        """The lead's view as it stands (App Home, `me`), without an event."""
        self.reply = await self.runner.current(self.lead, self.round_id, SYD)
        return self.view


async def walk_to_4_2(*, skip: str) -> Walk:
    """Answer 1.1 … 4.1 but `skip`, leaving the lead on 4.2 with a status chosen."""
    await load_programme_file(KOL)
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(programme, "13. møde", "om 10 dage", admin, NOW)
    clock = ManualClock(NOW + timedelta(hours=1))
    lead = await Person.get(key="pl-syddanmark")
    runner = ChecklistRunner(clock, source="test")
    walk = Walk(runner, lead, opened.round.id, await runner.current(lead, opened.round.id, SYD))
    await walk.send(Start(version=walk.reply.version))
    for code in ("1.1", "2.1", "3.1", "4.1"):
        assert walk.view.code == code
        if code == skip:
            await walk.send(Skip(code=code, version=walk.reply.version))
            continue
        await walk.send(
            SetProgress(progress=Progress.STARTED, code=code, version=walk.reply.version)
        )
        await walk.send(GiveRemark(text=f"Om {code}", code=code, version=walk.reply.version))
        await walk.send(Next(code=code, version=walk.reply.version))
    assert walk.view.code == "4.2"
    await walk.send(SetProgress(progress=Progress.EXPECTED, code="4.2", version=walk.reply.version))
    return walk


async def answers() -> dict[tuple[str, str], tuple[object, ...]]:
    """Every stored answer with its revision, and how many revisions there are."""
    rows = await Answer.all().prefetch_related("milestone")
    found: dict[tuple[str, str], tuple[object, ...]] = {
        (row.milestone.code, row.scope): (row.progress, row.delay, row.remark, row.revision)
        for row in rows
    }
    found[("revisions", "")] = (await AnswerRevision.all().count(),)
    return found


async def reload(tmp_path: Path, edit: tuple[str, str]) -> None:
    """Load KOL again with one edit: a pattern and what replaces it (exactly once)."""
    source = KOL.read_text(encoding="utf-8")
    edited, count = re.subn(edit[0], edit[1], source, flags=re.DOTALL)
    assert count == 1, edit[0]
    path = tmp_path / "kol-2018.yaml"
    path.write_text(edited, encoding="utf-8")
    await load_programme_file(path)


def removing(code: str, until: str) -> tuple[str, str]:
    """Take the milestone `code` out of the file (its entry runs until that of `until`)."""
    return (rf'      - code: "{re.escape(code)}"\n.*?(      - code: "{re.escape(until)}")', r"\1")


async def test_a_milestone_added_before_the_one_a_lead_is_on_moves_nobody(
    db: str, tmp_path: Path
) -> None:
    walk = await walk_to_4_2(skip="2.1")
    before = await answers()
    assert walk.view.position == 5

    await reload(tmp_path, (r'(\n  - number: "4")', "\n" + NEW_MILESTONE.rstrip("\n") + r"\1"))

    view = await walk.now()
    assert (view.code, view.position) == ("4.2", 6), "the same milestone, one further down"
    assert view.draft is not None and view.draft.progress is Progress.EXPECTED
    await walk.send(Next(code="4.2", version=walk.reply.version))
    assert walk.view.code == "4.3"
    await walk.send(Skip(code="4.3", version=walk.reply.version))
    assert await answers() == before


async def test_an_unanswered_milestone_taken_out_before_the_lead_moves_nobody(
    db: str, tmp_path: Path
) -> None:
    walk = await walk_to_4_2(skip="4.1")
    before = await answers()
    assert not await Answer.exists(milestone__code="4.1")

    await reload(tmp_path, removing("4.1", until="4.2"))

    view = await walk.now()
    assert (view.code, view.position) == ("4.2", 4), "the same milestone, one further up"
    await walk.send(SetProgress(progress=Progress.REACHED, code="4.2", version=walk.reply.version))
    assert walk.view.code == "4.2" and walk.reply.stored == 1
    await walk.send(Next(code="4.2", version=walk.reply.version))
    assert walk.view.code == "4.3"
    after = await answers()
    assert {key: value for key, value in after.items() if key[0] not in ("4.2", "revisions")} == {
        key: value for key, value in before.items() if key[0] not in ("4.2", "revisions")
    }
    assert after[("4.2", "syddanmark")][0] == Progress.REACHED


async def test_a_lead_whose_own_milestone_is_taken_out_goes_on_at_the_next(
    db: str, tmp_path: Path
) -> None:
    walk = await walk_to_4_2(skip="2.1")
    await walk.send(Next(code="4.2", version=walk.reply.version))
    await walk.send(Skip(code="4.3", version=walk.reply.version))
    assert walk.view.code == "5.1"
    old = walk.reply.version
    before = await answers()

    await reload(tmp_path, removing("5.1", until="5.2"))

    view = await walk.now()
    assert view.code == "5.2", "the one that followed it"
    await walk.send(Next(code="5.1", version=old))  # a button on the message drawn for 5.1
    assert [tell.key for tell in walk.reply.tells] == ["checklist.moved_on"]
    assert walk.view.code == "5.2"
    state = (await Conversation.get(person=walk.lead)).state
    assert (state["code"], state["following"]) == ("5.2", "5.3")
    assert await answers() == before


async def test_a_state_stored_by_position_is_read_and_migrated_to_its_code(db: str) -> None:
    walk = await walk_to_4_2(skip="2.1")
    conversation = await Conversation.get(person=walk.lead)
    stored = dict(conversation.state)
    assert (stored["code"], stored["following"]) == ("4.2", "4.3")
    old = {k: v for k, v in stored.items() if k not in ("code", "following")} | {"index": 4}
    await Conversation.filter(id=conversation.id).update(state=old)

    assert (await walk.now()).code == "4.2", "an old row is read by its position"

    deputy = await Person.get(key="stf-syddanmark")
    untouched = await Conversation.create(person=deputy, round_id=walk.round_id, scope=SYD)
    migration = importlib.import_module(MIGRATION)
    await migration.forwards(Tortoise.apps, None)
    assert (await Conversation.get(id=conversation.id)).state == stored
    assert (await Conversation.get(id=untouched.id)).state == {}, "nothing asked: left alone"
    await migration.backwards(Tortoise.apps, None)
    assert (await Conversation.get(id=conversation.id)).state == old
    await Conversation.filter(id=conversation.id).update(state=old | {"index": 99})
    await migration.forwards(Tortoise.apps, None)
    lost = (await Conversation.get(id=conversation.id)).state
    assert (lost["code"], lost["following"]) == (None, None)
    assert (await walk.now()).code == "2.1", "out of range: the first unanswered milestone"
