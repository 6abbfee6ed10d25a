"""A reporter's answer holds for every unit unless the reporter sets a unit apart.

The reporter's review offers each unit; choosing one opens the same milestones for that
unit alone, starting from the common answers. What the reporter changes there is stored
for that unit, and the matrix and the unit's own checklist show it instead of the common
answer, while every other unit keeps the common one.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conversations.clock import ManualClock
from conversations.errors import UserError
from conversations.events import Next, SetCritical, SetProgress, Skip, Start, Submit, decode
from conversations.views import MilestoneView, ReviewView, SubmittedView
from conversations.vocabulary import Colour, Progress
from models.answer import Answer, AnswerRevision
from models.jobs import Job
from models.snapshot import load_snapshot
from render.slack.views import render_view
from render.teams.views import render_view as teams_render_view
from render.words import worded_matrix
from service.rounds import note_admins
from service.runner import ChecklistRunner
from standins.slack.blockkit import validate_message_blocks
from standins.teams import walk
from tests.factories import OPENED, Small, small_programme
from tests.test_teams_cards import fits

FUT = "reporter:fut"
FUT_SYD = "reporter:fut@syd"


def runner() -> ChecklistRunner:
    return ChecklistRunner(ManualClock(OPENED + timedelta(days=1)), source="test")


async def answer_for_every_unit(small: Small) -> ReviewView:
    """The reporter states 6.1 A reached for every unit and comes to the review."""
    run = runner()
    reply = await run.handle(small.reporter, small.round.id, FUT, Start())
    reply = await run.handle(
        small.reporter,
        small.round.id,
        FUT,
        SetProgress(progress=Progress.REACHED, code="6.1 A", version=reply.version),
    )
    reply = await run.handle(
        small.reporter, small.round.id, FUT, Next(code="6.1 A", version=reply.version)
    )
    assert isinstance(reply.view, ReviewView)
    return reply.view


async def test_the_reporters_review_offers_every_unit_and_slack_draws_the_choice(
    db: str,
) -> None:
    small = await small_programme()
    review = await answer_for_every_unit(small)
    assert review.apart == (("reporter:fut@nord", "Nord"), ("reporter:fut@syd", "Syd"))
    message = render_view(review)
    assert validate_message_blocks(message.blocks) == []
    select = next(
        element
        for block in message.blocks
        if block.get("block_id") == "fd_apart"
        for element in block["elements"]
    )
    values = [decode(option["value"]) for option in select["options"]]
    assert [(v.scope, type(v.event), v.event.version) for v in values] == [
        ("reporter:fut@nord", Start, None),
        ("reporter:fut@syd", Start, None),
    ]


async def test_after_submitting_the_reporter_can_still_set_a_unit_apart(db: str) -> None:
    small = await small_programme()
    review = await answer_for_every_unit(small)
    reply = await runner().handle(
        small.reporter, small.round.id, FUT, Submit(version=review.header.version)
    )
    assert isinstance(reply.view, SubmittedView)
    assert [scope for scope, _ in reply.view.apart] == ["reporter:fut@nord", "reporter:fut@syd"]
    for draw in (render_view, teams_render_view):
        assert "reporter:fut@syd" in json.dumps(draw(reply.view).__dict__, default=str)


async def test_a_unit_set_apart_gets_its_own_answer_and_the_others_keep_the_common(
    db: str,
) -> None:
    small = await small_programme()
    await answer_for_every_unit(small)
    run = runner()
    reply = await run.handle(small.reporter, small.round.id, FUT_SYD, Start())
    assert isinstance(reply.view, MilestoneView)
    # The draft starts from the answer for every unit.
    assert reply.view.code == "6.1 A"
    assert reply.view.draft is not None and reply.view.draft.progress == "reached"
    reply = await run.handle(
        small.reporter,
        small.round.id,
        FUT_SYD,
        SetProgress(progress=Progress.STARTED, code="6.1 A", version=reply.version),
    )
    reply = await run.handle(
        small.reporter,
        small.round.id,
        FUT_SYD,
        SetCritical(critical=True, code="6.1 A", version=reply.version),
    )
    reply = await run.handle(
        small.reporter, small.round.id, FUT_SYD, Next(code="6.1 A", version=reply.version)
    )
    assert isinstance(reply.view, ReviewView)
    assert reply.view.apart == (), "a checklist set apart offers no further setting apart"
    reply = await run.handle(small.reporter, small.round.id, FUT_SYD, Submit(version=reply.version))

    stored = {a.scope: a for a in await Answer.filter(round_id=small.round.id)}
    assert set(stored) == {"*", "syd"}
    assert (stored["*"].progress, stored["*"].critical) == (Progress.REACHED, False)
    assert (stored["syd"].progress, stored["syd"].critical) == (Progress.STARTED, True)
    assert stored["syd"].unit_id == small.south.id
    assert await AnswerRevision.filter(answer_id=stored["syd"].id).count() == 2

    matrix = worded_matrix(await load_snapshot(small.round.id))
    assert (matrix.cell("6.1 A", "nord").colour, matrix.cell("6.1 A", "nord").critical) == (
        Colour.GREEN,
        False,
    )
    south = matrix.cell("6.1 A", "syd")
    assert (south.progress, south.critical) == (Progress.STARTED, True)


async def test_the_unit_sees_the_reporters_own_answer_for_it_read_only(db: str) -> None:
    small = await small_programme()
    await answer_for_every_unit(small)
    run = runner()
    reply = await run.handle(small.reporter, small.round.id, FUT_SYD, Start())
    await run.handle(
        small.reporter,
        small.round.id,
        FUT_SYD,
        SetProgress(progress=Progress.STARTED, code="6.1 A", version=reply.version),
    )
    seen = {}
    for person, scope in ((small.lead, "unit:syd"), (small.other_lead, "unit:nord")):
        context_reply = await runner().handle(person, small.round.id, scope, Start())
        version = context_reply.version
        for _ in range(10):  # three milestones of its own, then the review
            if not isinstance(context_reply.view, MilestoneView):
                break
            context_reply = await runner().handle(
                person,
                small.round.id,
                scope,
                Skip(code=context_reply.view.code, version=version),
            )
            version = context_reply.version
        assert isinstance(context_reply.view, ReviewView)
        row = next(r for r in context_reply.view.rows if r.code == "6.1 A")
        assert row.read_only and row.answer is not None
        seen[scope] = row.answer.progress
    assert seen == {"unit:syd": "started", "unit:nord": "reached"}


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("lead", FUT_SYD),  # not the reporter
        ("other_lead", "reporter:fut@nord"),
        ("reporter", "reporter:fut@atlantis"),  # no such unit
        ("reporter", "unit:syd@nord"),  # only a reporter's checklist is set apart
        ("reporter", "reporter:fut@"),
    ],
)
async def test_setting_apart_is_the_reporters_alone_and_for_a_real_unit(
    db: str, who: str, scope: str
) -> None:
    small = await small_programme()
    person = getattr(small, who)
    with pytest.raises(UserError) as refused:
        await runner().handle(person, small.round.id, scope, Start())
    assert refused.value.key in ("checklist.bad_action", "checklist.not_allowed")
    assert await Answer.all().count() == 0


@pytest.mark.parametrize("language", ["da", "en"])
async def test_teams_draws_the_choice_and_the_title_names_reporter_and_unit(
    db: str, language: str
) -> None:
    small = await small_programme()
    small.reporter.language = language
    await small.reporter.save()
    review = await answer_for_every_unit(small)
    card = fits(teams_render_view(review))
    choice = next(e for e in walk(card, "Input.ChoiceSet") if e.get("id") == "fd_apart")
    picked = [decode(option["value"]) for option in choice["choices"]]
    assert [(p.scope, type(p.event)) for p in picked] == [
        ("reporter:fut@nord", Start),
        ("reporter:fut@syd", Start),
    ]
    reply = await runner().handle(small.reporter, small.round.id, FUT_SYD, Start())
    assert reply.view is not None
    title = {"da": "Fælles Udbud – egne svar for Syd", "en": "Fælles Udbud – own answers for Syd"}
    line = {"da": "Egne svar for Syd", "en": "Answers of its own for Syd"}
    teams = teams_render_view(reply.view)
    assert title[language] in teams.summary
    assert line[language] in json.dumps(fits(teams), ensure_ascii=False)
    slack = render_view(reply.view)
    assert title[language] in slack.text
    assert line[language] in json.dumps(slack.blocks, ensure_ascii=False)


async def test_the_admins_hear_of_the_reporters_submission_once_not_of_each_unit_set_apart(
    db: str,
) -> None:
    small = await small_programme()
    run = ChecklistRunner(
        ManualClock(OPENED + timedelta(days=1)), source="test", notify_admins=note_admins
    )
    review = await answer_for_every_unit(small)
    await run.handle(small.reporter, small.round.id, FUT, Submit(version=review.header.version))
    reply = await run.handle(small.reporter, small.round.id, FUT_SYD, Start())
    reply = await run.handle(
        small.reporter, small.round.id, FUT_SYD, Next(code="6.1 A", version=reply.version)
    )
    assert isinstance(reply.view, ReviewView)
    await run.handle(small.reporter, small.round.id, FUT_SYD, Submit(version=reply.version))
    notes = [job.payload for job in await Job.filter(kind="note")]
    assert [(n["key"], n["person_id"]) for n in notes] == [("admin.submitted", small.admin.id)]
