"""The Messenger for Slack: invitations, reminders and notes as DMs, and the publication.

The rules are service/messenger_base.py's; this supplies Slack's primitives. A user id is
used as the channel of a DM: Slack posts into the app's DM with that person without a
`conversations.open` (Tier 3) per person, so a round's fan-out is bounded by
`chat.postMessage`'s own limit. The DM's channel id that comes back is kept on the
account, for looking back when a retried send may already have gone out.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.identity import slack_user_of
from bot.slack.posting import Poster
from bot.slack.publish import SteeringChannel, slack_messages
from bot.web.links import LinkMaker, history_link
from models.people import Account
from models.programme import Programme
from render.slack import views
from render.slack.views import SlackMessage
from service.messenger_base import BaseMessenger, Ref
from service.publication import Publications, RoundPublication


class SlackMessenger(BaseMessenger[SlackMessage]):
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        default_language: str = "da",
        publications: Publications | None = None,
        history: LinkMaker | None = None,
    ) -> None:
        super().__init__(views, default_language=default_language, publications=publications)
        self.poster = Poster(client)
        self.history = history  # the history page's link, posted with each publication

    async def account_of(self, person_id: int) -> Account | None:
        return await slack_user_of(person_id)

    async def find_dm(self, account: Account, key: str) -> Ref | None:
        channel = _dm_channel(account) or await self.poster.open_dm(account.user_id)
        found = await self.poster.find_sent(channel, key)
        return {"platform": "slack", "channel": channel, "ts": found} if found else None

    async def send_dm(self, account: Account, message: SlackMessage, *, key: str) -> Ref:
        sent = await self.poster.post(account.user_id, message, key=key)
        if sent.ref["channel"] != _dm_channel(account):
            reference = {**(account.reference or {}), "dm_channel": sent.ref["channel"]}
            await Account.filter(id=account.id).update(reference=reference)
        return sent.ref

    def steering_channel(self, programme: Programme) -> SteeringChannel | None:
        channel = programme.steering_channel
        return SteeringChannel(self.poster, channel) if channel else None

    def publication_messages(self, publication: RoundPublication) -> Sequence[SlackMessage]:
        return slack_messages(publication, history_link(self.history, publication))


def _dm_channel(account: Account) -> str | None:
    channel = (account.reference or {}).get("dm_channel")
    return str(channel) if channel else None
