"""The Messenger for Teams: invitations, reminders and notes in the personal chat, and the
publication in the steering group's channel.

A person is reached through their Teams account (bot/teams/identity.py): the personal chat
kept from their install or first message, else one opened now — which Teams allows only when
the app is installed for them (by an admin's setup policy, or by hand). When it is not,
Teams says 403 and the send is `Unreachable`: the job fails at once and the job queue tells
the programme's admins who could not be reached (round.admin.delivery_failed), as for Slack.

Every send is written down under its job key (bot/teams/sent.py), so a retried job finds
what an earlier attempt already sent and repeats nothing.
"""

from __future__ import annotations

from bot.settings import Settings
from bot.teams import sent
from bot.teams.delivery import message_ref
from bot.teams.files import DocumentLinks
from bot.teams.identity import remember, teams_account_of, teams_reference
from bot.teams.outbound import Outbound, Where
from bot.teams.publish import publish_round
from conversations.events import Start, encode
from conversations.views import View
from models.people import Account, Person
from models.programme import Programme
from render.teams.views import TeamsMessage, render_notice, render_view
from service import people
from service.messenger import Notice, Sent, Unreachable


class TeamsMessenger:
    platform = "teams"

    def __init__(self, outbound: Outbound, settings: Settings, links: DocumentLinks) -> None:
        self.outbound = outbound
        self.settings = settings
        self.links = links

    def publishes(self, programme: Programme) -> bool:
        """Does this programme's steering group read its matrix in Teams?"""
        return programme.key in self.settings.teams_steering_channels

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await self._send_dm(person_id, render_view(view), key=key, maybe_sent=maybe_sent)

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        person = await Person.get(id=person_id)
        programme = await people.round_programme(notice.resume_round_id)
        language = await people.reader_language(person, programme, fallback=self.settings.language)
        resume = snooze = None
        if notice.resume_round_id is not None and notice.resume_scope:
            resume = encode(notice.resume_round_id, notice.resume_scope, Start())
            snooze = f"{notice.resume_round_id}|{notice.resume_scope}"
        message = render_notice(
            notice.key, notice.params, language=language, resume=resume, snooze=snooze
        )
        return await self._send_dm(person_id, message, key=key, maybe_sent=maybe_sent)

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        return await publish_round(
            self.outbound, self.settings, self.links, round_id, key=key, maybe_sent=maybe_sent
        )

    async def _send_dm(
        self, person_id: int, message: TeamsMessage, *, key: str, maybe_sent: bool
    ) -> Sent:
        account = await teams_account_of(person_id)
        if account is None:
            raise Unreachable("no Teams account")
        where = await self._personal_chat(account)
        if maybe_sent:
            found = await sent.find(key)
            if found is not None:
                return Sent(message_ref(where, found), already_sent=True)
        activity_id = await self.outbound.send(where, message)
        await sent.record(key, activity_id)
        return Sent(message_ref(where, activity_id))

    async def _personal_chat(self, account: Account) -> Where:
        """The kept personal chat, or one opened now (and kept)."""
        reference = account.reference or {}
        kept = Where.of(reference.get("personal"))
        if kept is not None:
            return kept
        service_url = str(reference.get("service_url") or self.settings.teams_service_url)
        user_id = str(reference.get("user_id") or account.user_id)
        where = await self.outbound.open_personal_chat(service_url, account.workspace, user_id)
        fresh = teams_reference(
            user_id=user_id, service_url=service_url, personal=where, earlier=reference
        )
        await remember(account, fresh)
        return where
