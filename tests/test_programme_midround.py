"""`programme load` while a round is open: every change reaches the round, or none does.

A lead added to the file is invited (through the real worker and the Slack stand-in); a
lead taken off it is reminded no more, and their answers stay; changed reminders and
`auto_close` are planned again; a milestone with answers cannot be taken out, nor moved
where another unit's answer would vanish from the matrix; the unanswered milestone a lead
is on can be, and the lead goes on at the next one (through the real app); and on SQLite a
load by the real CLI, in a process of its own, while leads click, completes and so do the
clicks. The programme is a small file written here, edited one line at a time.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conversations.clock import ManualClock, SystemClock
from conversations.errors import UserError
from conversations.events import GiveRemark, Next, SetProgress, Start, decode
from conversations.vocabulary import Progress
from models.answer import Answer
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from models.round import Round
from models.snapshot import load_snapshot
from render.words import worded_matrix
from service import rounds
from service.programme_changes import Loaded, load_programme_path
from service.runner import ChecklistRunner
from standins.slack import SlackStub
from standins.slack.models import Message
from tests.faults_support import checklist_message, live, row_counts, settle, told
from tests.rounds_support import MONDAY_10, Outbox, round_worker
from tests.slack_app import join_workspace, running_app

DEADLINE = "2018-06-15 12:00"  # Friday; MONDAY_10 is the Monday before
SYD, NORD = "unit:syd", "unit:nord"
LENE = "U0ALICE001"  # pl-syd
FREMDRIFT = Path(sys.executable).parent / "fremdrift"
MINI = """\
key: mini
title: Fremdrift (mini)
language: da
timezone: Europe/Copenhagen
steering_channel: C0GENERAL1
source: Tests
settings:
  reminders:
    - {days_before: 2, at: "09:00"}
  skip_weekends: false
  auto_close: true
  late_answers: refuse
people:
  - {key: sekretariat, name: Sekretariatet, slack: U0ADMIN001}
  - {key: pl-nord, name: Niels Nord, slack: U0NORD0001}
  - {key: pl-syd, name: Lene Syd, slack: U0ALICE001}
  - {key: stf-syd, name: Søren Syd, slack: U0BOB00001}
  - {key: fut, name: Fælles Udbud, slack: U0FUT00001}
  - {key: pl-ny, name: Nina Ny, slack: U0NEW00001}
admins: [sekretariat]
units:
  - key: nord
    name: Nord
    leads: [pl-nord]
  - key: syd
    name: Syd
    leads: [pl-syd]
    deputies: [stf-syd]
    local_items:
      - code: SYD-1
        title: Leveranceplan
groups:
  - number: "1"
    title: Opstart
    milestones:
      - code: "1.1"
        title: Styregruppe
      - code: "1.2"
        title: Programgrundlag
      - code: "1.3"
        title: Projektplan
  - number: "6"
    title: Teknik
    milestones:
      - code: "6.1 A"
        title: Udbud
        reporter: fut
