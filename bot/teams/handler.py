"""The bot's turn: Teams activities in, the runner and the command service, cards out.

Translation only. A card's button (`Action.Submit`) arrives as a message whose `value` holds
the dialogue's wire form and the card's inputs; it becomes one neutral `CardSubmission`,
which the runner orders into events and commits in one transaction, and the turn ends —
Teams gets its 200 — before the card is redrawn (bot/teams/delivery.py). Typed text is a
command line, parsed and carried out exactly as Slack's /fremdrift; in a channel the bot's
@mention is dropped first. Installing the app (or writing to it) introduces a person:
their Teams account is linked by e-mail and the personal chat kept for proactive messages
(bot/teams/identity.py). Languages and the snooze are service/people.py's, not decided here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, TurnContextProtocol
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.settings import Settings
from bot.teams.auth import tenant_of
from bot.teams.delivery import TeamsDeliveries
from bot.teams.identity import account_for, link, person_by_email, teams_reference
from bot.teams.outbound import Where
from bot.web.links import COMMAND_DAYS, link_maker
from conversations.card import CardSubmission
from conversations.errors import UserError
from conversations.events import Edit, decode
from conversations.questions import TYPED
from models.accounts import remember_reference
from models.people import Account, Person
from render.teams.views import (
    TeamsMessage,
    render_command_reply,
    render_status,
    render_text,
)
from service import people
from service.commands import Handler, execute_line, refuse, round_link
from service.runner import ChecklistRunner, Reply

log = logging.getLogger(__name__)


@dataclass
class TeamsDeps:
    settings: Settings
    runner: ChecklistRunner
    deliveries: TeamsDeliveries


def where_from(activity: Activity, raw_tenant: str) -> Where:
    conversation = activity.conversation
    return Where(
        service_url=str(activity.service_url or ""),
        conversation_id=str(conversation.id),
        tenant_id=raw_tenant,
        kind=str(conversation.conversation_type or "personal"),
    )


class FremdriftTeamsBot(ActivityHandler):
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    # -- who ----------------------------------------------------------------------------------
    async def _account(self, context: TurnContextProtocol[Activity]) -> Account | None:
        activity = context.activity
        sender = activity.from_property
        if sender is None or not sender.id:
            return None
        tenant = tenant_of(activity.model_dump(by_alias=True, exclude_none=True))
        where = where_from(activity, tenant)
        personal = where if where.kind == "personal" else None
        account = await account_for(str(sender.aad_object_id or ""), tenant)
        if account is not None:
            reference = teams_reference(
                user_id=sender.id,
                service_url=where.service_url,
                personal=personal,
                earlier=account.reference,
            )
            await remember_reference(account, reference)
            return account
        member = await self._member(context, sender.id)
        trust_mail = bool(self.deps.settings.teams_tenant_id)
        person = await person_by_email(member, trust_mail=trust_mail) if member else None
        object_id = str(sender.aad_object_id or member.get("aadObjectId") or "") if member else ""
        if person is None or not object_id:
            return None
        reference = teams_reference(
            user_id=sender.id, service_url=where.service_url, personal=personal, earlier=None
        )
        account = await link(person, object_id, tenant, reference)
        account.person = person
        return account

    async def _member(
        self, context: TurnContextProtocol[Activity], user_id: str
    ) -> dict[str, Any] | None:
        if not isinstance(context, TurnContext):
            return None
        client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if not isinstance(client, TeamsConnectorClient):
            return None
        try:
            member = await client.get_conversation_member(context.activity.conversation.id, user_id)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.info("member not looked up: %r", error)
            return None
        data: dict[str, Any] = member.model_dump(by_alias=True, exclude_none=True)
        return data

    # -- activities ---------------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContextProtocol[Activity]) -> None:
        account = await self._account(turn_context)
        person = account.person if account else None
        value = turn_context.activity.value
        if isinstance(value, dict) and any(key.startswith("fd") for key in value):
            await self._card_action(turn_context, person, value)
        else:
            await self._command(turn_context, person)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContextProtocol[Activity]
    ) -> None:
        recipient = turn_context.activity.recipient
        if not any(member.id == (recipient.id if recipient else None) for member in members_added):
            return
        account = await self._account(turn_context)
        if turn_context.activity.conversation.conversation_type not in (None, "personal"):
            return
        if account is None:
            await self._reply(
                turn_context, render_text(self.deps.settings.language, "teams.unknown_person")
            )
            return
        person = account.person
        language = await people.reader_language(person, fallback=self.deps.settings.language)
        await self._reply(turn_context, render_text(language, "teams.welcome", name=person.name))

    async def on_installation_update_add(self, turn_context: TurnContextProtocol[Activity]) -> None:
        await self._account(turn_context)

    # -- commands -----------------------------------------------------------------------------
    async def _command(self, context: TurnContextProtocol[Activity], person: Person | None) -> None:
        activity = context.activity
        text = activity.remove_recipient_mention() if activity.text else ""
        settings = self.deps.settings
        try:
            if person is None:
                raise UserError("teams.unknown_person")
            reply = await execute_line(
                (text or "").strip(),
                person,
                self.deps.runner.clock,
                {"round.link": self._round_link(activity)},
                fallback_language=settings.language,
            )
        except UserError as error:
            language = await people.refusal_language(person, fallback=settings.language)
            await self._reply(context, render_text(language, error.key, **error.params))
            return
        if reply.status is not None:
            await self._reply(context, render_status(reply.status, reply.language))
        else:
            await self._reply(context, render_command_reply(reply))

    def _round_link(self, activity: Activity) -> Handler:
        """`round link` answers in the personal chat only: in a channel everyone would read
        the signed link (`history.link_private`)."""
        if activity.conversation.conversation_type not in (None, "personal"):
            return refuse("history.link_private")
        return round_link(link_maker(self.deps.settings), COMMAND_DAYS)

    # -- the checklist ------------------------------------------------------------------------
    async def _card_action(
        self, context: TurnContextProtocol[Activity], person: Person | None, value: dict[str, Any]
    ) -> None:
        activity = context.activity
        where = where_from(
            activity, tenant_of(activity.model_dump(by_alias=True, exclude_none=True))
        )
        try:
            if person is None:
                raise UserError("teams.unknown_person")
            if "fd_snooze" in value:
                await self._snooze(context, person, str(value["fd_snooze"]))
                return
            reply = await self._apply(person, value)
        except UserError as error:
            language = await people.refusal_language(person, fallback=self.deps.settings.language)
            self.deps.deliveries.spawn(
                self.deps.deliveries.say(where, render_text(language, error.key, **error.params))
            )
            return
        self.deps.deliveries.spawn(
            self.deps.deliveries.show(
                reply,
                where=where,
                activity_id=activity.reply_to_id,
                fresh=bool(value.get("fd_fresh")),
            )
        )

    async def _apply(self, person: Person, value: dict[str, Any]) -> Reply:
        """The card in neutral terms: its button, what is typed into it, where it was drawn."""
        runner = self.deps.runner
        if "fd_apart_go" in value:  # a reporter opens their answers set apart for a unit
            chosen = value.get("fd_apart")
            if not isinstance(chosen, str):
                raise UserError("checklist.bad_action")
            picked = decode(chosen)
            return await runner.handle(person, picked.round_id, picked.scope, picked.event)
        wire = value.get("fd") or value.get("fd_text") or value.get("fd_edit")
        if not isinstance(wire, str):
            raise UserError("checklist.bad_action")
        envelope = decode(wire)
        pressed = envelope.event
        if "fd_edit" in value:  # the review's "change": the milestone is picked in the card
            code = str(value.get("fd_code") or "").strip()
            edit = Edit(code=code, version=pressed.version)
            return await runner.handle(person, envelope.round_id, envelope.scope, edit)
        card = CardSubmission(
            code=pressed.code,
            version=pressed.version,
            button=pressed if "fd" in value else None,  # else the card's own "save"
            forecast=str(value.get("fd_forecast") or ""),
            remark=str(value.get("fd_remark") or ""),
            texts={q.value: str(value.get(f"fd_{q.value}") or "") for q in TYPED},
        )
        return await runner.handle_card(person, envelope.round_id, envelope.scope, card)

    async def _snooze(
        self, context: TurnContextProtocol[Activity], person: Person, target: str
    ) -> None:
        said = await people.remind_me_tomorrow(
            person, target, self.deps.runner.clock.now(), fallback=self.deps.settings.language
        )
        await self._reply(context, render_text(said.language, said.key, **said.params))

    # -- helpers ------------------------------------------------------------------------------
    async def _reply(self, context: TurnContextProtocol[Activity], message: TeamsMessage) -> None:
        await context.send_activity(Activity.model_validate(message.activity()))
