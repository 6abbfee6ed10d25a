"""Writing to Teams outside a turn: send, reply in a thread, update, open a personal chat.

Every call goes through the Agents SDK: `CloudAdapter.continue_conversation` (or
`create_conversation`) builds a turn with the SDK's Teams connector client and our token,
and the connector's own operations do the HTTP. Teams' answers become the job queue's
errors: wait (429, with Retry-After), retry (412, 5xx, a dropped connection), give up on
the person (403/404: the app is not installed for them, or the chat is gone), or report
(413: a message too big, or any other refusal).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ChannelId,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.teams.tokens import TokenError
from render.teams.views import TeamsMessage
from service.messenger import (
    DeliveryError,
    PermanentFailure,
    RateLimited,
    TransientFailure,
    Unreachable,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
CHANNEL_ID = "msteams"
TRANSIENT = {408, 412, 500, 502, 503, 504}
GONE = {403, 404}


@dataclass(frozen=True)
class Where:
    """A Teams conversation the bot can write to, as plain data (kept on Account.reference)."""

    service_url: str
    conversation_id: str
    tenant_id: str = ""
    kind: str = "personal"  # personal | channel | groupChat

    def as_json(self) -> dict[str, object]:
        return {
            "service_url": self.service_url,
            "conversation_id": self.conversation_id,
            "tenant_id": self.tenant_id,
            "kind": self.kind,
        }

    @staticmethod
    def of(data: object) -> Where | None:
        if not isinstance(data, dict) or not data.get("conversation_id"):
            return None
        return Where(
            service_url=str(data.get("service_url") or ""),
            conversation_id=str(data["conversation_id"]),
            tenant_id=str(data.get("tenant_id") or ""),
            kind=str(data.get("kind") or "personal"),
        )


def delivery_error(error: BaseException) -> DeliveryError:
    """Teams' refusal (or the network's) as what the job queue should do about it."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, aiohttp.ClientResponseError):
        status = error.status
        if status == 429:
            headers = error.headers
            retry_after = headers.get("Retry-After") if isinstance(headers, Mapping) else None
            try:
                return RateLimited(max(0.0, float(retry_after or 1)))
            except ValueError:
                return RateLimited(1.0)
        if status in TRANSIENT:
            return TransientFailure(str(status))
        if status in GONE:
            return Unreachable(f"{status} {error.message}"[:200], platform="teams")
        return PermanentFailure(f"{status} {error.message}"[:200], platform="teams")
    if isinstance(error, TokenError):
        if error.status in (400, 401, 403):
            return PermanentFailure(str(error))
        return TransientFailure(str(error))
    if isinstance(error, ValueError):  # the SDK's word for a refused token or a bad id
        return PermanentFailure(f"{type(error).__name__}: {error}"[:200])
    return TransientFailure(type(error).__name__)


ERRORS = (aiohttp.ClientError, TimeoutError, TokenError, ValueError)


class Outbound:
    """The adapter's proactive side, for one bot identity."""

    def __init__(self, adapter: Any, app_id: str) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.bot = ChannelAccount(id=f"28:{app_id}")

    def _reference(self, where: Where) -> ConversationReference:
        return ConversationReference(
            conversation=ConversationAccount(
                id=where.conversation_id,
                tenant_id=where.tenant_id or None,
                conversation_type=where.kind,
            ),
            agent=self.bot,
            channel_id=CHANNEL_ID,
            service_url=where.service_url,
        )

    def _activity(self, where: Where, message: TeamsMessage) -> Activity:
        activity = Activity.model_validate(message.activity())
        activity.from_property = self.bot
        activity.conversation = ConversationAccount(
            id=where.conversation_id, tenant_id=where.tenant_id or None
        )
        activity.channel_id = ChannelId(CHANNEL_ID)
        activity.service_url = where.service_url
        return activity

    async def _with_connector(
        self, where: Where, work: Callable[[ConnectorClientBase], Awaitable[T]]
    ) -> T:
        results: list[T] = []

        async def turn(context: TurnContext) -> None:
            client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if client is None:
                raise RuntimeError("the SDK gave the turn no connector client")
            results.append(await work(client))

        continuation = self._reference(where).get_continuation_activity()
        continuation.id = None  # not a reply: the SDK would thread under this id
        try:
            await self.adapter.continue_conversation(self.app_id, continuation, turn)
        except ERRORS as error:
            raise delivery_error(error) from error
        return results[0]

    async def send(
        self, where: Where, message: TeamsMessage, *, reply_to: str | None = None
    ) -> str:
        """Post a message (in a channel thread with `reply_to`); the new activity's id."""
        activity = self._activity(where, message)

        async def work(client: ConnectorClientBase) -> str:
            if reply_to:
                activity.reply_to_id = reply_to
                sent = await client.conversations.reply_to_activity(
                    where.conversation_id, reply_to, activity
                )
            else:
                sent = await client.conversations.send_to_conversation(
                    where.conversation_id, activity
                )
            if not sent.id:
                raise PermanentFailure("no_activity_id")
            return str(sent.id)

        return await self._with_connector(where, work)

    async def update(self, where: Where, activity_id: str, message: TeamsMessage) -> None:
        """Replace a message the bot sent (the live checklist card) in place."""
        activity = self._activity(where, message)
        activity.id = activity_id

        async def work(client: ConnectorClientBase) -> None:
            await client.conversations.update_activity(where.conversation_id, activity_id, activity)

        await self._with_connector(where, work)

    async def member(self, where: Where, user_id: str) -> dict[str, Any]:
        """A member of a conversation as Teams describes them (email, UPN, object id)."""

        async def work(client: ConnectorClientBase) -> dict[str, Any]:
            if not isinstance(client, TeamsConnectorClient):
                raise PermanentFailure("not_a_teams_connector")
            member = await client.get_conversation_member(where.conversation_id, user_id)
            data: dict[str, Any] = member.model_dump(by_alias=True, exclude_none=True)
            return data

        return await self._with_connector(where, work)

    async def open_personal_chat(self, service_url: str, tenant_id: str, user_id: str) -> Where:
        """The 1:1 chat between the bot and a user (Teams returns the existing one).

        Teams refuses with 403 when the app is not installed for the user: `Unreachable`.
        """
        parameters = ConversationParameters(
            is_group=False,
            agent=self.bot,
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant_id or None,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        created: list[str] = []

        async def turn(context: TurnContext) -> None:
            created.append(str(context.activity.conversation.id))

        try:
            await self.adapter.create_conversation(
                self.app_id,
                CHANNEL_ID,
                service_url,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
                parameters,
                turn,
            )
        except ERRORS as error:
            raise delivery_error(error) from error
        return Where(service_url, created[0], tenant_id, "personal")
