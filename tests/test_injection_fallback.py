"""A Slack message's `text` beside its blocks: what notifications and clients without blocks
show, read by Slack as mrkdwn — so user text in it must be escaped like in the blocks.

The checklist message, the reminder and note DMs and the command replies build their
`text` with `t` (the Slack catalogue, which escapes its data), as the blocks do; with `tp`
(plain text) a round or unit name holding a mention or a link reached that text live.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from conversations.state import Phase, State
from conversations.views import build
from render.i18n import card_escape, mrkdwn_escape
from render.slack import views as slack_views
from render.slack.views import render_command_reply, render_notice, render_view
from render.teams import views as teams_views
from service.commands import ChecklistLine, CommandReply
from tests.test_injection_e2e import texts
from tests.test_slack_views import kol_context

NAME = "13. møde <!channel> <https://evil|klik>"
LIVE = ("<!channel>", "<https://evil|klik>")


def live_in(text: str) -> list[str]:
    return [token for token in LIVE if token in text]


def mrkdwn(blocks: Any) -> str:
    """The blocks' mrkdwn texts (plain_text is shown as it is, so it may hold anything)."""
    return "\n".join(value for kind, value in texts(blocks) if kind == "mrkdwn")


@pytest.mark.parametrize("phase", [Phase.INTRO, Phase.ASKING, Phase.REVIEW])
def test_the_checklist_messages_text_holds_no_live_mention(phase: Phase) -> None:
    ctx = replace(kol_context(), round_name=NAME)
    message = render_view(build(State(phase=phase, code=ctx.items[0].code, version=3), ctx))
    assert live_in(mrkdwn(message.blocks)) == []  # the blocks are right …
    assert live_in(message.text) == []  # … and so must the text be


def test_a_reminders_text_holds_no_live_mention() -> None:
    from datetime import UTC, datetime

    message = render_notice(
        "round.reminder",
        {
            "round": NAME,
            "checklist": "Syd",
            "deadline": datetime(2018, 6, 15, 10, tzinfo=UTC),
            "timezone": "Europe/Copenhagen",
            "answered": 1,
            "total": 3,
            "late": False,
        },
        language="da",
        resume="start||12|unit:syd||",
        snooze="12|unit:syd",
    )
    assert live_in(mrkdwn(message.blocks)) == []
    assert live_in(message.text) == []


def test_a_command_replys_text_holds_no_live_mention() -> None:
    line = ChecklistLine(NAME, "Syd", 1, 3, False, "start||12|unit:syd||")
    reply = render_command_reply(CommandReply("command.me_title", checklists=[line]))
    assert live_in(mrkdwn(reply.blocks)) == []
    reply = render_command_reply(CommandReply("round.cli.reopened", {"name": NAME}))
    assert live_in(reply.text) == []


def test_slack_and_teams_keep_their_own_escaping_whichever_is_built_first() -> None:
    """Both renderers' template environments come from one factory; neither may change the
    other's filters (a shared filter table once let Teams' escaping into Slack's DMs)."""
    hostile = "<@U123> *fed*"
    teams_first = teams_views._environment().filters["md"](hostile)
    slack_after = slack_views._environment().filters["md"](hostile)
    assert slack_after == mrkdwn_escape(hostile) and "<@" not in slack_after
    assert teams_first == card_escape(hostile)
    assert teams_views._environment().filters["md"](hostile) == card_escape(hostile)
