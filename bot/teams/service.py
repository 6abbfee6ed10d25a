"""Teams in the running app: the /api/messages route, its adapter, and what jobs send through.

`TeamsService(settings, clock, session)` is started by bot/runtime.py beside Slack when
TEAMS_APP_ID is set. Its request handler checks the caller first (bot/teams/auth.py): a
request that is not Bot Framework's, for us, is answered 401 before anything is read into
the database. Then a re-sent activity (same conversation and activity id; Teams retries
what it thinks failed) is dropped with a 200, and only then does the SDK's CloudAdapter run
the turn. If the turn fails on our side, the activity's mark is taken back and Teams gets a
500, so its retry is carried out rather than dropped.
"""

from __future__ import annotations

import hashlib
import logging

import aiohttp
from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.authorization import AccessTokenProviderBase, ClaimsIdentity
from tortoise.exceptions import BaseORMException

from bot.settings import Settings
from bot.teams.auth import ActivityAuthenticator, BotFrameworkKeys, Refused, parse_activity
from bot.teams.delivery import TeamsDeliveries
from bot.teams.files import DocumentLinks
from bot.teams.handler import FremdriftTeamsBot, TeamsDeps
from bot.teams.messenger import TeamsMessenger
from bot.teams.outbound import Outbound
from bot.teams.tokens import OneConnection, certificate_provider, password_provider
from conversations.clock import Clock
from conversations.errors import UserError
from models.sent import first_time, forget
from service import rounds
from service.messenger import DeliveryError
from service.runner import ChecklistRunner

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"


def activity_key(activity: dict[str, object]) -> str | None:
    """The mark a handled activity leaves: its conversation and id, hashed to fit."""
    activity_id = activity.get("id")
    conversation = activity.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else None
    if not activity_id or not conversation_id:
        return None
    digest = hashlib.sha256(f"{conversation_id}\x00{activity_id}".encode()).hexdigest()
    return f"teams:activity:{digest}"


def configured(settings: Settings) -> bool:
    return bool(settings.teams_app_id)


class TeamsService:
    def __init__(self, settings: Settings, clock: Clock, session: aiohttp.ClientSession) -> None:
        if not settings.teams_app_id:
            raise UserError("teams.package.no_app_id")
        self.settings = settings
        self.app_id = settings.teams_app_id
        self.clock = clock
        self.session = session
        provider, secret = self._credential()
        self.adapter = CloudAdapter(
            channel_service_client_factory=RestChannelServiceClientFactory(OneConnection(provider))
        )
        self.adapter.on_turn_error = None  # errors are ours to handle, never sent to the user
        self.outbound = Outbound(self.adapter, self.app_id)
        self.deliveries = TeamsDeliveries(self.outbound)
        self.links = DocumentLinks(settings.teams_public_url, secret)
        self.runner = ChecklistRunner(clock, source="teams", notify_admins=rounds.note_admins)
        self.bot = FremdriftTeamsBot(TeamsDeps(settings, self.runner, self.deliveries))
        keys = BotFrameworkKeys(session, settings.teams_openid_metadata_url)
        self.authenticator = ActivityAuthenticator(keys, self.app_id, settings.teams_tenant_id)

    def _credential(self) -> tuple[AccessTokenProviderBase, bytes]:
        settings = self.settings
        if settings.teams_app_password is not None:
            password = settings.teams_app_password.get_secret_value()
            provider = password_provider(
                self.session,
                self.app_id,
                password,
                settings.teams_tenant_id,
                settings.teams_token_url,
            )
            return provider, password.encode()
        if settings.teams_certificate_file is not None:
            path = settings.teams_certificate_file
            provider_ = certificate_provider(self.app_id, str(path), settings.teams_tenant_id)
            return provider_, path.read_bytes()
        raise UserError("teams.serve.no_credential", app_id=self.app_id)

    def routes(self) -> list[web.RouteDef]:
        """What the aiohttp app serves for Teams: the messaging endpoint and the documents."""
        return [web.post(MESSAGES_PATH, self.handle), self.links.route()]

    def messenger(self) -> TeamsMessenger:
        return TeamsMessenger(self.outbound, self.settings, self.links)

    async def stop(self) -> None:
        """Finish the card updates in hand."""
        await self.deliveries.drain()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            activity = parse_activity(await request.read())
        except ValueError:
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            identity = await self.authenticator.authenticate(
                request.headers.get("Authorization"), activity
            )
        except Refused as refused:
            log.warning("teams request refused", extra={"why": str(refused)})
            return web.json_response({"error": "unauthorized"}, status=401)
        key = activity_key(activity)
        if key is not None and not await first_time(key):
            log.info("activity seen before, dropped", extra={"key": key})
            return web.Response(status=200)
        try:
            response = await self.adapter.process_request(
                _CheckedRequest(request, activity, identity), self.bot
            )
        except (BaseORMException, OSError, DeliveryError, aiohttp.ClientError) as error:
            log.error("teams turn failed", exc_info=error)
            if key is not None:
                await forget(key)
            return web.json_response({"error": "try again"}, status=500)
        if response.body is not None:
            return web.json_response(response.body, status=response.status_code)
        return web.Response(status=response.status_code, headers=response.headers)


class _CheckedRequest:
    """The request as the SDK's adapter reads it, with the claims we checked (the SDK's own
    aiohttp wrapper would look for them under a string key on the aiohttp request)."""

    def __init__(
        self, request: web.Request, activity: dict[str, object], identity: ClaimsIdentity
    ) -> None:
        self._request = request
        self._activity = activity
        self._identity = identity
        self.method = request.method
        self.headers = request.headers

    async def json(self) -> dict[str, object]:
        return self._activity

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._identity

    def get_path_param(self, name: str) -> str:
        return self._request.match_info[name]
