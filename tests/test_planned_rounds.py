"""Rounds planned on the meeting calendar (issue 21, item 2), on a manual clock through the
Slack stand-in: listed as planned until their day; opened by the worker then, with every
invitation `round open` sends and a notice to the admins; moved, cancelled, waiting for an
open round, lapsing; planned from a programme file's `meetings:`; by slash command and on
the command line; and opened once by two replicas (PostgreSQL).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from conversations.clock import ManualClock
from conversations.commands import Command, parse
from conversations.errors import UserError
from conversations.planning import Due, PlannedTimes, due, planned_times
from models.db import is_postgres
from models.jobs import Job, JobStatus
from models.people import Account, Person, Role, RoleKind
from models.planned import OPEN_PLANNED
from models.programme import Programme
from models.programme_file import parse_programme
from models.programme_store import Tally, save_programme
from models.round import PlannedRound, PlannedStatus, Round, RoundStatus
from render.i18n import text
from service import planned_rounds, rounds
from service.commands import HANDLERS
from service.jobs import enqueue
from standins.slack import SlackStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, Outbox, Shown, round_worker
from tests.slack_app import KOL, join_workspace
from tests.test_rounds_cli import cli_env, fremdrift  # noqa: F401  (cli_env is a fixture)
from tests.test_rounds_replicas import Replica, eventually, replicas_env, set_clock  # noqa: F401

# The 14th meeting on Wednesday 10 October 2018, planned four months ahead: its round opens
# 14 days before, Wednesday 26 September at 09:00, and its deadline is 5 days before,
# Friday 5 October at 12:00 (summer time in Copenhagen: UTC+2).
MEETING = date(2018, 10, 10)
OPENS = datetime(2018, 9, 26, 7, 0, tzinfo=UTC)
DEADLINE = datetime(2018, 10, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def small(**settings: object) -> Small:
    found = await small_programme(open_round=False)
    if settings:
        await Programme.filter(id=found.programme.id).update(
            settings={**found.programme.settings, **settings}
        )
        found.programme = await Programme.get(id=found.programme.id)
    return found


async def plan_notes(out: Outbox, person: Person, what: str) -> list[Shown]:
    """The notices about planned rounds a person got: round.admin.plan_<what>."""
    return [
        s
        for s in await out.to(person)
        if s.job is not None and s.job.kind == "plan_note" and s.job.payload["what"] == what
    ]


def listed(programme: str, lines: tuple[object, ...], language: str = "da") -> str:
    return text(language, "round.cli.list", programme=programme, rounds=[vars(x) for x in lines])


# -- the rule -----------------------------------------------------------------------------
def test_the_times_count_back_from_the_meeting_and_skip_the_weekend() -> None:
    times = planned_times(
        MEETING,
        open_days_before=14,
        deadline_days_before=5,
        skip_weekends=True,
        tz="Europe/Copenhagen",
    )
    assert times == PlannedTimes(OPENS, DEADLINE)
    tuesday = planned_times(  # a Tuesday meeting, with a round of three days
        date(2018, 10, 30),
        open_days_before=3,
        deadline_days_before=2,
        skip_weekends=True,
        tz="Europe/Copenhagen",
    )
    # 3 days before is Saturday 27 October, moved to Friday 26th (summer time, 09:00 = 07:00 UTC)
    assert tuesday.opens_at == datetime(2018, 10, 26, 7, 0, tzinfo=UTC)
    # 2 days before is Sunday 28th, the night summer time ends: Friday 26th, 12:00 = 10:00 UTC
    assert tuesday.deadline == datetime(2018, 10, 26, 10, 0, tzinfo=UTC)
    weekend = planned_times(
        date(2018, 10, 30),
        open_days_before=3,
        deadline_days_before=2,
        skip_weekends=False,
        tz="Europe/Copenhagen",
    )
    assert weekend.deadline == datetime(2018, 10, 28, 11, 0, tzinfo=UTC)  # winter time now
    assert due(times, OPENS - timedelta(seconds=1), another_open=False) is Due.EARLY
    assert due(times, OPENS, another_open=False) is Due.OPEN
    assert due(times, OPENS, another_open=True) is Due.WAIT
    assert due(times, DEADLINE, another_open=False) is Due.LAPSED


# -- planned, listed, opened --------------------------------------------------------------
async def test_a_round_planned_four_months_ahead_is_listed_as_planned(out: Outbox) -> None:
    found = await small()
    planned = await planned_rounds.plan(
        found.programme, "14. møde", "2018-10-10", found.admin, MONDAY_10
    )
    assert (planned.meeting, planned.opens_at, planned.deadline) == (MEETING, OPENS, DEADLINE)
    lines = await rounds.list_rounds(found.programme, found.admin)
    assert [(line.name, line.state) for line in lines] == [
        ("12. møde", "closed"),
        ("14. møde", "planned"),
    ]
    assert listed("mini", lines).splitlines()[-1] == (
        "2018-10-10  14. møde – planlagt: åbner 26. september 2018 kl. 09:00, "
        "frist 5. oktober 2018 kl. 12:00"
    )
    assert "– planned: opens 26 September 2018, 09:00" in listed("mini", lines, "en")
    # …and it is no round yet: not the open one, not the latest, not history
    assert await rounds.open_round_of(found.programme) is None
    assert (await rounds.latest_dated_round(found.programme)).name == "12. møde"
    assert await Round.filter(programme=found.programme).count() == 1
    job = await Job.get(kind=OPEN_PLANNED)
    assert (job.run_at, job.status, job.round_id) == (OPENS, JobStatus.PENDING, None)


async def test_the_worker_opens_it_on_its_day_and_everyone_hears(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    worker = round_worker(out, clock)
    assert await worker.run_until_idle() == 0
    clock.set(OPENS - timedelta(seconds=1))
    assert await worker.run_until_idle() == 0
    assert out.messages() == []

    clock.set(OPENS)
    await worker.run_until_idle()
    opened = await Round.get(programme=found.programme, name="14. møde")
    assert (opened.status, opened.date, opened.deadline, opened.opened_at) == (
        RoundStatus.OPEN,
        MEETING,
        DEADLINE,
        OPENS,
    )
    assert opened.opened_by_id == found.admin.id
    plan = await PlannedRound.get(name="14. møde")
    assert (plan.status, plan.round_id) == (PlannedStatus.OPENED, opened.id)
    for person in (found.lead, found.deputy, found.other_lead, found.reporter):
        invitations = await out.to(person, "checklist")
        assert len(invitations) == 1 and invitations[0].is_intro, person.key
        assert invitations[0].job is not None and invitations[0].job.round_id == opened.id
    assert await out.to(found.stranger) == []
    notes = await plan_notes(out, found.admin, "opened")
    assert len(notes) == 1
    assert notes[0].message.text == (
        "Runden «14. møde» til mødet 10. oktober 2018 er åbnet som planlagt: 4 invitationer "
        "sendes, og fristen er 5. oktober 2018 kl. 12:00."
    )
    # the round runs as one opened by hand: its reminders and its close are queued
    kinds = set(await Job.filter(round_id=opened.id).values_list("kind", flat=True))
    assert {"invite", "reminders", "close", "plan_note"} <= kinds
    assert (await rounds.list_rounds(found.programme, found.admin))[-1].state == "open"
    assert out.doubled() == []


async def test_an_admin_who_reads_english_is_told_in_english(out: Outbox) -> None:
    clock = ManualClock(OPENS - timedelta(days=1))
    found = await small()
    await Person.filter(id=found.admin.id).update(language="en")
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    clock.set(OPENS)
    await round_worker(out, clock).run_until_idle()
    (note,) = await plan_notes(out, found.admin, "opened")
    assert note.message.text.startswith(
        'The round "14. møde" for the meeting on 10 October 2018 has opened as planned'
    )


# -- moved, cancelled, refused ----------------------------------------------------------------
async def test_a_moved_round_opens_on_its_new_day_only(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    moved = await planned_rounds.move(
        found.programme, "14. møde", "2018-11-07", found.admin, clock.now()
    )
    # Wednesday 7 November: opens Wednesday 24 October 09:00 (summer time), deadline Friday
    # 2 November 12:00 (winter time: UTC+1)
    assert moved.opens_at == datetime(2018, 10, 24, 7, 0, tzinfo=UTC)
    assert moved.deadline == datetime(2018, 11, 2, 11, 0, tzinfo=UTC)
    lines = await rounds.list_rounds(found.programme, found.admin)
    assert (lines[-1].name, lines[-1].date) == ("14. møde", date(2018, 11, 7))
    jobs = {job.status for job in await Job.filter(kind=OPEN_PLANNED)}
    assert jobs == {JobStatus.CANCELLED, JobStatus.PENDING}

    worker = round_worker(out, clock)
    clock.set(OPENS)  # the old day: nothing opens
    await worker.run_until_idle()
    assert not await Round.exists(name="14. møde")
    clock.set(moved.opens_at)
    await worker.run_until_idle()
    opened = await Round.get(name="14. møde")
    assert (opened.date, opened.deadline) == (date(2018, 11, 7), moved.deadline)
    assert len(await plan_notes(out, found.admin, "opened")) == 1
    with pytest.raises(UserError) as error:  # it is a round now, no longer a plan
        await planned_rounds.move(found.programme, "14. møde", "2018-12-05", found.admin, OPENS)
    assert error.value.key == "round.plan_unknown"


async def test_a_cancelled_round_never_opens_and_can_be_planned_again(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    assert await planned_rounds.cancel_plan(found.programme, "14.  møde", found.admin) == "14. møde"
    assert [line.state for line in await rounds.list_rounds(found.programme, found.admin)] == [
        "closed"
    ]
    worker = round_worker(out, clock)
    clock.set(DEADLINE)
    await worker.run_until_idle()
    assert not await Round.exists(name="14. møde")
    assert out.messages() == []
    with pytest.raises(UserError) as error:
        await planned_rounds.cancel_plan(found.programme, "14. møde", found.admin)
    assert error.value.key == "round.plan_unknown"

    # planned again, for a later meeting: the same row, a new version, a new job
    again = await planned_rounds.plan(
        found.programme, "14. møde", "2018-11-07", found.admin, clock.now()
    )
    plan = await PlannedRound.get(name="14. møde")
    assert (plan.status, plan.version) == (PlannedStatus.PLANNED, 2)
    clock.set(again.opens_at)
    await worker.run_until_idle()
    assert (await Round.get(name="14. møde")).status is RoundStatus.OPEN


async def test_planning_refuses_what_cannot_be(out: Outbox) -> None:
    found = await small()
    programme, admin, now = found.programme, found.admin, MONDAY_10
    await planned_rounds.plan(programme, "14. møde", "2018-10-10", admin, now)
    plan, move, later = planned_rounds.plan, planned_rounds.move, "2018-11-07"
    cases = [
        (plan(programme, "14. møde", later, admin, now), "round.plan_exists"),
        (plan(programme, "12. møde", later, admin, now), "round.name_taken"),
        (plan(programme, "15. møde", "2018-06-08", admin, now), "round.plan_past"),
        (plan(programme, "15. møde", "10/10", admin, now), "round.date_unreadable"),
        (plan(programme, " ", later, admin, now), "round.name_empty"),
        (plan(programme, "15. møde", later, found.lead, now), "round.not_admin"),
        (move(programme, "15. møde", later, admin, now), "round.plan_unknown"),
        (move(programme, "14. møde", "2018-06-05", admin, now), "round.plan_past"),
        (move(programme, "14. møde", later, found.deputy, now), "round.not_admin"),
        (planned_rounds.cancel_plan(programme, "14. møde", found.stranger), "round.not_admin"),
    ]
    for call, key in cases:
        with pytest.raises(UserError) as error:
            await call
        assert error.value.key == key
    plans = await PlannedRound.all().values_list("name", "meeting", "status", "version")
    assert plans == [("14. møde", MEETING, PlannedStatus.PLANNED, 1)]  # nothing changed
    assert await Job.filter(kind=OPEN_PLANNED).count() == 1
    with pytest.raises(UserError) as error:
        await planned_rounds.plan(programme, "15. møde", "2018-06-08", admin, now)
    # 5 days before Friday 8 June is a Sunday: the deadline would have been Friday 1 June
    assert text("da", error.value.key, **error.value.params) == (
        "Runden «15. møde» til mødet 8. juni 2018 skulle have frist 1. juni 2018 kl. 12:00, "
        "og den er allerede passeret. Vælg et senere møde, eller åbn en runde nu med «round open»."
    )


# -- an open round in the way -----------------------------------------------------------------
async def test_it_waits_for_the_open_round_and_the_admins_are_told_once(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small()
    await rounds.open_round(
        found.programme, "13. møde", "20. oktober 2018 kl. 12", found.admin, clock.now()
    )
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    worker = round_worker(out, clock)
    await worker.run_until_idle()  # the invitations to «13. møde»
    clock.set(OPENS)
    await worker.run_until_idle()
    clock.set(OPENS + timedelta(hours=2))  # it looks again, every 15 minutes
    await worker.run_until_idle()
    assert (await PlannedRound.get(name="14. møde")).status is PlannedStatus.WAITING
    waiting = await plan_notes(out, found.admin, "waiting")
    assert len(waiting) == 1
    assert "men runden «13. møde» er stadig åben" in waiting[0].message.text
    lines = await rounds.list_rounds(found.programme, found.admin)
    (waits,) = [line for line in lines if line.name == "14. møde"]
    assert waits.waiting and "(venter på, at den åbne runde lukkes)" in listed("mini", lines)

    await rounds.close(found.programme, found.admin, clock.now())
    clock.advance(timedelta(minutes=15))
    await worker.run_until_idle()
    opened = await Round.get(name="14. møde")
    assert opened.status is RoundStatus.OPEN and opened.deadline == DEADLINE
    assert len(await plan_notes(out, found.admin, "opened")) == 1
    assert len(await out.to(found.lead, "checklist")) == 2  # «13. møde» and «14. møde»
    assert len(await plan_notes(out, found.admin, "waiting")) == 1
    assert out.doubled() == []


async def test_it_lapses_when_its_deadline_passes_while_it_waits(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small(auto_close=False)
    await rounds.open_round(
        found.programme, "13. møde", "1. oktober 2018 kl. 12", found.admin, clock.now()
    )
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    worker = round_worker(out, clock)
    clock.set(OPENS)
    await worker.run_until_idle()
    clock.set(DEADLINE)
    await worker.run_until_idle()
    assert (await PlannedRound.get(name="14. møde")).status is PlannedStatus.LAPSED
    assert not await Round.exists(name="14. møde")
    (lapsed,) = await plan_notes(out, found.admin, "lapsed")
    assert "blev ikke åbnet: dens frist 5. oktober 2018 kl. 12:00 nåede at passere" in (
        lapsed.message.text
    )
    assert [line.state for line in await rounds.list_rounds(found.programme, found.admin)] == [
        "closed",
        "open",
    ]
    assert (await Job.get(kind=OPEN_PLANNED)).status is JobStatus.DONE


async def test_a_round_opened_by_hand_under_its_name_is_not_opened_twice(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    # a race the command cannot see: the round is opened by hand, early, under its name
    early = await rounds.open_round(
        found.programme, "14. møde", "2018-09-20 12:00", found.admin, clock.now()
    )
    await rounds.close(found.programme, found.admin, datetime(2018, 9, 20, 10, 0, tzinfo=UTC))
    clock.set(OPENS)
    await round_worker(out, clock).run_until_idle()
    assert await Round.filter(name="14. møde").count() == 1
    plan = await PlannedRound.get(name="14. møde")
    assert (plan.status, plan.round_id) == (PlannedStatus.OPENED, early.round.id)
    assert await plan_notes(out, found.admin, "opened") == []


# -- the programme file's meetings ---------------------------------------------------------
def kol_with(meetings: str, settings: str = "") -> str:
    text_ = KOL.read_text(encoding="utf-8")
    if settings:
        text_ = text_.replace("  auto_close: true\n", f"  auto_close: true\n{settings}")
    return f"{text_}\nmeetings:\n{meetings}"


async def test_a_meetings_list_plans_its_rounds_and_the_worker_opens_them(
    db: str, slack: SlackStub
) -> None:
    meetings = "  - {name: 13. møde, date: 2018-10-10}\n  - {name: 14. møde, date: 2018-12-12}\n"
    summary = await save_programme(parse_programme(kol_with(meetings), "kol.yaml"))
    assert summary.meetings == Tally(created=2)
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    lines = await rounds.list_rounds(programme, admin)
    assert [(line.name, line.date, line.state) for line in lines] == [
        ("13. møde", MEETING, "planned"),
        ("14. møde", date(2018, 12, 12), "planned"),
    ]
    plans = await PlannedRound.filter(programme=programme).order_by("meeting")
    assert all(plan.from_file and plan.planned_by_id is None for plan in plans)

    again = await save_programme(parse_programme(kol_with(meetings), "kol.yaml"))
    assert again.meetings == Tally(unchanged=2) and not again.changed  # idempotent, by name
    assert await Job.filter(kind=OPEN_PLANNED).count() == 2

    await join_workspace(slack)
    slack.limits.disable()  # a manual clock never lets a real Retry-After pass
    async with aiohttp.ClientSession() as session:
        out = Outbox(slack, session)
        await round_worker(out, ManualClock(OPENS)).run_until_idle()
        assert len(await plan_notes(out, admin, "opened")) == 1
    opened = await Round.get(programme=programme, name="13. møde")
    assert (opened.status, opened.date, opened.deadline) == (RoundStatus.OPEN, MEETING, DEADLINE)
    users = {a.person_id: a.user_id for a in await Account.all()}
    asked = {
        r.person_id for r in await Role.filter(programme=programme) if r.kind is not RoleKind.ADMIN
    }
    assert sum(len(slack.dm(users[person])) for person in asked) == 11


async def test_loading_again_moves_cancels_and_retimes_what_the_file_says(db: str) -> None:
    first = "  - {name: 13. møde, date: 2018-10-10}\n  - {name: 14. møde, date: 2018-12-12}\n"
    await save_programme(parse_programme(kol_with(first), "kol.yaml"))
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    await planned_rounds.plan(programme, "Ekstra", "2019-01-16", admin, MONDAY_10)
    await planned_rounds.cancel_plan(programme, "14. møde", admin)

    # 13. møde moves a week; 14. møde is planned no longer by the file (and stays cancelled);
    # 15. møde is new; «Ekstra», planned by command, is left alone; rounds open 21 days ahead
    second = "  - {name: 13. møde, date: 2018-10-17}\n  - {name: 15. møde, date: 2019-02-13}\n"
    settings = "  open_days_before: 21\n  deadline_days_before: 7\n"
    summary = await save_programme(parse_programme(kol_with(second, settings), "kol.yaml"))
    assert summary.meetings == Tally(created=1, updated=1)
    plans = {p.name: p for p in await PlannedRound.filter(programme=programme)}
    assert plans["13. møde"].meeting == date(2018, 10, 17)
    assert plans["14. møde"].status is PlannedStatus.CANCELLED
    assert plans["Ekstra"].status is PlannedStatus.PLANNED
    pending = {
        job.payload["planned_id"]: job.run_at
        for job in await Job.filter(kind=OPEN_PLANNED, status=JobStatus.PENDING)
    }
    # 21 days before Wednesday 17 October is Wednesday 26 September; before 16 January
    # 2019 it is Wednesday 26 December 2018 (winter time: 09:00 is 08:00 UTC)
    assert pending == {
        plans["13. møde"].id: OPENS,
        plans["15. møde"].id: datetime(2019, 1, 23, 8, 0, tzinfo=UTC),
        plans["Ekstra"].id: datetime(2018, 12, 26, 8, 0, tzinfo=UTC),
    }
    lines = await rounds.list_rounds(programme, admin)
    assert lines[0].deadline == datetime(2018, 10, 10, 10, 0, tzinfo=UTC)  # 7 days before

    # dropped from the file: the meetings it planned are cancelled, not the command's
    dropped = await save_programme(parse_programme(kol_with("  []\n"), "kol.yaml"))
    assert dropped.meetings == Tally(removed=2)
    statuses = dict(await PlannedRound.filter(programme=programme).values_list("name", "status"))
    assert {name: PlannedStatus(status) for name, status in statuses.items()} == {
        "13. møde": PlannedStatus.CANCELLED,
        "14. møde": PlannedStatus.CANCELLED,
        "15. møde": PlannedStatus.CANCELLED,
        "Ekstra": PlannedStatus.PLANNED,
    }
    assert await Job.filter(kind=OPEN_PLANNED, status=JobStatus.PENDING).count() == 1


@pytest.mark.parametrize(
    ("meetings", "settings", "key", "field"),
    [
        ("  - {name: 13. møde, date: 10/10/2018}\n", "", "programme.bad_date", "meetings[0].date"),
        ("  - {name: 13. møde, date: 2018-02-30}\n", "", "programme.bad_date", "meetings[0].date"),
        (
            "  - {name: 13. møde, date: 2018-10-10}\n  - {name: 13. møde, date: 2018-12-12}\n",
            "",
            "programme.duplicate_entry",
            "meetings[1].name",
        ),
        ("  - {name: 13. møde}\n", "", "programme.missing_field", "meetings[0].date"),
        (
            "  []\n",
            "  open_days_before: 5\n  deadline_days_before: 5\n",
            "programme.deadline_before_opening",
            "settings",
        ),
        ("  []\n", "  open_days_before: 0\n", "programme.too_small", "settings.open_days_before"),
    ],
    ids=["not-iso", "no-such-day", "name-twice", "no-date", "deadline-not-after-opening", "zero"],
)
def test_a_wrong_meetings_list_or_setting_is_refused_naming_the_field(
    meetings: str, settings: str, key: str, field: str
) -> None:
    with pytest.raises(UserError) as error:
        parse_programme(kol_with(meetings, settings), "kol.yaml")
    assert (error.value.key, error.value.params["field"]) == (key, field)
    words = text("da", key, **error.value.params)
    assert words.startswith("kol.yaml, linje ") and field in words


# -- the slash command and the command line --------------------------------------------------
def test_the_slash_command_reads_plan_move_and_cancel() -> None:
    assert parse("round plan 14. møde meeting 2018-10-10") == Command(
        "round.plan", None, {"name": "14. møde", "meeting": "2018-10-10"}
    )
    assert parse("kol-2018 round plan «14. møde» møde 2018-10-10", ["kol-2018"]) == Command(
        "round.plan", "kol-2018", {"name": "14. møde", "meeting": "2018-10-10"}
    )
    assert parse("round plan 14. møde møde 2018-10-10").args["name"] == "14. møde"
    assert parse("round plan move 14. møde meeting 2018-11-07") == Command(
        "round.plan_move", None, {"name": "14. møde", "meeting": "2018-11-07"}
    )
    assert parse("round plan cancel 14. møde") == Command(
        "round.plan_cancel", None, {"name": "14. møde"}
    )
    for wrong, usage in (
        ("round plan", "round plan"),
        ("round plan 14. møde", "round plan"),
        ("round plan meeting 2018-10-10", "round plan"),
        ("round plan move 14. møde", "round plan move"),
        ("round plan cancel", "round plan cancel"),
    ):
        with pytest.raises(UserError) as error:
            parse(wrong)
        assert (error.value.key, error.value.params) == ("command.usage", {"command": usage})
        assert text("da", "command.usage", command=usage).startswith(
            f"Sådan skrives den: /fremdrift {usage}"
        )


async def test_the_slash_command_plans_moves_and_cancels_for_admins_only(db: str) -> None:
    found = await small()
    clock = ManualClock(MONDAY_10)
    args = {"name": "14. møde", "meeting": "2018-10-10"}
    reply = await HANDLERS["round.plan"](
        Command("round.plan", None, args), found.admin, found.programme, clock
    )
    assert reply.key == "round.cli.planned"
    assert text("da", reply.key, **reply.params) == (
        "Runden «14. møde» i mini er planlagt til mødet 10. oktober 2018: den åbner "
        "26. september 2018 kl. 09:00 med frist 5. oktober 2018 kl. 12:00."
    )
    move = Command("round.plan_move", None, {**args, "meeting": "2018-11-07"})
    reply = await HANDLERS["round.plan_move"](move, found.admin, found.programme, clock)
    assert reply.key is not None
    assert "flyttet til mødet 7. november 2018" in text("da", reply.key, **reply.params)
    with pytest.raises(UserError) as error:
        await HANDLERS["round.plan_cancel"](
            Command("round.plan_cancel", None, {"name": "14. møde"}),
            found.lead,
            found.programme,
            clock,
        )
    assert error.value.key == "round.not_admin"
    cancel = Command("round.plan_cancel", None, {"name": "14. møde"})
    reply = await HANDLERS["round.plan_cancel"](cancel, found.admin, found.programme, clock)
    assert reply.key is not None
    assert text("en", reply.key, **reply.params) == (
        'The planned round "14. møde" is cancelled and will not open.'
    )


@pytest.fixture
def ahead() -> str:
    """A meeting four months from today (the command line runs on the system clock)."""
    return (datetime.now(UTC).date() + timedelta(days=120)).isoformat()


def test_the_command_line_plans_lists_moves_and_cancels(
    cli_env: dict[str, str],  # noqa: F811
    ahead: str,
) -> None:
    code, out, err = fremdrift(
        "round", "plan", "--programme", "kol-2018", "--name", "13. møde", "--meeting", ahead
    )
    assert (code, err) == (0, "")
    assert out.startswith("Runden «13. møde» i kol-2018 er planlagt til mødet ")
    code, out, err = fremdrift("round", "list", "--programme", "kol-2018")
    assert (code, err) == (0, "")
    assert out.startswith(f"{ahead}  13. møde – planlagt: åbner ")
    later = (date.fromisoformat(ahead) + timedelta(days=7)).isoformat()
    code, out, err = fremdrift(
        "round", "plan", "move", "13. møde", "--meeting", later, "--programme", "kol-2018"
    )
    assert (code, err) == (0, "") and "er flyttet til mødet" in out
    code, out, _ = fremdrift("round", "plan", "--programme", "kol-2018", "cancel", "13. møde")
    assert (code, out) == (0, "Den planlagte runde «13. møde» er aflyst og åbner ikke.\n")
    code, out, _ = fremdrift("round", "list", "--programme", "kol-2018")
    assert "planlagt" not in out
    code, _, err = fremdrift("round", "plan", "cancel", "13. møde", "--programme", "kol-2018")
    assert (code, err) == (
        1,
        "Fejl: Der er ingen planlagt runde med navnet «13. møde» i kol-2018. "
        "Se de planlagte runder med «round list».\n",
    )
    code, _, err = fremdrift("round", "plan", "--programme", "kol-2018", "--name", "13. møde")
    assert code == 2 and "--meeting" in err


# -- two replicas ---------------------------------------------------------------------------
@pytest.mark.skipif(
    not is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="replicas share work through PostgreSQL (FOR UPDATE SKIP LOCKED); "
    "SQLite runs a single worker per database file",
)
async def test_two_replicas_open_a_planned_round_once(
    replicas_env: None,  # noqa: F811
    slack: SlackStub,
    tmp_path: Path,
) -> None:
    programme = await Programme.get(key="kol-2018")
    roles = await Role.filter(programme=programme).prefetch_related("person")
    users = {a.person_id: a.user_id for a in await Account.all()}
    asked = {users[r.person_id] for r in roles if r.kind is not RoleKind.ADMIN}
    admin = next(r.person for r in roles if r.kind is RoleKind.ADMIN)
    await planned_rounds.plan(programme, "13. møde", "2018-10-10", admin, MONDAY_10)
    plan = await PlannedRound.get(name="13. møde")
    # the same opening, queued thrice: both replicas race for it
    for extra in ("again", "and-again"):
        await enqueue(
            OPEN_PLANNED,
            {"planned_id": plan.id, "version": plan.version},
            run_at=OPENS,
            dedupe_key=f"{OPEN_PLANNED}:{plan.id}:{extra}",
        )

    clock = tmp_path / "clock"
    set_clock(clock, MONDAY_10)
    replicas = [await Replica.start(name, slack, clock) for name in ("a", "b")]
    try:
        set_clock(clock, OPENS)
        await slack.wait_for(
            lambda: (
                sum(len(slack.dm(user)) for user in asked) == 11
                and len(slack.dm(users[admin.id])) == 1
            ),
            within=90.0,
        )

        async def settled() -> bool:
            return not await Job.filter(
                status__in=[JobStatus.PENDING, JobStatus.RUNNING],
                kind__in=[OPEN_PLANNED, "invite", "plan_note"],
            ).exists()

        await eventually(settled)
    finally:
        for replica in replicas:
            await replica.stop()
    assert await Round.filter(programme=programme, name="13. møde").count() == 1
    results = [job.result or {} for job in await Job.filter(kind=OPEN_PLANNED)]
    assert sum(1 for result in results if result.get("opened")) == 1, results
    assert {user: len(slack.dm(user)) for user in asked} == dict.fromkeys(asked, 1)
    assert len(slack.dm(users[admin.id])) == 1  # told once
    assert await Job.filter(status=JobStatus.FAILED).count() == 0
