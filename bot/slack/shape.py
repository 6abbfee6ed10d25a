"""A request to /slack/events, checked before bolt reads a byte of it.

bolt parses a body, and reads its ids into its context, before its own middleware checks
the signature; a body Slack never sends (JSON nested past the interpreter's recursion
limit, a `user` that is a list, an `actions` that is empty, a number past 64 bits in a
button) raises there, and the request ends in a 500 whoever sent it. So the route
(bot/server.py) checks, in this order, and answers the first failure without going on:

1. `headers_ok`: the timestamp is at most 12 ASCII digits within five minutes of now and
   the signature is `v0=` and 64 hex digits (else 401) — nothing else is read before;
2. the size of the raw body, read without inflating it (else 413);
3. `signed`: the HMAC of Slack's signing secret over those raw bytes (else 401);
4. `parse`: UTF-8, parsed as bolt would parse it (else 400);
5. `problem`: no deeper than `MAX_DEPTH`, and every field bolt or our listeners read has the
   type and size Slack sends (else 400). Numbers in our own wire values (a button's value,
   a modal's metadata) must fit a signed 64-bit integer, as the database's ids do.

Socket Mode envelopes (bot/slack/app.py) get step 5: their signature is the connection.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.request.internals import parse_body

MAX_BODY = 1024 * 1024
"""Bytes: far above Slack's largest payload (a 100-block modal with its state)."""
MAX_DEPTH = 64
"""Nesting: Slack's payloads (rich text in a message in a block action) stay under 20."""
STALE_SECONDS = 300
INT64 = 2**63
USER_ID = re.compile(r"[UWB][A-Z0-9]{1,40}")
SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,40}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
INTERACTIONS = {
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
}
REFUSED_FIELDS = ("function_execution_id", "function_data", "bot_access_token")
"""Slack functions: bolt would take the payload's own token to answer with; we have none."""


def headers_ok(timestamp: str, signature: str, now: float) -> bool:
    """The signature headers in the shape Slack sends, and not stale."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(now - int(timestamp)) <= STALE_SECONDS and bool(SIGNATURE.fullmatch(signature))


def signed(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Slack's v0 signature over the raw bytes (headers_ok first)."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def parse(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The body as bolt will see it, or None if bolt could not parse it safely."""
    try:
        text = body.decode("utf-8")
        parsed = parse_body(text, content_type)
    except (UnicodeDecodeError, ValueError, RecursionError):  # JSON nested beyond recursion
        return None
    return parsed if isinstance(parsed, dict) else None


