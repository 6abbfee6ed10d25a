"""Both late-answer policies end to end: open, answer, the deadline passes, the round closes
itself, a late answer is refused (and published at once) or accepted, marked late, until
the admin publishes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from conversations.clock import ManualClock
from conversations.events import Next, SetProgress, Start, Submit
from conversations.views import ClosedView, MilestoneView, ReviewView, SubmittedView
from conversations.vocabulary import Progress
from models.answer import Answer
from models.round import Round, RoundStatus
from service import rounds
from service.runner import ChecklistRunner
from standins.slack import SlackStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker

FRIDAY_12 = datetime(2018, 6, 15, 10, 0, tzinfo=UTC)
SYD = "unit:syd"
NORD = "unit:nord"


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def open_and_answer(
    policy: str, clock: ManualClock, out: Outbox
) -> tuple[Small, Round, ChecklistRunner]:
    small = await small_programme(open_round=False, late_answers=policy)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    await round_worker(out, clock).run_until_idle()
    runner = ChecklistRunner(clock, source="test")
    reply = await runner.handle(small.other_lead, opened.round.id, NORD, Start())
    assert isinstance(reply.view, MilestoneView)
    for code in ("1.1", "1.2"):
        reply = await runner.handle(
            small.other_lead,
            opened.round.id,
            NORD,
            SetProgress(progress=Progress.REACHED, code=code, version=reply.version),
        )
        reply = await runner.handle(
            small.other_lead, opened.round.id, NORD, Next(code=code, version=reply.version)
        )
    assert isinstance(reply.view, ReviewView)
    reply = await runner.handle(
        small.other_lead, opened.round.id, NORD, Submit(version=reply.version)
    )
    assert isinstance(reply.view, SubmittedView)
    return small, opened.round, runner


async def test_late_answers_refused_the_round_closes_and_publishes_at_the_deadline(
    out: Outbox,
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_, runner = await open_and_answer("refuse", clock, out)
    clock.set(FRIDAY_12)
    await round_worker(out, clock).run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED
    assert len(await out.publications()) == 1
    note = (await out.notices("round.admin.closed", small.admin))[0]
    assert (note.params["submitted"], note.params["publishing"]) == (1, True)
    assert "1 af 3 tjeklister er indsendt" in note.message.text
    assert "offentliggøres nu" in note.message.text

    clock.advance(timedelta(hours=1))
    reply = await runner.handle(small.lead, round_.id, SYD, Start())
    assert isinstance(reply.view, ClosedView)
    assert [t.key for t in reply.tells] == ["checklist.round_closed"]  # told, not ignored
    reply = await runner.handle(
        small.lead,
        round_.id,
        SYD,
        SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version),
    )
    assert not await Answer.exists(round_id=round_.id, scope="syd")


async def test_late_answers_accepted_until_the_admin_publishes(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_, runner = await open_and_answer("accept", clock, out)
    clock.set(FRIDAY_12)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    closed = await Round.get(id=round_.id)
    assert closed.status is RoundStatus.CLOSED  # closed, not published: late answers welcome
    assert await out.publications() == []
    note = (await out.notices("round.admin.closed", small.admin))[0]
    assert note.params["publishing"] is False
    assert "Sene svar modtages" in note.message.text

    clock.advance(timedelta(hours=2))
    reply = await runner.handle(small.lead, round_.id, SYD, Start())
    assert isinstance(reply.view, MilestoneView)
    assert reply.view.header.late  # the person is told their answer is late
    await runner.handle(
        small.lead,
        round_.id,
        SYD,
        SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version),
    )
    late = await Answer.get(round_id=round_.id, scope="syd")
    assert (late.late, late.answered_at) == (True, clock.now())
    report = await rounds.status(small.programme, small.admin, clock.now())
    syd = next(line for line in report.units if line.title == "Syd")
    nord = next(line for line in report.units if line.title == "Nord")
    assert (syd.late, syd.answered, syd.submitted_at) == (True, 1, None)
    assert (nord.late, nord.answered, nord.submitted_at is not None) == (False, 2, True)
    assert syd.last_activity == clock.now() and syd.answered_by == ("Lene Syd",)

    await rounds.publish(small.programme, small.admin, clock.now())
    await worker.run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED
    assert len(await out.publications()) == 1
    reply = await runner.handle(small.lead, round_.id, SYD, Start())
    assert isinstance(reply.view, ClosedView)  # published: what was read stays true
