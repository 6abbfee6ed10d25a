"""A close is a line: `round close` while leads click never lets an answer in after it.

Whether a round takes answers is decided inside the answer's own transaction, on the round
as it stands there (held against a change of state until the answer commits), so a click
that loses the race to the close is told the round closed and stores nothing, and the
round's `closed_at` is not before any answer it took. Driven through the real runner and
the real close, on a clock that every reader moves on: whoever reads it later gets a later
moment, as on a wall clock, with nothing timed by sleeping.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from conversations.events import GiveRemark, SetProgress, Start
from conversations.views import MilestoneView
from conversations.vocabulary import Progress
from models.answer import Answer, AnswerRevision
from models.people import Person, Role, RoleKind
from models.round import Round, RoundStatus, Submission
from service import rounds
from service.runner import ChecklistRunner
from tests.factories import OPENED, small_programme

EXTRA = 3  # more deputies per unit, so that ten people click at once
CLICKS = 10  # clicks per person, one after the other
CLOSE_AFTER = 20  # acknowledged clicks before the admin closes


class TickingClock:
    """Each reading is a microsecond after the one before, whoever reads it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        self._now += timedelta(microseconds=1)
        return self._now


@dataclass
class Tally:
    stored: int = 0  # acknowledged clicks: stored, and the reply says so
    closed: int = 0  # told the round closed
    other: list[str] = field(default_factory=list)  # anything else: must stay empty


async def test_clicks_racing_a_close_store_nothing_after_it(db: str) -> None:
    small = await small_programme()
    round_id = small.round.id
    clock = TickingClock(OPENED + timedelta(days=1))
    runner = ChecklistRunner(clock, source="test")
    people = [(small.lead, "unit:syd"), (small.deputy, "unit:syd")]
    people += [(small.other_lead, "unit:nord"), (small.reporter, "reporter:fut")]
    for unit in (small.north, small.south):
        for n in range(EXTRA):
            deputy = await Person.create(key=f"stf-{unit.key}-{n}", name=f"{unit.name} {n}")
            await Role.create(
                programme=small.programme, person=deputy, kind=RoleKind.DEPUTY, scope=unit.key
            )
            people.append((deputy, f"unit:{unit.key}"))
    clickers: list[tuple[Person, str, str]] = []
    for person, scope in people:  # each on the milestone their checklist asks first
        reply = await runner.handle(person, round_id, scope, Start())
        assert isinstance(reply.view, MilestoneView)
        code = reply.view.code
        progress = SetProgress(progress=Progress.STARTED, code=code, version=reply.version)
        await runner.handle(person, round_id, scope, progress)
        clickers.append((person, scope, code))
    before = await AnswerRevision.all().count()
    tally = Tally()
    enough = asyncio.Event()

    async def clicks(person: Person, scope: str, code: str) -> list[bool]:
        """One person's clicks; True for each that was told the round closed."""
        told: list[bool] = []
        for i in range(CLICKS):
            text = f"{person.key} {i}"
            reply = await runner.handle(person, round_id, scope, GiveRemark(text=text, code=code))
            keys = [tell.key for tell in reply.tells]
            if keys == ["checklist.round_closed"] and reply.stored == 0:
                tally.closed += 1
                told.append(True)
            elif keys == [] and reply.stored == 1:
                tally.stored += 1
                told.append(False)
                if tally.stored >= CLOSE_AFTER:
                    enough.set()
            else:
                tally.other.append(f"{text}: {keys} stored={reply.stored}")
        return told

    async def close() -> None:
        await enough.wait()
        await rounds.close(small.programme, small.admin, clock.now())

    results = await asyncio.gather(close(), *(clicks(*clicker) for clicker in clickers))

    assert tally.other == []
    assert tally.stored >= CLOSE_AFTER and tally.closed > 0
    for told in results[1:]:
        assert told is not None  # clicks() returns a list; only close() returns None
        assert told == sorted(told), "once told closed, a person is never taken again"
    round_ = await Round.get(id=round_id)
    assert round_.status is RoundStatus.CLOSED and round_.closed_at is not None
    closed_at = round_.closed_at
    assert await AnswerRevision.all().count() - before == tally.stored, "every ack is stored"
    assert not await Answer.filter(answered_at__gt=closed_at).exists()
    assert not await AnswerRevision.filter(changed_at__gt=closed_at).exists()
    assert not await Submission.filter(submitted_at__gt=closed_at).exists()
