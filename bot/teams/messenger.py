"""The Messenger for Teams: invitations, reminders and notes in the personal chat, and the
publication in the steering group's channel.

The rules are service/messenger_base.py's; this supplies Teams' primitives. A person is
reached through their Teams account (bot/teams/identity.py): the personal chat kept from
their install or first message, else one opened now — which Teams allows only when the app
is installed for them (by an admin's setup policy, or by hand). When it is not, Teams says
403 and the send is `Unreachable`: the job fails at once and the job queue tells the
programme's admins who could not be reached and what to do (service/failures.py), as for Slack.

Every send is written down under its job key (models/sent.py), so a retried job finds
what an earlier attempt already sent and repeats nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.settings import Settings
from bot.teams.delivery import message_ref
from bot.teams.files import DocumentLinks
from bot.teams.identity import teams_account_of, teams_reference
from bot.teams.outbound import Outbound, Where
from bot.teams.publish import SteeringChannel, teams_cards
from bot.web.links import history_link, link_maker
from models import sent
from models.accounts import remember_reference
from models.people import Account
from models.programme import Programme
from render.teams import views
from render.teams.views import TeamsMessage
from service.messenger_base import BaseMessenger, Ref
from service.publication import RoundPublication


class TeamsMessenger(BaseMessenger[TeamsMessage]):
    platform = "teams"

    def __init__(self, outbound: Outbound, settings: Settings, links: DocumentLinks) -> None:
        super().__init__(views, default_language=settings.language, publications=links.publications)
        self.outbound = outbound
        self.settings = settings
        self.links = links
        self.history = link_maker(settings)  # the history page's link, with each publication

    def publishes(self, programme: Programme) -> bool:
        """Does this programme's steering group read its matrix in Teams?"""
        return programme.key in self.settings.teams_steering_channels

    async def account_of(self, person_id: int) -> Account | None:
        return await teams_account_of(person_id)

    async def find_dm(self, account: Account, key: str) -> Ref | None:
        found = await sent.find(key)
        return message_ref(await self._personal_chat(account), found) if found else None

    async def send_dm(self, account: Account, message: TeamsMessage, *, key: str) -> Ref:
        where = await self._personal_chat(account)
        activity_id = await self.outbound.send(where, message)
        await sent.record(key, activity_id)
        return message_ref(where, activity_id)

    def steering_channel(self, programme: Programme) -> SteeringChannel | None:
        channel = self.settings.teams_steering_channels.get(programme.key)
        if not channel:
            return None
        settings = self.settings
        where = Where(
            settings.teams_service_url, channel, settings.teams_tenant_id or "", "channel"
        )
        return SteeringChannel(self.outbound, where)

    def publication_messages(self, publication: RoundPublication) -> Sequence[TeamsMessage]:
        return teams_cards(publication, self.links, history_link(self.history, publication))

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
        await remember_reference(account, fresh)
        return where
