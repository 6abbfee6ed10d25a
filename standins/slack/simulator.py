"""People using Slack: typing a command, clicking a button, submitting a modal, opening Home.

Each helper builds exactly the payload Slack would, sends it through :class:`Sender` on
either transport, and then does what Slack does with the app's answer: a command's ack text
becomes an ephemeral (or channel) message, a modal's ``response_action`` updates, pushes,
clears or errors the modal, an empty ack closes it. Like the Slack client, ``submit``
refuses to send a form with an empty required input or a too short/long text
(:class:`SubmissionBlocked`).
"""

from __future__ import annotations

import copy
from typing import Any

from . import payloads
from .blockkit import validate_view
from .models import JSON, Channel, Ephemeral, Message, User, View
from .sender import Delivery, Sender, Transport
from .signing import Tamper
from .state import SlackState
from .webapi import stamp_ids
from .webapi_views import STACK_LIMIT, new_view, replace_view

Values = dict[str, Any] | dict[tuple[str, str], Any]


class SubmissionBlocked(Exception):
    """The Slack client would not send this form; the message says which fields."""


def find_element(
    blocks: list[JSON], action_id: str, block_id: str | None = None
) -> tuple[JSON, JSON]:
    """The (block, element) carrying ``action_id`` (in accessory, actions or input)."""
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block, element
    raise LookupError(f"no element with action_id {action_id!r}")


def _options(element: JSON) -> list[JSON]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _pick(element: JSON, value: str) -> JSON:
    for option in _options(element):
        if option.get("value") == value:
            return {k: option[k] for k in ("text", "value") if k in option}
    raise LookupError(f"{element.get('action_id')!r} has no option with value {value!r}")


def selection(element: JSON, value: Any) -> JSON:
    """The part of an action or state value that says what the person chose."""
    kind = str(element.get("type"))
    if kind in ("static_select", "radio_buttons", "overflow", "external_select"):
        return {"selected_option": _pick(element, value) if value is not None else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"selected_options": [_pick(element, v) for v in value or []]}
    named = {
        "users_select": "selected_user",
        "multi_users_select": "selected_users",
        "conversations_select": "selected_conversation",
        "multi_conversations_select": "selected_conversations",
        "channels_select": "selected_channel",
        "multi_channels_select": "selected_channels",
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "datetimepicker": "selected_date_time",
    }
    if kind in named:
        many = named[kind].endswith("s") and kind.startswith("multi_")
        return {named[kind]: (list(value or []) if many else value)}
    return {"value": value}


