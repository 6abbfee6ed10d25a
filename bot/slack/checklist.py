"""The checklist in a DM: button clicks and typed text in, the dialogue's views out.

Translation only. A click's value is decoded into a neutral event, the runner commits the
step, and only then is Slack acknowledged; the message is redrawn after the ack. Free
text (forecast, remark, a programme's own questions) is typed in a modal opened with the
click's trigger id; its refusals (empty, too long) go back to the modal as field errors, so
the text stays typed.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from conversations.checklist import FORECAST_LIMIT, REMARK_LIMIT
from conversations.errors import UserError
from conversations.events import Event, GiveForecast, GiveRemark, GiveText, decode
from conversations.questions import TEXT_LIMITS, TYPED, Question
from conversations.views import MilestoneView
from models.db import DATABASE_ERRORS
from render.i18n import Target, catalogue
from render.slack.views import render_modal
from render.view_common import label_of

log = logging.getLogger(__name__)

REFUSED: tuple[type[BaseException], ...] = (UserError, *DATABASE_ERRORS)
"""What a listener answers with words: a person's mistake, or a database that cannot take it."""
FORM_REFUSED: tuple[type[BaseException], ...] = (*REFUSED, KeyError, ValueError, TypeError)

TEXT_FIELDS = {
    **{question.value: limit for question, limit in TEXT_LIMITS.items()},
    "forecast": FORECAST_LIMIT,
    "remark": REMARK_LIMIT,
}
"""Every question answered by typing (a programme's own too), and how much it takes."""
FIELD_ERRORS = {
    "checklist.empty_text",
    "checklist.forecast_too_long",
    "checklist.remark_too_long",
    "checklist.text_too_long",
}


