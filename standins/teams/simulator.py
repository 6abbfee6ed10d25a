"""People in Teams: installing the app, writing to it, pressing a card's buttons with what
they typed, writing to it in a channel with an @mention. Each builds the activity Teams
would send (shapes as recorded from Teams: channelId msteams, conversation ids "a:…" for
personal chats and "19:…@thread.tacv2" for channels, tenant in channelData) and delivers it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .models import Conversation, Posted, User, walk
from .sender import Delivery, Tamper

if TYPE_CHECKING:
    from .stub import TeamsStub


class NoSuchAction(LookupError):
    pass


class Simulator:
    def __init__(self, stub: TeamsStub) -> None:
        self.stub = stub

    def _activity(
        self, kind: str, user: User, conversation: Conversation, **more: Any
    ) -> dict[str, Any]:
        stub = self.stub
        tenant = stub.identity.tenant_id
        body: dict[str, Any] = {
            "type": kind,
            "id": stub.ids.message(),
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": stub.service_url,
            "channelId": "msteams",
            "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.object_id},
            "conversation": {
                "id": conversation.id,
                "conversationType": conversation.kind,
                "tenantId": tenant,
                **({"isGroup": True} if conversation.kind == "channel" else {}),
            },
            "recipient": {"id": stub.identity.bot_id, "name": stub.identity.bot_name},
            "locale": user.locale,
            "channelData": {"tenant": {"id": tenant}},
        }
        if conversation.kind == "channel":
            body["channelData"].update(
                {
                    "teamsChannelId": conversation.id,
                    "teamsTeamId": conversation.team_id,
                    "channel": {"id": conversation.id},
                    "team": {"id": conversation.team_id},
                }
            )
        body.update(more)
        return body

    async def install(self, key: str, tamper: Tamper | None = None) -> list[Delivery]:
        """The app installed for a person (by hand or by an admin's policy): Teams opens the
        personal chat and tells the bot twice, as it does."""
        user = self.stub.users[key]
        conversation = self.stub.open_personal_chat(user)
        bot = {"id": self.stub.identity.bot_id}
        update = self._activity("conversationUpdate", user, conversation, membersAdded=[bot])
        installed = self._activity("installationUpdate", user, conversation, action="add")
        return [
            await self.stub.sender.deliver(update, tamper),
            await self.stub.sender.deliver(installed, tamper),
        ]

    def uninstall(self, key: str) -> None:
        conversation = self.stub.personal_chat(self.stub.users[key])
        if conversation is not None:
            conversation.bot_present = False

    async def say(self, key: str, text: str, tamper: Tamper | None = None) -> Delivery:
        user = self.stub.users[key]
        conversation = self.stub.personal_chat(user)
        if conversation is None or not conversation.bot_present:
            raise LookupError(f"{key} has not installed the app")
        message = self._activity("message", user, conversation, text=text, textFormat="plain")
        return await self.stub.sender.deliver(message, tamper)

    async def mention(self, key: str, channel: str, text: str) -> Delivery:
        """A message in a channel that @mentions the bot (the only kind a bot receives)."""
        user = self.stub.users[key]
        conversation = self.stub.channels[channel]
        name = self.stub.identity.bot_name
        mention = {
            "type": "mention",
            "text": f"<at>{name}</at>",
            "mentioned": {"id": self.stub.identity.bot_id, "name": name},
        }
        message = self._activity(
            "message",
            user,
            conversation,
            text=f"<at>{name}</at> {text}",
            textFormat="plain",
            entities=[mention],
        )
        message["conversation"]["id"] = f"{conversation.id};messageid={message['id']}"
        self.stub.roots.add(str(message["id"]))
        return await self.stub.sender.deliver(message)

    async def press(
        self,
        key: str,
        posted: Posted,
        match: Callable[[dict[str, Any]], bool],
        typed: dict[str, str] | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        """Press the first Action.Submit whose data `match`es, with the card's inputs —
        their values as shown, changed by what the person `typed` — merged into the data."""
        user = self.stub.users[key]
        card = posted.card
        if card is None:
            raise NoSuchAction("not a card")
        actions = [a for a in walk(card, "Action.Submit") if match(dict(a.get("data") or {}))]
        if not actions:
            raise NoSuchAction("no such button on the card")
        inputs = {
            str(element["id"]): str(element.get("value", ""))
            for kind in ("Input.Text", "Input.ChoiceSet", "Input.Toggle")
            for element in walk(card, kind)
            if "value" in element
        }
        for field, typed_value in (typed or {}).items():
            if not any(
                e.get("id") == field
                for k in ("Input.Text", "Input.ChoiceSet")
                for e in walk(card, k)
            ):
                raise NoSuchAction(f"no input {field!r} on the card")
            inputs[field] = typed_value
        value = {**inputs, **dict(actions[0].get("data") or {})}
        conversation = self.stub.conversations[posted.conversation_id]
        message = self._activity("message", user, conversation, value=value, replyToId=posted.id)
        return await self.stub.sender.deliver(message, tamper)
