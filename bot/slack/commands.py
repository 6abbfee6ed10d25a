"""`/fremdrift`: parse strictly, carry out, answer privately in the caller's language.

The reply is the acknowledgement itself (an ephemeral response), so a command is
answered within Slack's 3 seconds: commands only write rows and queue jobs; sending DMs
happens in the job workers. Ephemeral is also what keeps `round link`'s signed link to the
admin who asked for it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from bot.web.links import COMMAND_DAYS, link_maker
from conversations.errors import UserError
from models.db import DATABASE_ERRORS
from render.i18n import Target, catalogue
from render.slack.views import render_command_reply, render_status
from service.commands import CommandReply, execute_line, round_link

log = logging.getLogger(__name__)

REFUSED: tuple[type[BaseException], ...] = (UserError, *DATABASE_ERRORS)
"""What a listener answers with words: a person's mistake, or a database that cannot take it."""


async def answer_command(
    text: str, user_id: str, team_id: str | None, deps: SlackDeps
) -> dict[str, Any]:
    """The ephemeral reply to a command line (also used for commands typed in a DM).

    A mistake is answered in the person's words; a database that cannot take the command
    (down, full, read-only) is answered with `slack.error`, not a failed request.
    """
    person = None
    try:
        person = await person_for(user_id, team_id)
        if person is None:
            raise UserError("slack.unknown_person")
        reply = await execute_line(
            unescape(text),
            person,
            deps.runner.clock,
            {"round.link": round_link(link_maker(deps.settings), COMMAND_DAYS)},
            fallback_language=deps.settings.language,
        )
    except REFUSED as failure:
        error = failure if isinstance(failure, UserError) else UserError("slack.error")
        log.info("command refused", extra={"user": user_id, "error": error.key})
        language = await deps.language_for(person)
        return {
            "response_type": "ephemeral",
            "text": catalogue(language, Target.SLACK).error(error),
        }
    return _as_message(reply)


def unescape(text: str) -> str:
    """The text as typed: Slack sends `&`, `<` and `>` in a command's (and a message's) text
    as `&amp;`, `&lt;` and `&gt;` ("Escaping text" in its docs); `&amp;` is undone last, so
    a typed `&lt;` (sent as `&amp;lt;`) stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _as_message(reply: CommandReply) -> dict[str, Any]:
    if reply.status is not None:
        message = render_status(reply.status, reply.language)
    else:
        message = render_command_reply(reply)
    return {"response_type": "ephemeral", "text": message.text, "blocks": message.blocks}


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command("/fremdrift")
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        reply = await answer_command(
            command.get("text") or "", command["user_id"], command.get("team_id"), deps
        )
        await ack(**reply)