class UserSimulator:
    def __init__(self, state: SlackState, sender: Sender) -> None:
        self.state = state
        self.sender = sender

    @property
    def ident(self) -> Any:
        return self.state.identity

    def user(self, who: User | str) -> User:
        if isinstance(who, User):
            return who
        ws = self.state.workspace
        return ws.users[who] if who in ws.users else ws.user_by_name(who)

    # -- slash commands ------------------------------------------------------------------------
    async def command(
        self,
        who: User | str,
        command: str,
        text: str = "",
        *,
        channel: Channel | str | None = None,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        user = self.user(who)
        where = self._channel(channel, user)
        trigger = self.state.issue_trigger(user.id)
        response_url = self.state.issue_response_url(user.id, where.id, None)
        payload = payloads.slash_command(
            self.ident, user, where, command, text, response_url=response_url, trigger_id=trigger
        )
        delivery = await self.sender.send("command", payload, transport=transport, tamper=tamper)
        delivery.trigger_id, delivery.response_url = trigger, response_url
        self._command_answer(delivery, user, where)
        return delivery

    def _channel(self, channel: Channel | str | None, user: User) -> Channel:
        ws = self.state.workspace
        if channel is None:
            dm = ws.dm_with(user.id)
            assert dm is not None
            return dm
        return channel if isinstance(channel, Channel) else ws.channels[channel]

    def _command_answer(self, delivery: Delivery, user: User, channel: Channel) -> None:
        answer = delivery.ack_payload
        if not delivery.acked or not answer:
            return
        text, blocks = answer.get("text"), answer.get("blocks")
        if text is None and blocks is None:
            return
        if answer.get("response_type") == "in_channel":
            self.state.post_as_bot(channel.id, text=str(text or ""), blocks=blocks)
            return
        ts = self.state.workspace.ids.ts(self.state.wall_clock())
        self.state.workspace.ephemerals.append(
            Ephemeral(channel.id, user.id, ts, str(text or ""), blocks, None, "command_ack")
        )
        self.state.changed()

    # -- clicks --------------------------------------------------------------------------------
    async def click(
        self,
        who: User | str,
        target: Message | View | Ephemeral | str,
        action_id: str,
        value: Any = None,
        *,
        block_id: str | None = None,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        """Press a button or choose in a menu on a message, an ephemeral, a modal or Home."""
        user = self.user(who)
        ws = self.state.workspace
        if isinstance(target, str):
            target = ws.views[target]
        blocks = target.blocks or []
        block, element = find_element(blocks, action_id, block_id)
        action: JSON = {
            "type": element.get("type"),
            "action_id": action_id,
            "block_id": block.get("block_id"),
            "action_ts": ws.ids.ts(self.state.wall_clock()),
        }
        if element.get("type") == "button":
            action["text"] = copy.deepcopy(element.get("text"))
            if value is not None or "value" in element:
                action["value"] = value if value is not None else element["value"]
            if "style" in element:
                action["style"] = element["style"]
        else:
            action.update(selection(element, value))
        trigger = self.state.issue_trigger(user.id)
        response_url: str | None = None
        if isinstance(target, View):
            if block.get("type") == "input":
                target.state.setdefault(str(block.get("block_id")), {})[action_id] = {
                    "type": element.get("type"),
                    **selection(element, value),
                }
            payload = payloads.block_actions(
                self.ident, user, action, trigger_id=trigger, view=target
            )
        else:
            channel = ws.channels[target.channel]
            ts = target.ts
            message = target if isinstance(target, Message) else None
            response_url = self.state.issue_response_url(
                user.id, channel.id, ts if message else None
            )
            payload = payloads.block_actions(
                self.ident,
                user,
                action,
                trigger_id=trigger,
                message=message,
                channel=channel,
                response_url=response_url,
                ephemeral_ts=None if message else ts,
            )
        delivery = await self.sender.send(
            "interaction", payload, transport=transport, tamper=tamper
        )
        delivery.trigger_id, delivery.response_url = trigger, response_url
        return delivery

    # -- modals ----------------------------------------------------------------------------------
    async def submit(
        self,
        who: User | str,
        view: View | str,
        values: Values | None = None,
        *,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        user = self.user(who)
        target = view if isinstance(view, View) else self.state.workspace.views[view]
        if not target.open or target.type != "modal":
            raise ValueError(f"view {target.id} is not an open modal")
        target.state = self._form_state(target, values or {})
        trigger = self.state.issue_trigger(user.id)
        payload = payloads.view_submission(self.ident, user, target, trigger_id=trigger)
        delivery = await self.sender.send(
            "interaction", payload, transport=transport, tamper=tamper
        )
        delivery.trigger_id = trigger
        self._submission_answer(delivery, user, target)
        return delivery

    def _form_state(self, view: View, values: Values) -> dict[str, dict[str, JSON]]:
        given: dict[tuple[str, str], Any] = {}
        for key, value in values.items():
            if isinstance(key, tuple):
                given[key] = value
            else:
                block, _ = find_element(view.blocks, key)
                given[(str(block.get("block_id")), key)] = value
        state: dict[str, dict[str, JSON]] = {}
        blocked: list[str] = []
        for block in view.blocks:
            element = block.get("element")
            if block.get("type") != "input" or not isinstance(element, dict):
                continue
            block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
            previous = view.state.get(block_id, {}).get(action_id, {})
            raw = given.get((block_id, action_id), _previous_value(previous))
            if raw in (None, "", []) and not block.get("optional", False):
                blocked.append(f"{block_id}: required")
            if element.get("type") == "plain_text_input" and isinstance(raw, str):
                if len(raw) > int(element.get("max_length", 3000)):
                    blocked.append(f"{block_id}: longer than {element.get('max_length', 3000)}")
                if raw and len(raw) < int(element.get("min_length", 0)):
                    blocked.append(f"{block_id}: shorter than {element.get('min_length')}")
            entry: JSON = {"type": element.get("type"), **selection(element, raw)}
            state.setdefault(block_id, {})[action_id] = entry
        if blocked:
            raise SubmissionBlocked("; ".join(blocked))
        return state

    def _submission_answer(self, delivery: Delivery, user: User, view: View) -> None:
        if not delivery.acked:
            return
        answer = delivery.ack_payload or {}
        action = answer.get("response_action")
        ws = self.state.workspace
        if action == "errors":
            errors = answer.get("errors") or {}
            inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
            unknown = [k for k in errors if k not in inputs]
            if unknown:
                delivery.problems.append(f"errors name blocks that are not inputs: {unknown}")
            view.errors = dict(errors)
        elif action in ("update", "push"):
            definition = answer.get("view")
            problems = validate_view(definition, allowed_types=("modal",))
            if problems:
                delivery.problems.extend(problems)
                return
            assert isinstance(definition, dict)
            definition = {**definition, "blocks": stamp_ids(definition.get("blocks") or [])}
            stack = ws.modal_stacks.setdefault(user.id, [])
            if action == "update":
                replace_view(self.state, view, definition)
            elif len(stack) >= STACK_LIMIT:
                delivery.problems.append("push_limit_reached")
            else:
                pushed = new_view(
                    self.state, user.id, definition, root=stack[0], previous=stack[-1]
                )
                stack.append(pushed.id)
        elif action == "clear":
            ws.close_modal(view.id, clear=True)
        else:
            ws.close_modal(view.id)
        self.state.changed()

    async def close(
        self, who: User | str, view: View | str, *, transport: Transport | None = None
    ) -> Delivery | None:
        """Press the modal's close button; the app hears of it only with notify_on_close."""
        user = self.user(who)
        target = view if isinstance(view, View) else self.state.workspace.views[view]
        clear = bool(target.definition.get("clear_on_close"))
        self.state.workspace.close_modal(target.id, clear=clear)
        self.state.changed()
        if not target.definition.get("notify_on_close"):
            return None
        payload = payloads.view_closed(self.ident, user, target, is_cleared=clear)
        return await self.sender.send("interaction", payload, transport=transport)

    # -- events ----------------------------------------------------------------------------------
    async def open_home(
        self, who: User | str, *, tab: str = "home", transport: Transport | None = None
    ) -> Delivery:
        user = self.user(who)
        ws = self.state.workspace
        dm = ws.dm_with(user.id)
        assert dm is not None
        ts = ws.ids.ts(self.state.wall_clock())
        event = payloads.app_home_opened(user, dm, ws.home_of(user.id), ts=ts, tab=tab)
        return await self.send_event(event, transport=transport)

    async def say(
        self,
        who: User | str,
        text: str,
        *,
        channel: Channel | str | None = None,
        thread_ts: str | None = None,
        transport: Transport | None = None,
    ) -> Delivery:
        """A person writes a message (by default in the app's DM); the app gets the event."""
        user = self.user(who)
        where = self._channel(channel, user)
        ws = self.state.workspace
        message = Message(
            where.id, ws.ids.ts(self.state.wall_clock()), text, user.id, thread_ts=thread_ts
        )
        self.state.append(message)
        event = payloads.message_event(user, where, message, self.ident.team_id)
        return await self.send_event(event, transport=transport)

    async def send_event(
        self,
        event: JSON,
        *,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
        event_id: str | None = None,
    ) -> Delivery:
        ws = self.state.workspace
        payload = payloads.event_callback(
            self.ident, event, event_id=event_id or ws.ids.next("Ev"), now=self.state.wall_clock()
        )
        return await self.sender.send("event", payload, transport=transport, tamper=tamper)


def _previous_value(entry: JSON) -> Any:
    for key, value in entry.items():
        if key == "type":
            continue
        if key == "selected_option" and isinstance(value, dict):
            return value.get("value")
        if key == "selected_options" and isinstance(value, list):
            return [o.get("value") for o in value]
        return value
    return None