"""
NORD_LEADS = ("    leads: [pl-nord]\n", "    leads: [pl-nord, pl-ny]\n")
NORD_SWAPPED = ("    leads: [pl-nord]\n", "    leads: [pl-ny]\n")


def edited(*edits: tuple[str, str]) -> str:
    """MINI with each (pattern, replacement) applied exactly once."""
    text = MINI
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, flags=re.DOTALL)
        assert count == 1, pattern
    return text


def without(code: str) -> tuple[str, str]:
    """Take the milestone `code` out of the file."""
    return (rf'      - code: "{re.escape(code)}"\n        title: [^\n]*\n', "")


def literal(old: str, new: str) -> tuple[str, str]:
    return (re.escape(old), new.replace("\\", "\\\\"))


async def load(folder: Path, text: str, now: datetime) -> Loaded:
    path = folder / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return await load_programme_path(path, now)


async def open_mini(folder: Path, now: datetime = MONDAY_10, deadline: str = DEADLINE) -> Round:
    await load(folder, MINI, now)
    programme = await Programme.get(key="mini")
    admin = await Person.get(key="sekretariat")
    return (await rounds.open_round(programme, "13. møde", deadline, admin, now)).round


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


def cli_env(database_url: str, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "FREMDRIFT_DATA_DIR": str(folder),
        "FREMDRIFT_LANGUAGE": "da",
        "COLUMNS": "200",
    }


async def invitations_due() -> datetime:
    """When every pending invitation is due (after the quiet hours they were put off by)."""
    pending = await Job.filter(kind="invite", status=JobStatus.PENDING)
    return max(job.run_at for job in pending)


async def test_a_lead_added_to_the_file_is_invited_once_the_worker_runs(
    out: Outbox, slack: SlackStub, db: str, tmp_path: Path
) -> None:
    now = SystemClock().now()  # the CLI below reads the system clock
    round_ = await open_mini(tmp_path, now, deadline="om 10 dage")
    await join_workspace(slack)
    clock = ManualClock(await invitations_due())
    assert await round_worker(out, clock).run_until_idle() == 4
    newcomer = await Person.get(key="pl-ny")
    assert await out.to(newcomer) == []

    path = tmp_path / "edited.yaml"
    path.write_text(edited(literal(*NORD_LEADS)), encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(FREMDRIFT),
        "programme",
        "load",
        str(path),
        env=cli_env(db, tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert (process.returncode, stderr.decode()) == (0, "")
    assert "Den åbne runde «13. møde»: 1 ny invitation sendes." in stdout.decode()

    clock.set(await invitations_due())
    assert await round_worker(out, clock).run_until_idle() == 1
    shown = await out.to(newcomer)
    assert [(s.what, s.is_intro, s.resume and s.resume.scope) for s in shown] == [
        ("checklist", True, NORD)
    ]
    assert len(out.messages()) == 5 and out.doubled() == []
    assert await Job.filter(round_id=round_.id, kind="invite").count() == 5


async def test_a_lead_taken_off_the_file_is_reminded_no_more_and_keeps_their_answers(
    out: Outbox, slack: SlackStub, tmp_path: Path
) -> None:
    round_ = await open_mini(tmp_path)
    await join_workspace(slack)
    clock = ManualClock(MONDAY_10)
    await round_worker(out, clock).run_until_idle()
    niels = await Person.get(key="pl-nord")
    runner = ChecklistRunner(clock, source="test")
    reply = await runner.handle(niels, round_.id, NORD, Start())
    progress = SetProgress(progress=Progress.REACHED, code="1.1", version=reply.version)
    assert (await runner.handle(niels, round_.id, NORD, progress)).stored == 1
    admin = await Person.get(key="sekretariat")
    programme = await Programme.get(key="mini")
    assert await rounds.remind(programme, admin, clock.now()) == 4  # queued, not yet sent

    loaded = await load(tmp_path, edited(literal(*NORD_SWAPPED)), clock.now())

    assert loaded.round is not None
    assert loaded.round.invited == 1
    assert [(d.name, d.checklist) for d in loaded.round.dropped] == [("Niels Nord", "Nord")]
    assert not loaded.round.replanned
    clock.set(datetime(2018, 6, 13, 7, 0, tzinfo=UTC))  # Wednesday 09:00: the schedule's sweep
    await round_worker(out, clock).run_until_idle()
    assert await out.notices("round.reminder", niels) == []
    reminded = {s.person_id for s in await out.notices("round.reminder")}
    others = await Person.filter(key__in=["pl-syd", "stf-syd", "fut", "pl-ny"])
    assert reminded == {person.id for person in others}
    cell = worded_matrix(await load_snapshot(round_.id)).cell("1.1", "nord")
    assert (cell.progress, cell.answered_by) == (Progress.REACHED, "Niels Nord")


async def test_changed_reminders_and_auto_close_are_planned_again(
    out: Outbox, tmp_path: Path
) -> None:
    round_ = await open_mini(tmp_path)

    async def pending(kind: str) -> list[datetime]:
        jobs = await Job.filter(round_id=round_.id, kind=kind, status=JobStatus.PENDING)
        return sorted(job.run_at for job in jobs)

    wednesday_9 = datetime(2018, 6, 13, 7, 0, tzinfo=UTC)
    friday_noon = datetime(2018, 6, 15, 10, 0, tzinfo=UTC)
    assert (await pending("reminders"), await pending("close")) == ([wednesday_9], [friday_noon])

    later = edited(
        literal('    - {days_before: 2, at: "09:00"}', '    - {days_before: 1, at: "14:30"}'),
        literal("  auto_close: true", "  auto_close: false"),
    )
    loaded = await load(tmp_path, later, MONDAY_10)

    thursday = datetime(2018, 6, 14, 12, 30, tzinfo=UTC)
    assert loaded.round is not None and loaded.round.replanned
    assert (loaded.round.reminders, loaded.round.closes_at) == ((thursday,), None)
    assert (await pending("reminders"), await pending("close")) == ([thursday], [])

    again = await load(tmp_path, MINI, MONDAY_10)
    assert again.round is not None and again.round.closes_at == friday_noon
    assert (await pending("reminders"), await pending("close")) == ([wednesday_9], [friday_noon])
    unchanged = await load(tmp_path, MINI, MONDAY_10)
    assert unchanged.round is not None and not unchanged.round.replanned

    await load(tmp_path, later, MONDAY_10)
    clock = ManualClock(thursday + timedelta(minutes=1))
    await round_worker(out, clock).run_until_idle()
    sent = await out.notices("round.reminder")
    slots = {s.job.payload["slot"] for s in sent if s.job}
    assert len(sent) == 4 and slots == {str(int(thursday.timestamp()))}, "the new time reminds"
    clock.set(friday_noon + timedelta(minutes=1))
    await round_worker(out, clock).run_until_idle()
    assert (await Round.get(id=round_.id)).closed_at is None, "no close at the deadline now"


async def test_taking_out_an_answered_milestone_is_refused_and_changes_nothing(
    db: str, tmp_path: Path
) -> None:
    round_ = await open_mini(tmp_path)
    lene = await Person.get(key="pl-syd")
    runner = ChecklistRunner(ManualClock(MONDAY_10), source="test")
    reply = await runner.handle(lene, round_.id, SYD, Start())
    progress = SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version)
    assert (await runner.handle(lene, round_.id, SYD, progress)).stored == 1
    before = await row_counts()

    text = edited(without("1.1"), literal(*NORD_LEADS), literal("(mini)", "(ny titel)"))
    with pytest.raises(UserError) as refused:
        await load(tmp_path, text, MONDAY_10)

    assert (refused.value.key, refused.value.params["code"]) == (
        "programme.milestone_has_answers",
        "1.1",
    )
    assert await row_counts() == before, "no invitation queued, nothing else written"
    assert (await Programme.get(key="mini")).title == "Fremdrift (mini)"
    assert not await Person.filter(key="pl-ny", roles__kind="lead").exists()


def current_code(message: Message) -> str:
    for block in message.blocks or []:
        if block.get("block_id") == "fd_progress":
            return decode(block["elements"][0]["value"]).event.code
    raise AssertionError("not a milestone view")


async def test_the_unanswered_milestone_a_lead_is_on_taken_out_leaves_them_on_the_next(
    db: str, slack: SlackStub, tmp_path: Path
) -> None:
    round_ = await open_mini(tmp_path)
    await join_workspace(slack)
    lene = await Person.get(key="pl-syd")
    async with running_app(slack, "http", clock=ManualClock(MONDAY_10)) as app:
        message = await checklist_message(app, slack, lene, round_.id, SYD, LENE)

        async def click(action_id: str) -> None:
            delivery = await slack.click(LENE, live(slack, LENE), action_id)
            assert (delivery.status, delivery.acked) == (200, True), delivery
            await settle(app)

        await click("fd:start:")
        await click("fd:progress:started")
        await click("fd:next:")
        assert current_code(live(slack, LENE)) == "1.2"
        assert message.ts == live(slack, LENE).ts
        before = {(a.scope, a.progress) for a in await Answer.all()}

        loaded = await load(tmp_path, edited(without("1.2")), MONDAY_10)
        assert loaded.round is not None and loaded.round.dropped == ()

        await click("fd:progress:reached")  # on the message drawn for 1.2
        assert told(slack, LENE, "Det spørgsmål er du allerede videre fra")
        assert current_code(live(slack, LENE)) == "1.3"
        assert {(a.scope, a.progress) for a in await Answer.all()} == before
        await click("fd:progress:reached")
    stored = await Answer.filter(scope="syd").prefetch_related("milestone")
    assert {(a.milestone.code, a.progress) for a in stored} == {
        ("1.1", Progress.STARTED),
        ("1.3", Progress.REACHED),
    }


async def test_a_milestone_moved_into_a_units_own_items_keeps_every_answer_or_is_refused(
    db: str, tmp_path: Path
) -> None:
    round_ = await open_mini(tmp_path)
    runner = ChecklistRunner(ManualClock(MONDAY_10), source="test")
    niels, lene = await Person.get(key="pl-nord"), await Person.get(key="pl-syd")
    for person, scope in ((niels, NORD), (lene, SYD)):
        reply = await runner.handle(person, round_.id, scope, Start())
        for code in ("1.1", "1.2"):
            version = reply.version
            reply = await runner.handle(
                person,
                round_.id,
                scope,
                SetProgress(progress=Progress.STARTED, code=code, version=version),
            )
            reply = await runner.handle(
                person, round_.id, scope, Next(code=code, version=reply.version)
            )
    # 1.3: only Syd has answered it
    await runner.handle(
        lene,
        round_.id,
        SYD,
        SetProgress(progress=Progress.REACHED, code="1.3", version=reply.version),
    )
    before = await row_counts()

    # Into Syd's own items: Nord's answer to 1.1 would vanish from the matrix.
    into_syd = (
        without("1.1"),
        literal(
            "        title: Leveranceplan\n",
            '        title: Leveranceplan\n      - code: "1.1"\n        title: Styregruppe\n',
        ),
    )
    with pytest.raises(UserError) as refused:
        await load(tmp_path, edited(*into_syd), MONDAY_10)
    assert refused.value.key == "programme.milestone_moved_has_answers"
    assert (refused.value.params["code"], refused.value.params["units"]) == ("1.1", ["Nord"])
    assert await row_counts() == before
    matrix = worded_matrix(await load_snapshot(round_.id))
    assert matrix.cell("1.1", "nord").progress is Progress.STARTED, "Nord's answer is shown"

    # 1.3 has Syd's answer only: it may become Syd's own item, and keeps that answer.
    only_syd = (
        without("1.3"),
        literal(
            "        title: Leveranceplan\n",
            '        title: Leveranceplan\n      - code: "1.3"\n        title: Projektplan\n',
        ),
    )
    await load(tmp_path, edited(*only_syd), MONDAY_10)
    snapshot = await load_snapshot(round_.id)
    assert [item.code for item in snapshot.local_items["syd"]] == ["SYD-1", "1.3"]
    assert snapshot.answer("1.3", "syd") is not None
    # … and back among the common milestones, with Syd's answer in the matrix again.
    await load(tmp_path, MINI, MONDAY_10)
    assert (
        worded_matrix(await load_snapshot(round_.id)).cell("1.3", "syd").progress
        is Progress.REACHED
    )


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (("programme", "load", "edited.yaml"), "1 ny invitation sendes"),
        (("round", "remind", "--programme", "mini"), "4 påmindelser sendes nu."),
    ],
    ids=["programme-load", "round-remind"],
)
async def test_cli_writes_while_leads_click_complete_and_so_do_the_clicks(
    db: str, tmp_path: Path, command: tuple[str, ...], said: str
) -> None:
    """On SQLite the CLI is a second process on the file: it waits for the clicks' write
    lock, and they for its (busy_timeout), instead of either failing "database is locked"."""
    now = SystemClock().now()
    round_ = await open_mini(tmp_path, now, deadline="om 10 dage")
    runner = ChecklistRunner(SystemClock(), source="test")
    clickers = [
        (await Person.get(key="pl-nord"), NORD, "1.1"),
        (await Person.get(key="pl-syd"), SYD, "1.1"),
        (await Person.get(key="fut"), "reporter:fut", "6.1 A"),
    ]
    for person, scope, code in clickers:
        reply = await runner.handle(person, round_.id, scope, Start())
        await runner.handle(
            person,
            round_.id,
            scope,
            SetProgress(progress=Progress.STARTED, code=code, version=reply.version),
        )
    (tmp_path / "edited.yaml").write_text(edited(literal(*NORD_LEADS)), encoding="utf-8")
    done = asyncio.Event()
    outcomes: list[tuple[str, int]] = []

    async def clicks(person: Person, scope: str, code: str) -> None:
        i = 0
        while not done.is_set():
            i += 1
            reply = await runner.handle(
                person, round_.id, scope, GiveRemark(text=f"{i}", code=code)
            )
            outcomes.append((",".join(t.key for t in reply.tells), reply.stored))

    async def cli() -> tuple[int | None, str, str]:
        try:
            process = await asyncio.create_subprocess_exec(
                str(FREMDRIFT),
                *command,
                cwd=tmp_path,
                env=cli_env(db, tmp_path),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
            return process.returncode, stdout.decode(), stderr.decode()
        finally:
            done.set()

    result, *_ = await asyncio.gather(cli(), *(clicks(*c) for c in clickers))

    assert result is not None  # cli()'s; only the clicks return None
    returncode, stdout, stderr = result
    assert (returncode, stderr) == (0, ""), stderr
    assert said in stdout
    assert outcomes and set(outcomes) == {("", 1)}, "every click stored, none told to retry"
