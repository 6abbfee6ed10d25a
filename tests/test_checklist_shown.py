"""What a lead is shown before deciding, on Slack and on Teams (issue 16, item 7; issue 21).

One KOL round after an imported one, played by Syddanmark's lead through the real app and
each platform's stand-in: last round's forecast and remark on the milestone, before "same
as last round" could copy them; an answer "on time" with a forecast past the milestone's
deadline asked about once (stored, never refused); seed 001's two questions typed; and the
review showing each answer's forecast and remark. Then the limits: a review of 100 items at
their longest keeps to one Slack message and one Teams card, showing what fits.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conversations.clock import ManualClock
from conversations.context import AnswerData, Item
from conversations.limits import CHECKLIST_ITEMS_LIMIT, FORECAST_LIMIT, REMARK_LIMIT
from conversations.state import Phase, State
from conversations.views import ReviewView, build
from conversations.vocabulary import Delay, Progress
from models.answer import Answer
from models.programme_file import load_programme_file
from models.snapshot import load_snapshot
from render.documents.sheets import render_sheet_pdf
from render.slack.views import render_view as slack_view
from render.teams.views import CARD_BUDGET
from render.teams.views import render_view as teams_view
from render.words import worded_matrix
from service.imports import import_round
from standins.slack import ManualClock as StandInClock
from standins.slack import SlackStub
from standins.slack.blockkit import validate_message_blocks
from standins.teams import TeamsStub, validate_card
from tests.scenario_checklist import ADMIN, LEAD, MONDAY_10, OPEN, ROUND_NAME
from tests.scenario_platforms import (
    SlackDriver,
    TeamsDriver,
    reset_database,
    slack_driver,
    teams_driver,
)
from tests.slack_app import KOL
from tests.test_documents import pdf_text
from tests.test_slack_views import HOSTILE, kol_context

pytest_plugins = ["tests.teams_fixtures"]

LAST_ROUND = (
    "milestone,unit,progress,delay,critical,forecast,remark\n"
    "4.1,syddanmark,expected,0,no,Medio 2019,Afventer Sundhedsstyrelsen\n"
)
PAST = "4. kvartal 2019"  # Syddanmark's 4.1 is due «Medio 2019»
REMARK = "Aftalen er forsinket af høringen"


async def play(driver: SlackDriver | TeamsDriver) -> dict[str, str]:
    """Open the round, answer 4.1 as the lead, and return what each step showed."""
    await import_round(
        "kol-2018", "11. møde", LAST_ROUND.encode(), MONDAY_10, date_text="2018-03-14"
    )
    assert ROUND_NAME in await driver.command(ADMIN, OPEN)
    await driver.run_jobs()
    await driver.press(LEAD, "start")
    while driver.checklist(LEAD) != ("milestone", "4.1"):
        await driver.press(LEAD, "skip")
    shown = {"milestone": driver.shown(LEAD)}
    await driver.press(LEAD, "progress", "started")
    await driver.write(LEAD, "forecast", PAST)
    assert driver.checklist(LEAD) == ("confirm_baseline", "4.1")
    shown["asked"] = driver.shown(LEAD)
    await driver.press(LEAD, "confirm_baseline")
    assert driver.checklist(LEAD) == ("milestone", "4.1")
    shown["kept"] = driver.shown(LEAD)
    await driver.write(LEAD, "remark", REMARK)
    await driver.write(LEAD, "sub_milestones", "Delmilepæl A nået")
    await driver.write(LEAD, "ready", "Marts 2019")
    assert driver.checklist(LEAD) == ("milestone", "4.1"), "asked once: not again"
    await driver.press(LEAD, "review")
    assert driver.checklist(LEAD)[0] == "review"
    shown["review"] = driver.shown(LEAD)
    return shown


def check(shown: dict[str, str]) -> None:
    milestone = shown["milestone"]
    assert "Prognose sidste runde:" in milestone and "Medio 2019" in milestone
    assert "Bemærkning sidste runde:" in milestone and "Afventer Sundhedsstyrelsen" in milestone
    assert "Som sidste runde" in milestone
    asked = shown["asked"]
    assert f"Prognosen for 4.1, «{PAST}», ligger efter deadline «Medio 2019»" in asked
    assert "Ja, stadig til tiden" in asked and "0-3 mdr. forsinket" in asked
    assert "Gemt som til tiden (4.1)." in shown["kept"]
    review = shown["review"]
    for said in (PAST, REMARK, "Delmilepæl A nået", "Marts 2019", "Prognose:", "Bemærkning:"):
        assert said in review, said


async def stored() -> tuple[object, ...]:
    answer = await Answer.get(milestone__code="4.1", scope="syddanmark", round__name=ROUND_NAME)
    return (
        str(answer.progress),
        str(answer.delay),
        answer.forecast_text,
        answer.remark,
        answer.sub_milestones,
        answer.ready_text,
    )


async def test_a_lead_sees_last_rounds_words_and_is_asked_once_on_slack_and_on_teams(
    db: str, slack: SlackStub, tmp_path_factory: pytest.TempPathFactory
) -> None:
    await load_programme_file(KOL)
    async with slack_driver(slack, ManualClock(MONDAY_10)) as on_slack:
        check(await play(on_slack))
    expected = ("started", "0", PAST, REMARK, "Delmilepæl A nået", "Marts 2019")
    assert await stored() == expected
    # Seed 001's two columns, on the unit's sheet, from what was typed in the chat.
    round_ = await Answer.get(milestone__code="4.1", round__name=ROUND_NAME).prefetch_related(
        "round"
    )
    snapshot = await load_snapshot(round_.round.id)
    sheet = pdf_text(
        render_sheet_pdf(snapshot, worded_matrix(snapshot), "syddanmark").content,
        tmp_path_factory.mktemp("sheet"),
    )
    assert "Delmilepæl A nået" in sheet and "Marts 2019" in sheet

    await reset_database(db, tmp_path_factory.getbasetemp())
    await load_programme_file(KOL)
    async with (
        TeamsStub(clock=StandInClock()) as teams,
        teams_driver(teams, ManualClock(MONDAY_10)) as on_teams,
    ):
        check(await play(on_teams))
        assert not teams.too_big and not teams.bad_cards, (teams.too_big, teams.bad_cards)
    assert await stored() == expected


# -- within the platforms' limits -----------------------------------------------------------------


def _longest_review(fill: str) -> ReviewView:
    """100 items, every answer's forecast and remark as long as they can be, in `fill`."""
    ctx = kol_context()
    items = tuple(
        Item(code=f"{n}.{'9' * 29}"[:32], title="Lang titel " * 200, group_title=f"Gruppe {n}")
        for n in range(CHECKLIST_ITEMS_LIMIT)
    )
    answer = AnswerData(
        Progress.STARTED,
        Delay.OVER_6,
        critical=True,
        forecast_text=fill * FORECAST_LIMIT,
        remark=(HOSTILE + fill * REMARK_LIMIT)[:REMARK_LIMIT],
        sub_milestones=fill * 3000,
        ready_text=fill * 200,
    )
    big = replace(
        ctx, items=items, answers={i.code: answer for i in items}, read_only=(), submitted_at=None
    )
    view = build(State(phase=Phase.REVIEW, version=3), big)
    assert isinstance(view, ReviewView)
    return view