def _container(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return channel, ts


def _context(round_id: object, scope: object, user_id: str) -> dict[str, object]:
    """A log line's round, unit (the checklist's scope) and Slack user; never the text."""
    return {"round": round_id, "scope": scope, "user": user_id}


def _action_value(action: dict[str, Any]) -> str:
    if action.get("selected_option"):
        return str(action["selected_option"].get("value", ""))
    return str(action.get("value", ""))


def register(app: AsyncApp, deps: SlackDeps) -> None:
    """Attach the checklist's listeners to the bolt app."""

    @app.action(re.compile(r"^fd:"))
    async def on_click(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        user_id = (body.get("user") or {}).get("id")
        if not user_id:  # Slack always names the user; a payload without one is not Slack's
            await ack()
            return
        channel, ts = _container(body)
        person = None
        try:
            person = await person_for(user_id, (body.get("team") or {}).get("id"))
            if person is None:
                raise UserError("slack.unknown_person")
            envelope = decode(_action_value(action))
            reply = await deps.runner.handle(
                person, envelope.round_id, envelope.scope, envelope.event
            )
        except REFUSED as failure:
            error = failure if isinstance(failure, UserError) else UserError("checklist.busy")
            log.info("checklist click refused", extra={"user": user_id, "error": error.key})
            await ack()
            deps.deliveries.spawn(
                deps.refuse(
                    error,
                    user_id=user_id,
                    channel=channel,
                    response_url=body.get("response_url"),
                    person=person,
                )
            )
            return
        log.info(
            "checklist click",
            extra={
                **_context(envelope.round_id, envelope.scope, user_id),
                "kind": type(envelope.event).__name__,
            },
        )
        await ack()
        container = body.get("container") or {}
        if container.get("type") == "view" or container.get("is_ephemeral"):
            deps.deliveries.spawn(deps.deliveries.fresh(reply, user_id=user_id))
        else:
            deps.deliveries.spawn(
                deps.deliveries.show(
                    reply,
                    user_id=user_id,
                    channel=channel,
                    ts=ts,
                    response_url=body.get("response_url"),
                )
            )

    @app.action(re.compile(r"^fdm:(" + "|".join(TEXT_FIELDS) + r")$"))
    async def on_open_text(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user_id = (body.get("user") or {}).get("id")
        if not user_id:
            return
        channel, _ = _container(body)
        field = action["action_id"].split(":", 1)[1]
        person = None
        try:
            person = await person_for(user_id, (body.get("team") or {}).get("id"))
            if person is None:
                raise UserError("slack.unknown_person")
            envelope = decode(_action_value(action))
            current = await deps.runner.current(person, envelope.round_id, envelope.scope)
        except REFUSED as failure:
            error = failure if isinstance(failure, UserError) else UserError("checklist.busy")
            await deps.refuse(error, user_id=user_id, channel=channel, person=person)
            return
        view = current.view
        if not isinstance(view, MilestoneView) or view.code != envelope.event.code:
            await deps.refuse(
                UserError("checklist.moved_on"), user_id=user_id, channel=channel, person=person
            )
            return
        draft = view.draft
        value = draft.text(field) if draft else ""
        own = field not in ("forecast", "remark") or field in view.labels
        label = label_of(view)(field) if own else None
        metadata = json.dumps(
            {
                "r": envelope.round_id,
                "s": envelope.scope,
                "c": view.code,
                "v": view.header.version,
                "f": field,
                "u": body.get("response_url"),
                "p": user_id,  # whom it is for: nobody else's submission acts on it
            },
            ensure_ascii=False,
        )
        modal = render_modal(
            field,
            language=view.header.language,
            code=view.code,
            title=view.title,
            current=value,
            limit=TEXT_FIELDS[field],
            metadata=metadata,
            label=label,
        )
        await deps.client.views_open(trigger_id=body["trigger_id"], view=modal)

    @app.view("fd_text")
    async def on_text(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = (body.get("user") or {}).get("id") or ""
        person = None
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            field = str(meta["f"])
            text = view["state"]["values"]["fd_text"]["fd_text"].get("value") or ""
            event: Event
            if field == "forecast":
                event = GiveForecast(text=text, code=str(meta["c"]), version=int(meta["v"]))
            elif field == "remark":
                event = GiveRemark(text=text, code=str(meta["c"]), version=int(meta["v"]))
            elif field in {question.value for question in TYPED}:
                event = GiveText(
                    field=Question(field).value,
                    text=text,
                    code=str(meta["c"]),
                    version=int(meta["v"]),
                )
            else:
                raise UserError("checklist.bad_action")
            person = await person_for(user_id, (body.get("team") or {}).get("id"))
            if person is None:
                raise UserError("slack.unknown_person")
            if meta.get("p", user_id) != user_id:  # opened for another (their response_url)
                raise UserError("checklist.not_allowed")
            reply = await deps.runner.handle(person, int(meta["r"]), str(meta["s"]), event)
        except FORM_REFUSED as failure:
            # A tampered or outdated form, a refusal, or a database that cannot take it:
            # said in the field, so what was typed stays typed.
            error = (
                failure
                if isinstance(failure, UserError)
                else UserError("checklist.busy")
                if isinstance(failure, DATABASE_ERRORS)
                else UserError("checklist.bad_action")
            )
            language = await deps.language_for(person)
            message = catalogue(language, Target.PLAIN).error(error)
            await ack(response_action="errors", errors={"fd_text": message})
            return
        log.info(
            "checklist text",
            extra={**_context(meta.get("r"), meta.get("s"), user_id), "kind": field},
        )
        field_errors = [tell for tell in reply.tells if tell.key in FIELD_ERRORS]
        if field_errors:
            # The text is still in the field, so the message need not repeat it.
            params = {**field_errors[0].params, "text": ""}
            message = catalogue(reply.language, Target.PLAIN).text(field_errors[0].key, **params)
            await ack(response_action="errors", errors={"fd_text": message})
            return
        await ack()
        # The click that opened the modal left a response_url; it can still replace the message.
        deps.deliveries.spawn(
            deps.deliveries.show(
                reply,
                user_id=user_id,
                response_url=meta.get("u") if meta.get("p") == user_id else None,  # theirs only
            )
        )