def _depth(value: object) -> int:
    """How deeply lists and objects nest (iteratively: the input may be deep). Only
    containers are stacked: a click's payload holds thousands of strings and few objects."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 0
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return deepest


class Shape(Exception):
    """What is wrong with a payload (for the log; the sender gets a bare 400)."""


def problem(payload: Mapping[str, Any]) -> str | None:
    """None for a payload of the shape Slack sends, else what is wrong with it."""
    if _depth(payload) > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH}"
    try:
        _check(payload)
    except Shape as wrong:
        return str(wrong)
    return None


def _check(payload: Mapping[str, Any]) -> None:
    for name in REFUSED_FIELDS:
        _expect(name not in payload, f"{name} is not ours")
    kind = _text(payload, "type")
    for name in ("team", "enterprise"):
        _ref(payload, name, SLACK_ID)
    for name in ("team_id", "enterprise_id", "channel_id", "thread_ts", "trigger_id"):
        _text(payload, name)
    for name in ("response_url", "token", "api_app_id", "event_id"):
        _text(payload, name, limit=2000)
    _ref(payload, "user", USER_ID)
    _ref(payload, "channel", SLACK_ID)
    _authorizations(payload.get("authorizations"))
    _response_urls(payload.get("response_urls"))
    _inner(payload)
    view = _object(payload, "view")
    if view is not None:
        _view(view)
    if kind in ("view_submission", "view_closed"):
        _expect(view is not None and isinstance(view.get("callback_id"), str), "view")
    if "command" in payload:  # a slash command's form: every value is text already
        _expect(bool(USER_ID.fullmatch(str(payload.get("user_id", "")))), "user_id")
    if kind == "event_callback":
        _event(payload)
    if kind in INTERACTIONS:
        user = payload.get("user")
        _expect(isinstance(user, dict) and "id" in user, "an interaction names its user")
    if kind == "block_actions":
        _actions(payload.get("actions"))
    if kind == "url_verification":
        _expect(isinstance(payload.get("challenge"), str), "challenge")


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise Shape(what)


def _text(data: Mapping[str, Any], name: str, *, limit: int = 255) -> str | None:
    value = data.get(name)
    _expect(value is None or (isinstance(value, str) and len(value) <= limit), name)
    return value


def _object(data: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = data.get(name)
    _expect(value is None or isinstance(value, dict), name)
    return value


def _ref(data: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> None:
    """An id, or an object with one ({"id": …}); absent or null is fine."""
    value = data.get(name)
    if value is None:
        return
    if isinstance(value, dict):
        _expect(isinstance(value.get("id"), str) or "id" not in value, f"{name}.id")
        value = value.get("id")
        if value is None:
            return
        for field in ("team_id", "enterprise_id", "domain", "name", "username"):
            _text(data[name], field)
    _expect(isinstance(value, str) and bool(pattern.fullmatch(value)), name)


def _text_or_ref(data: Mapping[str, Any], name: str) -> None:
    value = data.get(name)
    if isinstance(value, dict):
        _expect(isinstance(value.get("id"), str), f"{name}.id")
    else:
        _expect(value is None or (isinstance(value, str) and len(value) <= 255), name)


def _inner(data: Mapping[str, Any]) -> None:
    """The objects bolt looks into for a user, channel or thread: ids as text or {"id"}."""
    for name in ("message", "previous_message", "container", "item", "assistant_thread"):
        inner = _object(data, name)
        if inner is not None:
            for field in ("user", "channel", "channel_id", "thread_ts", "ts", "message_ts"):
                _text_or_ref(inner, field)


def _authorizations(value: object) -> None:
    if value is None:
        return
    _expect(isinstance(value, list) and 0 < len(value) <= 10, "authorizations")
    assert isinstance(value, list)
    for entry in value:
        _expect(isinstance(entry, dict), "authorizations[]")
        for name in ("team_id", "enterprise_id", "user_id"):
            _text(entry, name)
        flag = entry.get("is_enterprise_install")
        _expect(flag is None or isinstance(flag, bool), "is_enterprise_install")


def _response_urls(value: object) -> None:
    if value is None:
        return
    _expect(isinstance(value, list) and len(value) <= 10, "response_urls")
    assert isinstance(value, list)
    for entry in value:
        _expect(isinstance(entry, dict), "response_urls[]")
        _text(entry, "response_url", limit=2000)


def _event(payload: Mapping[str, Any]) -> None:
    event = payload.get("event")
    _expect(isinstance(event, dict), "event")
    assert isinstance(event, dict)
    _expect(isinstance(event.get("type"), str), "event.type")
    _ref(event, "user", USER_ID)
    for name in ("team", "user_team", "channel_type", "subtype", "bot_id", "tab", "ts"):
        _text(event, name)
    _text_or_ref(event, "channel")
    _text(event, "text", limit=40_000)
    _text(event, "thread_ts")
    _inner(event)
    if event["type"] == "app_home_opened" or (
        event["type"] == "message" and not event.get("subtype") and not event.get("bot_id")
    ):  # what our listeners read: the person, and the DM to answer in
        _expect(isinstance(event.get("user"), str), "event.user")
        _expect(event["type"] != "message" or isinstance(event.get("channel"), str), "channel")


def _actions(value: object) -> None:
    _expect(isinstance(value, list) and 0 < len(value) <= 5, "actions")
    assert isinstance(value, list)
    for action in value:
        _expect(isinstance(action, dict), "actions[]")
        _expect(isinstance(action.get("action_id"), str), "action_id")
        for name in ("action_id", "block_id", "type", "action_ts"):
            _text(action, name)
        _expect(_fits(_text(action, "value", limit=2000)), "value")
        selected = _object(action, "selected_option")
        if selected is not None:
            _expect(_fits(_text(selected, "value", limit=2000)), "selected_option.value")


def _view(view: Mapping[str, Any]) -> None:
    for name in ("id", "callback_id", "team_id", "app_installed_team_id", "hash", "type"):
        _text(view, name)
    metadata = _text(view, "private_metadata", limit=3000)
    _expect(_metadata_fits(metadata), "private_metadata")
    blocks = view.get("blocks")
    _expect(blocks is None or (isinstance(blocks, list) and len(blocks) <= 100), "view.blocks")
    _expect(all(isinstance(block, dict) for block in blocks or []), "view.blocks[]")
    state = _object(view, "state")
    values = _object(state, "values") if state is not None else None
    for block in (values or {}).values():
        _expect(isinstance(block, dict), "state.values")
        for element in block.values():
            _expect(isinstance(element, dict), "state.values[][]")


def _fits(value: str | None) -> bool:
    """Every |-separated field of one of our values that reads as an integer fits 64 bits."""
    return value is None or all(_int_fits(part) for part in value.split("|"))


def _int_fits(text: str) -> bool:
    """Text that int() reads as a number gives one within 64 bits; other text is no number."""
    digits = text.strip().lstrip("+-").replace("_", "")
    if not digits.isdigit():
        return True
    if len(digits) > 19:
        return False
    try:
        number = int(text)
    except ValueError:  # digits int() does not read (superscripts): no number of ours
        return True
    return -INT64 <= number < INT64


def _metadata_fits(metadata: str | None) -> bool:
    """Our modals' metadata is a JSON object; its numbers (and numeric text) fit 64 bits."""
    if metadata is None:
        return True
    try:
        data = json.loads(metadata)
    except (ValueError, RecursionError):
        return _fits(metadata)
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, bool) or node is None:
            continue
        if isinstance(node, float):
            return False  # we never write one; 1e400 would reach the database as infinity
        if isinstance(node, int) and not -INT64 <= node < INT64:
            return False
        if isinstance(node, str) and not _int_fits(node):
            return False
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True
