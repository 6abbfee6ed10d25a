"""The Messenger for Slack: invitations, reminders and notes as DMs, and the publication.

A user id is used as the channel of a DM: Slack posts into the app's DM with that person
without a `conversations.open` (Tier 3) per person, so a round's fan-out is bounded by
`chat.postMessage`'s own limit. The DM's channel id that comes back is kept on the
account, for looking back when a retried send may already have gone out.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.identity import slack_user_of
from bot.slack.posting import Poster
from bot.slack.publish import publish_round
from conversations.events import Start, encode
from conversations.views import View
from models.people import Account, Person
from render.slack.views import SlackMessage, render_notice, render_view
from service import people
from service.messenger import Notice, Sent, Unreachable

log = logging.getLogger(__name__)


class SlackMessenger:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, *, default_language: str = "da") -> None:
        self.poster = Poster(client)
        self.default_language = default_language

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await self._send_dm(person_id, render_view(view), key=key, maybe_sent=maybe_sent)

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        person = await Person.get(id=person_id)
        programme = await people.round_programme(notice.resume_round_id)
        language = await people.reader_language(person, programme, fallback=self.default_language)
        resume = snooze = None
        if notice.resume_round_id is not None and notice.resume_scope:
            resume = encode(notice.resume_round_id, notice.resume_scope, Start())
            snooze = f"{notice.resume_round_id}|{notice.resume_scope}"
        message = render_notice(
            notice.key, notice.params, language=language, resume=resume, snooze=snooze
        )
        return await self._send_dm(person_id, message, key=key, maybe_sent=maybe_sent)

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        return await publish_round(self.poster, round_id, key=key, maybe_sent=maybe_sent)

    async def _send_dm(
        self, person_id: int, message: SlackMessage, *, key: str, maybe_sent: bool
    ) -> Sent:
        account = await slack_user_of(person_id)
        if account is None:
            raise Unreachable("no Slack account")
        channel = (account.reference or {}).get("dm_channel")
        if maybe_sent:
            channel = channel or await self.poster.open_dm(account.user_id)
            found = await self.poster.find_sent(str(channel), key)
            if found is not None:
                return Sent({"platform": "slack", "channel": channel, "ts": found}, True)
        sent = await self.poster.post(account.user_id, message, key=key)
        log.info("dm sent", extra={"user": account.user_id, "kind": key.split(":", 1)[0]})
        if sent.ref["channel"] != channel:
            reference = {**(account.reference or {}), "dm_channel": sent.ref["channel"]}
            await Account.filter(id=account.id).update(reference=reference)
        return sent
