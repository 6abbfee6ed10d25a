"""Every card the Teams adapter draws passes the stand-in's card checks and Teams' 28 KB
message limit: each KOL view at its fullest (the 32-milestone review too), a 300-milestone
review, notices, command replies, a long status, and the publication of KOL and of 100 units
× 300 milestones. User text cannot forge markup in a card."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from conversations.context import AnswerData, Item
from conversations.events import decode
from conversations.state import Phase, State
from conversations.views import ReviewView, build
from conversations.vocabulary import Delay, Progress
from render.teams.views import (
    TeamsMessage,
    publication_messages,
    render_command_reply,
    render_notice,
    render_status,
    render_view,
)
from render.words import worded_matrix
from reporting.comparison import compare
from service.commands import ChecklistLine, CommandReply
from service.round_status import ChecklistLine as StatusLine
from service.round_status import PersonLine, RoundReport
from standins.teams import MESSAGE_LIMIT, validate_card, walk
from tests.test_documents import seed000
from tests.test_publication import synthetic
from tests.test_slack_views import HOSTILE, NOW, kol_context, views_of

LINKS = [
    (f"Dokument {kind}", f"https://fremdrift.kol.example/api/documents/1/{kind}?x=1")
    for kind in ("matrix", "sheets", "xlsx", "csv", "json")
]


def fits(message: TeamsMessage) -> dict[str, Any]:
    """The card, after checking it as Teams would: valid, and within the size limit."""
    assert message.card is not None
    validate_card(message.card)
    size = len(json.dumps(message.activity(), ensure_ascii=False).encode("utf-8"))
    assert size <= MESSAGE_LIMIT, size
    return message.card


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_kol_view_at_its_fullest_fits_teams(language: str) -> None:
    views = views_of(kol_context(language))
    assert len(views) >= 30
    for view in views:
        fits(render_view(view))


def test_the_32_milestone_review_is_drawn_in_full() -> None:
    ctx = kol_context()
    review = build(State(phase=Phase.REVIEW, version=9), ctx)
    assert isinstance(review, ReviewView) and len(review.rows) >= 32
    card = fits(render_view(review))
    text = json.dumps(card, ensure_ascii=False)
    for row in review.rows:
        assert row.code in text
    choices = walk(card, "Input.ChoiceSet")
    assert len(choices) == 1 and len(choices[0]["choices"]) == len(ctx.items)


def test_a_300_milestone_review_is_drawn_compact_and_still_fits() -> None:
    items = tuple(
        Item(
            code=f"{g}.{m}",
            title="En milepæl med en meget lang titel, som fylder godt " * 2,
            group_title=f"Milepæl {g}: " + "en lang overskrift " * 5,
        )
        for g in range(1, 31)
        for m in range(1, 11)
    )
    answer = AnswerData(progress=Progress.STARTED, delay=Delay.OVER_6, critical=True)
    ctx = replace(kol_context(), items=items, answers={i.code: answer for i in items}, read_only=())
    review = build(State(phase=Phase.REVIEW, version=3), ctx)
    card = fits(render_view(review))
    assert walk(card, "Input.ChoiceSet") == []
    assert [i["id"] for i in walk(card, "Input.Text")] == ["fd_code"], "a code field instead"
    edit = [a for a in walk(card, "Action.Submit") if "fd_edit" in a["data"]]
    assert decode(edit[0]["data"]["fd_edit"]).event.name == "edit"


def test_the_milestone_card_carries_the_wire_and_the_typed_text_in_its_inputs() -> None:
    ctx = kol_context()
    view = build(State(phase=Phase.ASKING, code=ctx.items[2].code, version=7), ctx)
    card = fits(render_view(view))
    inputs = {i["id"]: i for i in walk(card, "Input.Text")}
    draft = ctx.answers[ctx.items[2].code]
    assert inputs["fd_forecast"]["value"] == draft.forecast_text
    assert inputs["fd_remark"]["value"] == draft.remark
    for action in walk(card, "Action.Submit"):
        wire = action["data"].get("fd") or action["data"]["fd_text"]
        envelope = decode(wire)
        assert (envelope.round_id, envelope.scope, envelope.event.version) == (
            12,
            "unit:syddanmark",
            7,
        )


def test_user_text_cannot_forge_links_or_bold_in_a_card() -> None:
    hostile = "[klik her](https://evil.example) **fed** _kursiv_"
    item = Item(code="1.1", title=hostile, group_title=hostile, definition=hostile)
    answer = AnswerData(progress=Progress.REACHED, remark=hostile, forecast_text=hostile)
    ctx = replace(kol_context(), items=(item,), answers={"1.1": answer}, read_only=())
    for phase in (Phase.ASKING, Phase.REVIEW):
        card = fits(render_view(build(State(phase=phase, version=1), ctx)))
        for block in walk(card, "TextBlock"):
            assert "](https" not in block["text"] and "**fed**" not in block["text"], block
    assert HOSTILE  # the Slack tests' hostile remark is in the fullest views above


def test_notices_command_replies_and_a_long_status_fit() -> None:
    notice = render_notice(
        "round.reminder",
        {
            "round": "12. møde i porteføljestyregruppen, 20. juni 2018" * 3,
            "checklist": "Syddanmark",
            "deadline": NOW,
            "timezone": "Europe/Copenhagen",
            "answered": 3,
            "total": 37,
            "late": False,
        },
        language="da",
        resume="start||12|unit:syddanmark||",
        snooze="12|unit:syddanmark",
    )
    assert len(walk(fits(notice), "Action.Submit")) == 2
    lines = [
        ChecklistLine("12. møde", f"Enhed {i}", i, 37, i % 2 == 0, "start||12|unit:x||")
        for i in range(60)
    ]
    reply = fits(render_command_reply(CommandReply("command.me_title", checklists=lines)))
    assert len(walk(reply, "Action.Submit")) == 40
    people = tuple(
        PersonLine(f"p{i}", f"Person med et langt navn {i}", "lead", None, "sent", 2)
        for i in range(6)
    )
    report = RoundReport(
        programme="kol-2018",
        round_id=1,
        name="12. møde",
        status="open",
        deadline=NOW,
        deadline_text="fredag",
        timezone="Europe/Copenhagen",
        late_answers="refuse",
        opened_at=NOW,
        closed_at=None,
        published_at=None,
        checklists=tuple(
            StatusLine(
                f"unit:u{i}",
                f"Enhed nummer {i} med et langt navn",
                3,
                37,
                None,
                None,
                False,
                NOW,
                ("Lene", "Søren"),
                people,
            )
            for i in range(100)
        ),
        failed=tuple(f"Person {i}" for i in range(30)),
        pending_jobs=0,
    )
    status = fits(render_status(report, "da"))
    assert any(block["text"] == "…" for block in walk(status, "TextBlock")), "cut, and says so"


async def test_the_kol_publication_fits_teams(db: str) -> None:
    _, matrix, comparison = await seed000()
    messages = publication_messages(matrix, comparison, published=NOW, links=LINKS)
    assert len(messages) == 3
    cards = [fits(message) for message in messages]
    grid = "\n".join(block["text"] for block in walk(cards[1], "TextBlock"))
    assert "🔴🟡🟢🟡🟡  **11.4**" in grid
    assert [a["url"] for a in walk(cards[2], "Action.OpenUrl")] == [url for _, url in LINKS]


def test_a_hundred_units_by_300_milestones_fit_teams_in_several_cards() -> None:
    before = synthetic(100, 300, seed=1, name="Forrige")
    after = synthetic(100, 300, seed=2, name="Denne")
    matrix = worded_matrix(after)
    comparison = compare(matrix, worded_matrix(before), after)
    messages = publication_messages(
        matrix, comparison, published=datetime(2018, 6, 20, tzinfo=UTC), links=[]
    )
    grid = messages[1:]
    assert len(grid) > 1
    lines = [
        block["text"]
        for message in grid
        for block in walk(fits(message), "TextBlock")
        if block["text"].count("⚪")
        + block["text"].count("🟢")
        + block["text"].count("🟡")
        + block["text"].count("🔴")
        == 100
    ]
    assert len(lines) == 300, "every milestone once, none lost between cards"
    fits(messages[0])
