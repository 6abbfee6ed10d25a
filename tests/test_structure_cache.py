"""A replica never serves a stale structure (issue 19, item 1).

Each runner keeps the programmes' structures it has read (models/structure.py), as each
`serve` replica does. Two runners with caches of their own, on one database, are two
replicas: a lead clicks on one, the programme is loaded again elsewhere — in this process,
or by `fremdrift programme load` in another — and the lead's next click, on the first
replica, sees the new structure: a renamed milestone, a new one, a new baseline deadline, a
lead taken off the unit. And where nothing changed, the structure is not read again.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conversations.clock import ManualClock
from conversations.errors import UserError
from conversations.events import Next, SetProgress, Start
from conversations.views import MilestoneView
from conversations.vocabulary import Progress
from models.answer import Answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from service import rounds
from service.runner import ChecklistRunner, Reply

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"
FREMDRIFT = Path(sys.executable).parent / "fremdrift"
ROOT = Path(__file__).parent.parent
SYD = "unit:syddanmark"
NOW = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
TITLE_1_1 = "Etablering af styregruppe, herunder udpegning af projektleder samt evt. sekretariat"


@dataclass
class Replicas:
    here: ChecklistRunner
    there: ChecklistRunner
    lead: Person
    round_id: int

    async def click(self, runner: ChecklistRunner, reply: Reply, event_of: type) -> Reply:
        view = reply.view
        assert isinstance(view, MilestoneView), view
        if event_of is SetProgress:
            event = SetProgress(progress=Progress.STARTED, code=view.code, version=reply.version)
        else:
            event = event_of(code=view.code, version=reply.version)
        return await runner.handle(self.lead, self.round_id, SYD, event)


async def replicas() -> Replicas:
    """KOL loaded, a round open, and two replicas whose caches both hold its structure."""
    await load_programme_file(KOL)
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(programme, "13. møde", "om 10 dage", admin, NOW)
    clock = ManualClock(NOW + timedelta(hours=1))
    lead = await Person.get(key="pl-syddanmark")
    pair = Replicas(
        ChecklistRunner(clock, source="test"),
        ChecklistRunner(clock, source="test"),
        lead,
        opened.round.id,
    )
    await pair.there.current(lead, pair.round_id, SYD)
    return pair


def edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """KOL with each (pattern, replacement) made exactly once, written beside the test."""
    text = KOL.read_text(encoding="utf-8")
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, flags=re.DOTALL)
        assert count == 1, pattern
    path = tmp_path / "kol-2018.yaml"
    path.write_text(text, encoding="utf-8")
    return path


RENAME_1_1 = (re.escape(TITLE_1_1), "Styregruppen er nedsat (omdøbt)")
NEW_BASELINE = (
    r'(      - code: "1.1"\n        title: [^\n]*\n)',
    r"\1        deadline: December 2018\n",
)
NEW_MILESTONE = (
    r'(      - code: "2.1"\n)',
    '      - code: "2.0"\n        title: Et punkt tilføjet midt i runden\n\\1',
)


async def test_a_reload_between_two_clicks_is_seen_by_the_next_click_on_either_replica(
    db: str, tmp_path: Path
) -> None:
    pair = await replicas()
    here = await pair.here.handle(pair.lead, pair.round_id, SYD, Start())
    assert isinstance(here.view, MilestoneView)
    assert (here.view.code, here.view.title, here.view.baseline) == ("1.1", TITLE_1_1, "")
    total = here.view.total
    loads = pair.here.structures.loads

    here = await pair.click(pair.here, here, SetProgress)  # nothing changed: nothing read again
    assert pair.here.structures.loads == loads

    await load_programme_file(edited(tmp_path, RENAME_1_1, NEW_BASELINE, NEW_MILESTONE))

    here = await pair.click(pair.here, here, SetProgress)
    assert isinstance(here.view, MilestoneView)
    assert (here.view.title, here.view.baseline) == (
        "Styregruppen er nedsat (omdøbt)",
        "December 2018",
    )
    assert here.view.total == total + 1
    assert pair.here.structures.loads == loads + 1, "read again once, for the new revision"
    there = await pair.there.current(pair.lead, pair.round_id, SYD)
    assert isinstance(there.view, MilestoneView)
    assert (there.view.title, there.view.total) == ("Styregruppen er nedsat (omdøbt)", total + 1)
    here = await pair.click(pair.here, here, Next)
    assert isinstance(here.view, MilestoneView) and here.view.code == "2.0"


async def test_a_lead_taken_off_the_unit_elsewhere_is_refused_at_the_next_click(
    db: str, tmp_path: Path
) -> None:
    pair = await replicas()
    here = await pair.here.handle(pair.lead, pair.round_id, SYD, Start())
    await load_programme_file(
        edited(tmp_path, (r"leads: \[pl-syddanmark\]", "leads: [stf-syddanmark]"))
    )
    with pytest.raises(UserError) as refused:
        await pair.click(pair.here, here, SetProgress)
    assert refused.value.key == "checklist.not_allowed"
    assert await Answer.all().count() == 0
    deputy = await Person.get(key="stf-syddanmark")  # and the new lead may, at once
    reply = await pair.here.handle(deputy, pair.round_id, SYD, Start())
    assert isinstance(reply.view, MilestoneView)


async def test_a_load_by_the_command_in_another_process_is_seen_by_the_next_click(
    db: str, tmp_path: Path
) -> None:
    pair = await replicas()
    here = await pair.here.handle(pair.lead, pair.round_id, SYD, Start())
    path = edited(tmp_path, RENAME_1_1)
    env = {**os.environ, "DATABASE_URL": db, "FREMDRIFT_DATA_DIR": str(tmp_path)}
    process = await asyncio.create_subprocess_exec(
        str(FREMDRIFT),
        "programme",
        "load",
        str(path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()

    here = await pair.click(pair.here, here, SetProgress)
    assert isinstance(here.view, MilestoneView)
    assert here.view.title == "Styregruppen er nedsat (omdøbt)"


async def test_a_late_answer_to_the_round_before_shows_at_the_next_click(
    db: str, tmp_path: Path
) -> None:
    """The round before is kept with the structure while it cannot change; once the
    programme accepts late answers, a closed round can, and is read at every click."""
    await load_programme_file(edited(tmp_path, (r"late_answers: refuse", "late_answers: accept")))
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    lead = await Person.get(key="pl-syddanmark")
    deputy = await Person.get(key="stf-syddanmark")
    runner = ChecklistRunner(ManualClock(NOW + timedelta(hours=1)), source="test")
    other = ChecklistRunner(ManualClock(NOW + timedelta(hours=2)), source="test")
    march = await rounds.open_round(
        programme, "12. møde", "om 10 dage", admin, NOW - timedelta(days=90)
    )
    reply = await other.handle(deputy, march.round.id, SYD, Start())
    await pair_answer(other, deputy, march.round.id, reply, Progress.STARTED)
    assert await rounds.close_round(march.round.id, NOW - timedelta(days=60)) is not None
    june = await rounds.open_round(programme, "13. møde", "om 10 dage", admin, NOW)

    here = await runner.handle(lead, june.round.id, SYD, Start())
    assert isinstance(here.view, MilestoneView) and here.view.previous is not None
    assert here.view.previous.progress == Progress.STARTED

    late = await other.current(deputy, march.round.id, SYD)  # the round before, closed
    await pair_answer(other, deputy, march.round.id, late, Progress.REACHED)
    here = await runner.current(lead, june.round.id, SYD)
    assert isinstance(here.view, MilestoneView) and here.view.previous is not None
    assert here.view.previous.progress == Progress.REACHED


async def pair_answer(
    runner: ChecklistRunner, person: Person, round_id: int, reply: Reply, progress: Progress
) -> Reply:
    view = reply.view
    assert isinstance(view, MilestoneView), view
    event = SetProgress(progress=progress, code=view.code, version=reply.version)
    return await runner.handle(person, round_id, SYD, event)


REPLICA = """
import asyncio, json, sys
from datetime import datetime
from conversations.clock import ManualClock
from conversations.events import SetProgress, Start
from conversations.vocabulary import Progress
from models.db import close_db, open_db
from models.people import Person
from service.runner import ChecklistRunner

