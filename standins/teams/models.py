"""The stand-in's Teams: people, the chats and channels the bot is in, what was posted."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class User:
    key: str
    name: str
    email: str
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    teams_id: str = field(default_factory=lambda: "29:1" + uuid.uuid4().hex)
    locale: str = "da-DK"
    upn: str = ""  # the user principal name; the e-mail address when not given

    def account(self, tenant_id: str) -> dict[str, Any]:
        """The member as the Connector describes them (TeamsChannelAccount)."""
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.teams_id,
            "name": self.name,
            "aadObjectId": self.object_id,
            "email": self.email,
            "userPrincipalName": self.upn or self.email,
            "givenName": given,
            "surname": surname,
            "tenantId": tenant_id,
            "userRole": "user",
        }


@dataclass
class Conversation:
    id: str
    kind: str  # personal | channel
    members: set[str]  # teams ids
    bot_present: bool = True
    team_id: str | None = None
    name: str | None = None


@dataclass
class Posted:
    """A message the bot posted (sent, replied, or proactively), with its updates."""

    id: str
    conversation_id: str
    activity: dict[str, Any]
    kind: str  # sent | reply | proactive
    thread: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self.updates[-1] if self.updates else self.activity

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.current.get("attachments") or []:
            if attachment.get("contentType") == CARD:
                content: dict[str, Any] = attachment.get("content") or {}
                return content
        return None

    @property
    def text(self) -> str:
        """Everything a person reads in it: the text, and every TextBlock of the card."""
        parts = [str(self.current.get("text") or "")]
        parts += list(texts(self.card or {}))
        return "\n".join(part for part in parts if part)


def texts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            found.append(str(node.get("text", "")))
        for value in node.values():
            found += texts(value)
    elif isinstance(node, list):
        for item in node:
            found += texts(item)
    return found


def walk(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every element (or action) of a card with this `type`, in document order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found += walk(value, kind)
    elif isinstance(node, list):
        for item in node:
            found += walk(item, kind)
    return found


class Ids:
    """Message ids as Teams makes them (epoch milliseconds), and conversation ids."""

    def __init__(self) -> None:
        self._messages = itertools.count(1_528_700_000_000)

    def message(self) -> str:
        return str(next(self._messages))

    @staticmethod
    def personal() -> str:
        return "a:1" + uuid.uuid4().hex + uuid.uuid4().hex

    @staticmethod
    def channel() -> str:
        return f"19:{uuid.uuid4().hex}@thread.tacv2"
