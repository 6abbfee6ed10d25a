"""One KOL round, written once and played on any platform through a small driver.

The secretariat opens the round by command (every lead, deputy and FUT is invited), the
lead of Syddanmark answers the whole checklist with seed 000's answers — buttons for
progress, delay and critical, typed forecasts and remarks — and submits; the secretariat
sends reminders, closes the round, and it is published in the steering channel. What the
round stored (answers, revisions, submission, the matrix) is returned as plain data, so
the same expectation holds for Slack and for Teams (tests/test_teams_scenario.py).

A driver speaks its platform's wire through the real app and that platform's stand-in;
the scenario names only neutral things: people by their programme key, the checklist's
actions by the dialogue's event names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, cast

from conversations.clock import ManualClock
from models.answer import Answer, AnswerRevision
from models.jobs import Job
from models.round import Round, RoundStatus, Submission
from models.snapshot import load_snapshot
from render.words import worded_matrix
from tests.slack_app import seed000_answers

MONDAY_10 = datetime(2018, 6, 4, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen
ADMIN = "sekretariat"
LEAD = "pl-syddanmark"
ASKED = frozenset(
    {
        f"{role}-{unit}"
        for role in ("pl", "stf")
        for unit in ("hovedstaden", "midtjylland", "nordjylland", "sjaelland", "syddanmark")
    }
    | {"fut"}
)
ROUND_NAME = "12. møde, 20. juni 2018"
OPEN = f"round open {ROUND_NAME} deadline 15. juni 2018 kl. 12"
FUT_CODES = frozenset({"6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4"})
LOCAL = ("started", "0", False, "", "Lokalt punkt")

AnswerRow = tuple[str, str, bool, str, str]  # progress, delay, critical, forecast, remark


class Driver(Protocol):
    """A platform, through the real app and its stand-in."""

    platform: str
    clock: ManualClock

    async def command(self, person: str, text: str) -> str:
        """Type a command as `person`; what the bot answered, as text."""
        ...

    async def run_jobs(self) -> None:
        """What a replica's worker does between polls: every job that is due, once."""
        ...

    def received(self, person: str) -> list[str]:
        """The text of every message the bot sent the person, oldest first."""
        ...

    def checklist(self, person: str) -> tuple[str, str | None]:
        """The live checklist message: its kind (intro, milestone, review, submitted, …)
        and the milestone it asks about."""
        ...

    async def press(self, person: str, name: str, argument: str = "") -> None:
        """Press the live checklist's button for an event (start, progress reached, …)."""
        ...

    async def write(self, person: str, field: str, text: str) -> None:
        """Type a forecast or a remark for the milestone the live checklist asks about."""
        ...

    def published(self) -> list[str]:
        """The text of every post in the steering channel."""
        ...


@dataclass(frozen=True)
class Outcome:
    invitations: dict[str, int]
    answers: dict[str, AnswerRow]
    revisions: int
    submitted: tuple[str, ...]
    reminded: frozenset[str]
    admins_told_of_submission: int
    status: str
    matrix: tuple[tuple[str, str, str, str, bool], ...]


def expected_answers() -> dict[str, AnswerRow]:
    """What the lead gives: seed 000's answers for Syddanmark, their own two local items."""
    seed = seed000_answers("syddanmark")
    answers: dict[str, AnswerRow] = {
        code: (a.progress, a.delay, a.critical, a.forecast, a.remark)
        for code, a in seed.items()
        if code not in FUT_CODES
    }
    answers["SYD-1"] = LOCAL
    answers["SYD-2"] = LOCAL
    return answers


def expected_revisions() -> int:
    """A revision per stored change: the status, then delay, critical, forecast and remark."""
    return sum(
        1 + (d != "0") + c + bool(f) + bool(r) for (_, d, c, f, r) in expected_answers().values()
    )


async def play_round(driver: Driver) -> Outcome:
    """The whole round, as in the issue: open, invite, answer, remind, close, publish."""
    opened = await driver.command(ADMIN, OPEN)
    assert ROUND_NAME in opened, opened
    before = {person: len(driver.received(person)) for person in ASKED}
    await driver.run_jobs()
    invitations = {person: len(driver.received(person)) - before[person] for person in ASKED}

    await answer_everything(driver, LEAD)

    before = {person: len(driver.received(person)) for person in ASKED}
    reminded_reply = await driver.command(ADMIN, "round remind")
    assert reminded_reply.strip(), "the admin is told how many reminders go out"
    await driver.run_jobs()
    reminded = frozenset(p for p in ASKED if len(driver.received(p)) > before[p])

    closed = await driver.command(ADMIN, "round close")
    assert ROUND_NAME in closed, closed
    await driver.run_jobs()

    round_ = await Round.get(name=ROUND_NAME)
    stored = {
        a.milestone.code: a for a in await Answer.filter(round=round_).prefetch_related("milestone")
    }
    matrix = worded_matrix(await load_snapshot(round_.id))
    return Outcome(
        invitations=invitations,
        answers={
            code: (str(a.progress), str(a.delay), a.critical, a.forecast_text, a.remark)
            for code, a in stored.items()
        },
        revisions=await AnswerRevision.filter(answer__round=round_).count(),
        submitted=tuple(
            sorted(
                cast(
                    list[str],
                    await Submission.filter(round=round_).values_list("scope", flat=True),
                )
            )
        ),
        reminded=reminded,
        admins_told_of_submission=sum(
            job.payload.get("key") == "admin.submitted" for job in await Job.filter(kind="note")
        ),
        status=str(round_.status),
        matrix=tuple(
            (cell.milestone, cell.unit, cell.colour.value, cell.text, cell.critical)
            for cell in matrix.cells()
        ),
    )


async def answer_everything(driver: Driver, person: str) -> None:
    """Start, give every milestone its answer (status, delay, critical, forecast, remark),
    move on, review and submit — the way a lead clicks and types through it."""
    answers = expected_answers()
    await driver.press(person, "start")
    seen: list[str] = []
    while True:
        kind, code = driver.checklist(person)
        if kind != "milestone":
            break
        assert code is not None and code not in seen, (code, seen)
        seen.append(code)
        progress, delay, critical, forecast, remark = answers[code]
        await driver.press(person, "progress", progress)
        if delay != "0":
            await driver.press(person, "delay", delay)
        if critical:
            await driver.press(person, "critical", "yes")
        if forecast:
            await driver.write(person, "forecast", forecast)
        if remark:
            await driver.write(person, "remark", remark)
        await driver.press(person, "next")
    assert driver.checklist(person)[0] == "review", driver.checklist(person)
    await driver.press(person, "submit")
    assert driver.checklist(person)[0] == "submitted", driver.checklist(person)
    assert sorted(seen) == sorted(answers), "every milestone of the checklist was asked once"


def check(outcome: Outcome) -> None:
    """What the scenario must have done on any platform (the matrix is compared between
    platforms by the caller; here, its Syddanmark column against the answers)."""
    assert outcome.invitations == dict.fromkeys(ASKED, 1)
    assert outcome.answers == expected_answers()
    assert outcome.revisions == expected_revisions()
    assert outcome.submitted == ("unit:syddanmark",)
    assert outcome.reminded == ASKED - {LEAD, "stf-syddanmark"}
    assert outcome.admins_told_of_submission == 1, "one note to the one admin, once"
    assert outcome.status == str(RoundStatus.PUBLISHED)
    answers = expected_answers()
    column = {cell[0]: cell for cell in outcome.matrix if cell[1] == "syddanmark"}
    for code, (_, _, critical, _, _) in answers.items():
        if code in column:
            assert column[code][4] == critical, code