async def main() -> None:
    await open_db(sys.argv[1], run_migrations=False)
    round_id = int(sys.argv[2])
    runner = ChecklistRunner(ManualClock(datetime.fromisoformat(sys.argv[3])), source="replica")
    lead = await Person.get(key="pl-syddanmark")
    reply = await runner.handle(lead, round_id, "unit:syddanmark", Start())
    print(json.dumps({"title": reply.view.title}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # reloaded
    code = reply.view.code
    event = SetProgress(progress=Progress.STARTED, code=code, version=reply.version)
    reply = await runner.handle(lead, round_id, "unit:syddanmark", event)
    print(json.dumps({"title": reply.view.title, "loads": runner.structures.loads}), flush=True)
    await close_db()

asyncio.run(main())
"""


async def test_a_replica_in_another_process_sees_a_reload_made_between_its_clicks(
    db: str, tmp_path: Path
) -> None:
    """Two replicas in two processes on one database: this one loads the programme again
    between the other's two clicks, and the other's second click has the new structure."""
    await load_programme_file(KOL)
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(programme, "13. møde", "om 10 dage", admin, NOW)
    script = tmp_path / "replica.py"
    script.write_text(REPLICA, encoding="utf-8")
    replica = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        db,
        str(opened.round.id),
        (NOW + timedelta(hours=1)).isoformat(),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert replica.stdin is not None and replica.stdout is not None
    said: list[bytes] = []
    try:
        said.append(await asyncio.wait_for(replica.stdout.readline(), 120))
        await load_programme_file(edited(tmp_path, RENAME_1_1))
        if said[0]:  # else it has ended, and says why on stderr
            replica.stdin.write(b"reloaded\n")
            await replica.stdin.drain()
            said.append(await asyncio.wait_for(replica.stdout.readline(), 120))
    finally:
        if replica.returncode is None:
            replica.kill()
        _, err = await replica.communicate()
    first, second = (json.loads(line or b"null") for line in [*said, b""][:2])
    assert first == {"title": TITLE_1_1}, err.decode()
    assert second == {"title": "Styregruppen er nedsat (omdøbt)", "loads": 2}, err.decode()
