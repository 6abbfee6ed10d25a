"""The runner against a real database: stored before told, resumable, shared, guarded."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from conversations.clock import ManualClock
from conversations.errors import UserError
from conversations.events import (
    GiveRemark,
    Next,
    Pause,
    SetCritical,
    SetDelay,
    SetProgress,
    Skip,
    Start,
    Submit,
)
from conversations.views import ClosedView, MilestoneView, ReviewView, SubmittedView
from conversations.vocabulary import Delay, Progress
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.round import Round, RoundStatus, Submission
from models.structure import bump_revision
from service.runner import ChecklistRunner
from tests.factories import OPENED, small_programme

SYD = "unit:syd"


def runner(clock: ManualClock | None = None) -> ChecklistRunner:
    return ChecklistRunner(clock or ManualClock(OPENED + timedelta(days=1)), source="test")


async def test_an_answer_is_stored_with_its_revision_before_the_reply(db: str) -> None:
    small = await small_programme()
    run = runner()
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    assert isinstance(reply.view, MilestoneView)
    assert (reply.view.code, reply.view.baseline) == ("1.1", "2. kvartal 2018")
    reply = await run.handle(
        small.lead,
        small.round.id,
        SYD,
        SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version),
    )
    answer = await Answer.get(scope="syd")
    assert (answer.progress, answer.revision, answer.answered_by_id) == (
        Progress.STARTED,
        1,
        small.lead.id,
    )
    revisions = await AnswerRevision.filter(answer=answer)
    assert [(r.number, r.progress, r.changed_by_id, r.source) for r in revisions] == [
        (1, Progress.STARTED, small.lead.id, "test")
    ]
    assert reply.stored == 1


async def test_the_checklist_holds_national_milestones_and_local_items_not_the_reporters(
    db: str,
) -> None:
    small = await small_programme()
    reply = await runner().handle(small.lead, small.round.id, SYD, Start())
    codes = []
    version = reply.version
    while isinstance(reply.view, MilestoneView):
        codes.append(reply.view.code)
        reply = await runner().handle(
            small.lead, small.round.id, SYD, Skip(code=reply.view.code, version=version)
        )
        version = reply.version
    assert codes == ["1.1", "1.2", "SYD-1"]
    assert isinstance(reply.view, ReviewView)
    read_only = [row for row in reply.view.rows if row.read_only]
    assert [(row.code, row.reporter) for row in read_only] == [("6.1 A", "Fælles Udbud")]


async def test_a_restart_resumes_exactly_where_the_lead_left_off(db: str) -> None:
    small = await small_programme()
    first = runner()
    reply = await first.handle(small.lead, small.round.id, SYD, Start())
    reply = await first.handle(
        small.lead, small.round.id, SYD, Skip(code="1.1", version=reply.version)
    )
    await first.handle(small.lead, small.round.id, SYD, Pause(version=reply.version))
    restarted = runner()  # a new process: nothing but the database carries over
    reply = await restarted.handle(small.lead, small.round.id, SYD, Start())
    assert isinstance(reply.view, MilestoneView)
    assert reply.view.code == "1.2"


async def test_repeating_a_value_adds_no_revision_and_a_double_click_applies_once(db: str) -> None:
    small = await small_programme()
    run = runner()
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    click = SetProgress(progress=Progress.EXPECTED, code="1.1", version=reply.version)
    first, second = await asyncio.gather(
        run.handle(small.lead, small.round.id, SYD, click),
        run.handle(small.lead, small.round.id, SYD, click),
    )
    assert sorted([first.stored, second.stored]) == [0, 1]
    nav = Next(code="1.1", version=max(first.version, second.version))
    await asyncio.gather(*(run.handle(small.lead, small.round.id, SYD, nav) for _ in range(3)))
    conversation = await Conversation.get(person=small.lead)
    assert conversation.state["code"] == "1.2"
    assert await AnswerRevision.all().count() == 1


async def test_lead_and_deputy_share_answers_and_both_revisions_are_kept(db: str) -> None:
    small = await small_programme()
    run = runner()
    lead = await run.handle(small.lead, small.round.id, SYD, Start())
    deputy = await run.handle(small.deputy, small.round.id, SYD, Start())
    await asyncio.gather(
        run.handle(
            small.lead,
            small.round.id,
            SYD,
            SetProgress(progress=Progress.STARTED, code="1.1", version=lead.version),
        ),
        run.handle(
            small.deputy,
            small.round.id,
            SYD,
            SetProgress(progress=Progress.REACHED, code="1.1", version=deputy.version),
        ),
    )
    answer = await Answer.get(scope="syd")
    revisions = await AnswerRevision.filter(answer=answer).order_by("number")
    assert [r.number for r in revisions] == [1, 2]
    assert {r.changed_by_id for r in revisions} == {small.lead.id, small.deputy.id}
    assert answer.progress == revisions[-1].progress  # the later change wins
    seen_by_deputy = await run.current(small.deputy, small.round.id, SYD)
    assert isinstance(seen_by_deputy.view, MilestoneView)
    assert seen_by_deputy.view.draft is not None
    assert seen_by_deputy.view.draft.progress == answer.progress
    assert seen_by_deputy.language == "en"


async def test_a_reporter_answers_once_for_every_unit(db: str) -> None:
    small = await small_programme()
    run = runner()
    scope = "reporter:fut"
    reply = await run.handle(small.reporter, small.round.id, scope, Start())
    assert isinstance(reply.view, MilestoneView)
    assert (reply.view.code, reply.view.total) == ("6.1 A", 1)
    await run.handle(
        small.reporter,
        small.round.id,
        scope,
        SetProgress(progress=Progress.REACHED, code="6.1 A", version=reply.version),
    )
    answer = await Answer.get()
    assert (answer.scope, answer.unit_id) == ("*", None)
    lead_view = await run.handle(small.lead, small.round.id, SYD, Submit())
    assert isinstance(lead_view.view, ReviewView)
    fut_row = next(row for row in lead_view.view.rows if row.code == "6.1 A")
    assert fut_row.read_only
    assert fut_row.answer is not None
    assert fut_row.answer.progress is Progress.REACHED


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("stranger", SYD),
        ("other_lead", SYD),
        ("lead", "reporter:fut"),
        ("lead", "unit:nord"),
        ("reporter", SYD),
        ("admin", SYD),
    ],
)
async def test_people_outside_their_role_are_refused_and_nothing_is_stored(
    db: str, who: str, scope: str
) -> None:
    small = await small_programme()
    actor = getattr(small, who)
    with pytest.raises(UserError) as refused:
        await runner().handle(actor, small.round.id, scope, Start())
    assert refused.value.key == "checklist.not_allowed"
    assert await Conversation.all().count() == 0


async def test_a_deputy_removed_from_the_unit_can_no_longer_answer(db: str) -> None:
    from models.people import Role

    small = await small_programme()
    run = runner()
    reply = await run.handle(small.deputy, small.round.id, SYD, Start())
    await Role.filter(person=small.deputy).delete()
    await bump_revision(small.programme.id)  # as every roster change does (models/structure.py)
    with pytest.raises(UserError) as refused:
        await run.handle(
            small.deputy,
            small.round.id,
            SYD,
            SetProgress(progress=Progress.REACHED, code="1.1", version=reply.version),
        )
    assert refused.value.key == "checklist.not_allowed"
    assert await Answer.all().count() == 0


async def test_an_unknown_round_is_refused(db: str) -> None:
    small = await small_programme()
    with pytest.raises(UserError) as refused:
        await runner().handle(small.lead, small.round.id + 99, SYD, Start())
    assert refused.value.key == "checklist.unknown_round"


async def test_after_the_round_closes_nothing_can_change(db: str) -> None:
    small = await small_programme()
    run = runner()
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    await Round.filter(id=small.round.id).update(status=RoundStatus.CLOSED, open_slot=None)
    reply = await run.handle(
        small.lead,
        small.round.id,
        SYD,
        SetProgress(progress=Progress.REACHED, code="1.1", version=reply.version),
    )
    assert [t.key for t in reply.tells] == ["checklist.round_closed"]
    assert isinstance(reply.view, ClosedView)
    assert await Answer.all().count() == 0


async def test_late_answers_follow_the_programme_policy(db: str) -> None:
    small = await small_programme(late_answers="accept")
    clock = ManualClock(OPENED + timedelta(days=20))  # past the deadline
    run = runner(clock)
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    assert reply.view is not None
    assert reply.view.header.late
    await run.handle(
        small.lead,
        small.round.id,
        SYD,
        SetProgress(progress=Progress.REACHED, code="1.1", version=reply.version),
    )
    assert (await Answer.get()).late is True


async def test_a_whole_checklist_submitted_notifies_the_admins_once(db: str) -> None:
    small = await small_programme()
    run = runner()
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    for code in ("1.1", "1.2", "SYD-1"):
        reply = await run.handle(
            small.lead,
            small.round.id,
            SYD,
            SetProgress(progress=Progress.STARTED, code=code, version=reply.version),
        )
        reply = await run.handle(
            small.lead,
            small.round.id,
            SYD,
            SetDelay(delay=Delay.UP_TO_3, code=code, version=reply.version),
        )
        reply = await run.handle(
            small.lead,
            small.round.id,
            SYD,
            SetCritical(critical=True, code=code, version=reply.version),
        )
        reply = await run.handle(
            small.lead, small.round.id, SYD, GiveRemark(text=f"note {code}", code=code)
        )
        reply = await run.handle(
            small.lead, small.round.id, SYD, Next(code=code, version=reply.version)
        )
    assert isinstance(reply.view, ReviewView)
    submitted = await run.handle(small.lead, small.round.id, SYD, Submit(version=reply.version))
    again = await run.handle(small.lead, small.round.id, SYD, Submit(version=submitted.version))
    assert isinstance(submitted.view, SubmittedView)
    assert [n.key for n in submitted.notify_admins] == ["admin.submitted"]
    assert again.notify_admins == []
    assert await Submission.filter(round_id=small.round.id, scope=SYD).count() == 1
    assert await Answer.all().count() == 3
    assert await AnswerRevision.all().count() == 12
