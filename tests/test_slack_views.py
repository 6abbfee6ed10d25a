"""Every checklist view as Block Kit passes Slack's limits: KOL's longest titles, a 32-milestone
review, a 120-milestone programme, modals at their limits — checked by the stand-in's validator."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from conversations.checklist import FORECAST_LIMIT, REMARK_LIMIT
from conversations.context import AnswerData, ChecklistContext, Item
from conversations.events import GiveForecast, Pause, Review, SetProgress, Start, Submit, decode
from conversations.questions import parse_questions
from conversations.state import Phase, State
from conversations.views import View, build, read_only_view
from conversations.vocabulary import Delay, Progress
from models.programme_file import read_programme_file
from render.slack.views import render_command_reply, render_modal, render_notice, render_view
from reporting.deadlines import forecast_range
from standins.slack.blockkit import validate_message_blocks, validate_view
from tests.dialog import Dialog
from tests.slack_app import KOL

NOW = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
HOSTILE = "<!channel> <@U0ALICE001> *fed* _kursiv_ <https://evil.example|klik her> & `kode`"


def kol_context(language: str = "da") -> ChecklistContext:
    spec = read_programme_file(KOL).spec
    items: list[Item] = []
    read_only: list[Item] = []
    for group in spec.groups:
        for m in group.milestones:
            item = Item(
                code=m.code,
                title=m.title,
                group_title=f"Milepæl {group.number}: {group.title}",
                definition=m.definition,
                baseline=m.deadlines.get("syddanmark", m.deadline or ""),
                reporter="Fælles Udbud af Telemedicin" if m.reporter else None,
                read_only=bool(m.reporter),
            )
            (read_only if m.reporter else items).append(item)
    syd = next(u for u in spec.units if u.key == "syddanmark")
    items += [Item(code=i.code, title=i.title, group_title="Syddanmark") for i in syd.local_items]
    full = AnswerData(
        progress=Progress.STARTED,
        delay=Delay.OVER_6,
        critical=True,
        forecast_text="x" * FORECAST_LIMIT,
        remark=HOSTILE + "æ" * (REMARK_LIMIT - len(HOSTILE)),
        answered_by="Projektleder, Syddanmark (pladsholder)",
        answered_at=NOW,
    )
    return ChecklistContext(
        round_id=12,
        round_name="12. møde i porteføljestyregruppen, 20. juni 2018",
        scope="unit:syddanmark",
        scope_title="Syddanmark",
        language=language,
        timezone="Europe/Copenhagen",
        deadline=NOW,
        items=tuple(items),
        answers={item.code: full for item in items},
        previous={item.code: full for item in items},
        previous_round="11. møde",
        read_only=tuple(read_only),
        read_only_answers={item.code: full for item in read_only},
        submitted_at=NOW,
        actor_name="Lene",
        now=NOW,
        read_forecast=forecast_range,
        questions=parse_questions([question.ask for question in spec.questions]),
    )


def views_of(ctx: ChecklistContext) -> list[View]:
    shown: list[View] = [build(State(), ctx)]
    for item in ctx.items:
        shown.append(build(State(phase=Phase.ASKING, code=item.code, version=7), ctx))
    for phase in (Phase.REVIEW, Phase.SUBMITTED, Phase.PAUSED):
        shown.append(build(State(phase=phase, code=ctx.items[3].code, version=9), ctx))
    shown.append(
        build(State(phase=Phase.CONFIRM_FORECAST, code="1.1", pending_forecast="y" * 200), ctx)
    )
    shown.append(build(State(phase=Phase.CONFIRM_BASELINE, code="1.1", version=7), ctx))
    shown.append(read_only_view(State(phase=Phase.REVIEW, version=9), ctx, ctx.read_only[0]))
    shown.append(build(State(), replace(ctx, accepting=False)))
    return shown


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_kol_view_at_its_fullest_passes_slacks_limits(language: str) -> None:
    ctx = kol_context(language)
    assert len(ctx.items) == 29
    kinds = set()
    for view in views_of(ctx):
        message = render_view(view)
        problems = validate_message_blocks(message.blocks)
        assert problems == [], (view.kind, problems)
        assert len(message.blocks) <= 50
        kinds.add(view.kind)
    assert kinds == {
        "intro",
        "milestone",
        "review",
        "submitted",
        "paused",
        "confirm_forecast",
        "confirm_baseline",
        "read_only",
        "closed",
    }


def test_the_review_of_a_big_programme_fits_and_can_edit_every_milestone() -> None:
    ctx = kol_context()
    many = tuple(
        Item(code=f"{g}.{m}", title="Et meget langt milepælsnavn " * 4, group_title=f"Gruppe {g}")
        for g in range(1, 13)
        for m in range(1, 11)
    )
    answer = next(iter(ctx.answers.values()))
    big = replace(ctx, items=many, answers={item.code: answer for item in many})
    message = render_view(build(State(phase=Phase.REVIEW, version=3), big))
    assert validate_message_blocks(message.blocks) == []
    options = [
        option["value"]
        for block in message.blocks
        if block.get("type") == "actions"
        for element in block["elements"]
        if element["type"] == "static_select"
        for option in element["options"]
    ]
    assert sorted(decode(value).event.code for value in options) == sorted(i.code for i in many)
    text = " ".join(b["text"]["text"] for b in message.blocks if b.get("type") == "section")
    assert all(f"*{item.code}*" in text for item in many)


def test_user_text_cannot_mention_link_or_format_in_a_view() -> None:
    ctx = kol_context()
    message = render_view(build(State(phase=Phase.ASKING, code="1.1", version=1), ctx))
    text = str(message.blocks)
    assert "<!channel>" not in text
    assert "<@U0ALICE001>" not in text
    assert "<https://evil.example|klik her>" not in text
    assert "&lt;!channel&gt;" in text
    assert "*fed*" not in text  # the asterisks are kept apart, so no bold forms


@pytest.mark.parametrize("field", ["forecast", "remark"])
def test_the_text_modal_at_its_limits_passes(field: str) -> None:
    limit = FORECAST_LIMIT if field == "forecast" else REMARK_LIMIT
    modal = render_modal(
        field,
        language="da",
        code="6.1 B",
        title="Tildeling af leverandør på telemedicinsk infrastruktur og afslutning af udbuddet "
        * 5,
        current="ø" * limit,
        limit=limit,
        metadata='{"r": 1, "s": "unit:syddanmark", "c": "6.1 B", "v": 99, "f": "remark", "u": "'
        + "https://hooks.slack.com/actions/T0/"
        + "1" * 120
        + '"}',
    )
    assert validate_view(modal, allowed_types=("modal",)) == []
    assert len(modal["title"]["text"]) <= 24


def test_notices_and_command_replies_pass() -> None:
    from service.commands import ChecklistLine, CommandReply

    notice = render_notice(
        "checklist.round_closed",
        {"round": HOSTILE},
        language="da",
        resume="start||12|unit:syddanmark||",
        snooze="12|unit:syddanmark",
    )
    assert validate_message_blocks(notice.blocks) == []
    lines = [
        ChecklistLine("12. møde", f"Enhed {n}", n, 32, n % 2 == 0, f"start||12|unit:u{n}||")
        for n in range(60)
    ]
    reply = render_command_reply(CommandReply("command.me_title", checklists=lines))
    assert validate_message_blocks(reply.blocks) == []


def test_a_dialogue_walk_renders_valid_blocks_at_every_step() -> None:
    ctx = kol_context()
    dialog = Dialog(replace(ctx, answers={}, submitted_at=None))
    events = [
        Start(version=0),
        SetProgress(progress=Progress.EXPECTED, code=ctx.items[0].code, version=1),
        GiveForecast(text="ikke til at sige", code=ctx.items[0].code),
        Pause(version=3),
        Start(version=4),
        Review(version=5),
        Submit(version=6),
    ]
    for event in events:
        dialog.send(event)
        assert validate_message_blocks(render_view(dialog.view).blocks) == [], event
