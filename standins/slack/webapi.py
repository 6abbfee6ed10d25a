"""The Web API's contract: one call in, one Slack-shaped JSON body (or error) out.

Handlers raise :class:`ApiError` with Slack's error string; the server turns it into HTTP
200 ``{"ok": false, "error": ...}``. The method table carries each method's rate-limit
tier and the OAuth scopes Slack requires for a bot token (docs.slack.dev method pages).
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .blockkit import parse_json_param, validate_message_blocks
from .models import JSON, Channel
from .state import SlackState
from .workspace import Workspace


class ApiError(Exception):
    """A Slack error answer: ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> JSON:
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> ApiError:
    return ApiError("invalid_arguments", response_metadata={"messages": list(messages)})


@dataclass
class Call:
    """One Web API call being answered: its parsed arguments and the stand-in's state."""

    method: str
    params: JSON
    state: SlackState
    token_kind: Literal["bot", "app"] = "bot"

    @property
    def ws(self) -> Workspace:
        return self.state.workspace

    def has(self, name: str) -> bool:
        value = self.params.get(name)
        return value is not None and value != ""

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                raise invalid_arguments(f"[ERROR] missing required field: {name}")
            return None
        return str(value)

    def flag(self, name: str) -> bool:
        value = self.params.get(name)
        return value is True or str(value).lower() in ("1", "true")

    def number(self, name: str, default: int) -> int:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid_arguments(f"[ERROR] must be an integer [json-pointer:/{name}]") from None

    def json(self, name: str, *, error: str) -> Any:
        if name not in self.params or self.params[name] in (None, ""):
            return None
        try:
            return parse_json_param(self.params[name])
        except json.JSONDecodeError:
            raise ApiError(error) from None


# -- shared helpers for handlers --------------------------------------------------------
def resolve_channel(call: Call, value: str | None, *, allow_user: bool = True) -> Channel:
    """A channel id, a ``#name``, or (for posting) a user id meaning the app's DM with them."""
    ws = call.ws
    if not value:
        raise ApiError("channel_not_found")
    if allow_user and value[:1] in ("U", "W") and value in ws.users:
        dm = ws.dm_with(value)
        assert dm is not None
        return dm
    channel = ws.channels.get(value)
    if channel is None:
        name = value.lstrip("#")
        channel = next((c for c in ws.channels.values() if c.name == name and c.kind != "im"), None)
    if channel is None or (channel.kind == "private" and not ws.bot_can_read(channel)):
        raise ApiError("channel_not_found")
    return channel


def read_blocks(call: Call) -> list[JSON] | None:
    blocks = call.json("blocks", error="invalid_blocks_format")
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    problems = validate_message_blocks(blocks)
    if problems:
        raise ApiError(
            "invalid_blocks",
            errors=[p.removeprefix("[ERROR] ") for p in problems],
            response_metadata={"messages": problems},
        )
    return stamp_ids(blocks) or None


def stamp_ids(blocks: list[JSON]) -> list[JSON]:
    """Store blocks as Slack does: generated block/action ids, ``emoji`` on plain_text."""
    stamped = copy.deepcopy(blocks)
    _mark_emoji(stamped)
    for block in stamped:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", secrets.token_urlsafe(4)[:5])
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and element.get("type") not in ("image", None):
                element.setdefault("action_id", secrets.token_urlsafe(4)[:4])
    return stamped


def _mark_emoji(value: object) -> None:
    if isinstance(value, dict):
        if value.get("type") == "plain_text" and "text" in value:
            value.setdefault("emoji", True)
        for item in value.values():
            _mark_emoji(item)
    elif isinstance(value, list):
        for item in value:
            _mark_emoji(item)


def read_metadata(call: Call) -> JSON | None:
    metadata = call.json("metadata", error="invalid_metadata_format")
    if metadata is None or metadata == {}:
        return metadata  # type: ignore[no-any-return]
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


MESSAGE_TEXT_LIMIT = 40_000


def read_text(call: Call, *, blocks: list[JSON] | None, required: bool = True) -> str | None:
    text = call.text("text")
    if text is None and blocks is None and required and not call.has("attachments"):
        raise ApiError("no_text")
    if text is not None and len(text) > MESSAGE_TEXT_LIMIT:
        raise ApiError("msg_too_long")
    return text


Handler = Callable[[Call], JSON]
Scopes = Callable[[Call], tuple[str, ...]]


@dataclass(frozen=True)
class MethodSpec:
    handler: Handler
    tier: int
    scopes: Scopes
    token: Literal["bot", "app"] = "bot"


def scopes(*names: str) -> Scopes:
    return lambda call: names


def history_scope(call: Call) -> tuple[str, ...]:
    """conversations.history/replies need the history scope of the conversation's type."""
    channel = call.ws.channels.get(str(call.params.get("channel")))
    kind = channel.kind if channel else "public"
    return ({"public": "channels", "private": "groups", "im": "im"}[kind] + ":history",)
