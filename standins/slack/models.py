"""What the stand-in's workspace holds: people, conversations, messages, views, files.

Plain dataclasses so tests can assert on them directly; ``to_api`` gives Slack's JSON shape.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
ChannelKind = Literal["public", "private", "im"]


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str
    locale: str = "en-US"
    tz: str = "Europe/Copenhagen"
    tz_label: str = "Central European Time"
    tz_offset: int = 3600
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False

    def to_api(self, team_id: str, *, with_email: bool, with_locale: bool) -> JSON:
        profile: JSON = {
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
            "team": team_id,
            "image_48": f"https://avatars.example/{self.id}_48.png",
        }
        if with_email:
            profile["email"] = self.email
        body: JSON = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
        }
        if with_locale:
            body["locale"] = self.locale
        return body

    def to_ref(self, team_id: str) -> JSON:
        """The ``user`` object inside interaction payloads."""
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": team_id}


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    user: str
    blocks: list[JSON] | None = None
    bot_id: str | None = None
    app_id: str | None = None
    thread_ts: str | None = None
    metadata: JSON | None = None
    files: list[str] = field(default_factory=list)
    edited: bool = False
    replies: list[Message] = field(default_factory=list)
    reply_broadcast: bool = False
    deleted: bool = False
    history: list[JSON] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, team_id: str, *, include_metadata: bool = True) -> JSON:
        body: JSON = {"type": "message", "text": self.text, "user": self.user, "ts": self.ts}
        body["team"] = team_id
        if self.bot_id:
            body["bot_id"] = self.bot_id
            body["app_id"] = self.app_id
        if self.blocks is not None:
            body["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts is not None:
            body["thread_ts"] = self.thread_ts
        if self.replies:
            body["reply_count"] = len(self.replies)
            body["reply_users"] = sorted({r.user for r in self.replies})
            body["reply_users_count"] = len(body["reply_users"])
            body["latest_reply"] = self.replies[-1].ts
            body["thread_ts"] = self.ts
        if self.edited:
            body["edited"] = {"user": self.user, "ts": self.ts}
        if self.files:
            body["files"] = [{"id": f} for f in self.files]
            body["upload"] = False
        if include_metadata and self.metadata:
            body["metadata"] = copy.deepcopy(self.metadata)
        return body


@dataclass
class Channel:
    id: str
    name: str
    kind: ChannelKind
    members: set[str] = field(default_factory=set)
    im_user: str | None = None
    messages: list[Message] = field(default_factory=list)

    def find(self, ts: str) -> Message | None:
        for message in self.messages:
            if message.ts == ts:
                return message
            for reply in message.replies:
                if reply.ts == ts:
                    return reply
        return None

    def visible(self) -> list[Message]:
        return [m for m in self.messages if not m.deleted]


@dataclass
class Ephemeral:
    """A message only one person sees; it never appears in history."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[JSON] | None
    thread_ts: str | None
    source: str


@dataclass
class View:
    """A modal or Home tab as Slack stores it (``to_api`` is what views.* return)."""

    id: str
    user: str
    type: str
    definition: JSON
    hash: str
    team_id: str
    app_id: str
    bot_id: str
    root_view_id: str
    previous_view_id: str | None = None
    state: dict[str, dict[str, JSON]] = field(default_factory=dict)
    open: bool = True
    versions: list[JSON] = field(default_factory=list)
    errors: dict[str, str] | None = None

    @property
    def blocks(self) -> list[JSON]:
        blocks = self.definition.get("blocks", [])
        return blocks if isinstance(blocks, list) else []

    @property
    def callback_id(self) -> str:
        return str(self.definition.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.definition.get("private_metadata", ""))

    def to_api(self) -> JSON:
        d = copy.deepcopy(self.definition)
        body: JSON = {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "blocks": d.get("blocks", []),
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": d.get("callback_id", ""),
            "state": {"values": copy.deepcopy(self.state)},
            "hash": self.hash,
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": self.app_id,
            "external_id": d.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if self.type == "modal":
            body["title"] = d.get("title")
            body["close"] = d.get("close")
            body["submit"] = d.get("submit")
        else:
            body["title"] = {"type": "plain_text", "text": "View Title"}
            body["close"] = None
            body["submit"] = None
        return body


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    title: str = ""
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    completed: bool = False
    shares: list[tuple[str, str]] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None

    def to_api(self, team_id: str, user: str, created: int) -> JSON:
        return {
            "id": self.id,
            "created": created,
            "timestamp": created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": _mimetype(self.filename),
            "filetype": self.filename.rsplit(".", 1)[-1] if "." in self.filename else "binary",
            "user": user,
            "user_team": team_id,
            "size": len(self.data) if self.data is not None else self.length,
            "is_external": False,
            "is_public": any(c.startswith("C") for c, _ in self.shares),
            "url_private": f"https://files.slack.example/files-pri/{team_id}-{self.id}/{self.filename}",
            "shares": {},
        }


@dataclass
class ResponseUrlPost:
    """What an app POSTed to a ``response_url`` and what Slack made of it."""

    url: str
    body: JSON
    status: int
    at: float

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type", "ephemeral"))

    @property
    def replace_original(self) -> bool:
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        return _truthy(self.body.get("delete_original"))

    @property
    def text(self) -> str | None:
        text = self.body.get("text")
        return text if isinstance(text, str) else None

    @property
    def blocks(self) -> list[JSON] | None:
        blocks = self.body.get("blocks")
        return blocks if isinstance(blocks, list) else None


def _truthy(value: object) -> bool:
    return value is True or value in ("true", "1", 1)


def _mimetype(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {
        "pdf": "application/pdf",
        "csv": "text/csv",
        "json": "application/json",
        "txt": "text/plain",
        "png": "image/png",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(ext, "application/octet-stream")