@pytest.mark.parametrize("fill", ["x", "&"], ids=["letters", "ampersands"])
def test_a_review_of_100_items_at_their_longest_keeps_to_one_slack_message(fill: str) -> None:
    """`&` is five characters once escaped for mrkdwn: the review shows less of each text."""
    message = slack_view(_longest_review(fill))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert text.count("*Prognose:*") == CHECKLIST_ITEMS_LIMIT, "every forecast shown, cut"
    assert "…" in text  # cut by the catalogue's rule, saying so


def test_a_review_of_100_items_at_their_longest_keeps_to_one_teams_card() -> None:
    message = teams_view(_longest_review("x"))
    assert message.card is not None
    validate_card(message.card)
    assert message.size() <= CARD_BUDGET


def test_kols_review_shows_forecasts_and_remarks_at_length() -> None:
    ctx = kol_context()
    said = AnswerData(
        Progress.EXPECTED, forecast_text="Medio 2019", remark="Afventer høringen. " * 10
    )
    review = build(
        State(phase=Phase.REVIEW, version=2),
        replace(ctx, answers={item.code: said for item in ctx.items}),
    )
    for text in (
        json.dumps(slack_view(review).blocks, ensure_ascii=False),
        json.dumps(teams_view(review).card, ensure_ascii=False),
    ):
        assert text.count("Medio 2019") >= len(ctx.items)
        assert ("Afventer høringen. " * 10).strip() in text  # 190 characters: in full
