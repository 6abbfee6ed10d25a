"""TeamsStub: a local Microsoft Teams (Bot Framework's side) for tests.

It is Teams, not part of the app: it imports nothing from Fremdrift. The real Agents SDK in
the app talks to it over the wire — its Connector API, its token endpoint, its OpenID
metadata and keys — and it calls the app's /api/messages with signed activities.

    async with TeamsStub() as teams:
        teams.bot_url = "http://127.0.0.1:3000/api/messages"
        teams.add_user("lene", "Lene Holm", "lene@regionsyddanmark.dk")
        await teams.people.install("lene")
        await teams.people.say("lene", "me")
        card = teams.chat("lene")[-1]
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

import aiohttp
from aiohttp import web

from . import connector, login
from .keys import SigningKey
from .limits import Faults, RateLimiter
from .models import Conversation, Ids, Posted, User
from .sender import Delivery, Sender
from .simulator import Simulator


@dataclass(frozen=True)
class AppIdentity:
    app_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    tenant_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    bot_name: str = "Fremdrift"

    @property
    def bot_id(self) -> str:
        return f"28:{self.app_id}"


class TeamsStub:
    def __init__(
        self,
        *,
        identity: AppIdentity | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_limits: bool = True,
    ) -> None:
        self.identity = identity or AppIdentity()
        self.clock = clock
        self.ids = Ids()
        self.bot_framework_key = SigningKey("bot-framework", endorsements=("msteams", "skype"))
        self.webchat_key = SigningKey("webchat-only", endorsements=("webchat",))
        self.forger_key = SigningKey("forger")
        self.entra_key = SigningKey("entra")
        self.published_keys = [self.bot_framework_key, self.webchat_key]
        self.limits = RateLimiter(clock, enabled=rate_limits)
        self.faults = Faults()
        self.users: dict[str, User] = {}
        self.conversations: dict[str, Conversation] = {}
        self.channels: dict[str, Conversation] = {}
        self._personal: dict[str, str] = {}  # teams id -> conversation id
        self.posted: list[Posted] = []
        self.roots: set[str] = set()  # ids of people's channel messages, which start threads
        self.deliveries: list[Delivery] = []
        self.created: list[str] = []
        self.in_turn: set[str] = set()
        self.too_big: list[int] = []
        self.bad_cards: list[str] = []
        self.throttled = 0
        self.token_requests = 0
        self.key_fetches = 0
        self.bot_url: str | None = None
        self.sender = Sender(self)
        self.people = Simulator(self)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    # -- lifecycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> TeamsStub:
        app = web.Application()
        app.add_routes(login.routes(self) + connector.routes(self))
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "start the stand-in with `async with`"
        return self._session

    @property
    def service_url(self) -> str:
        return f"{self.url}/teams/"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/{self.identity.tenant_id}/oauth2/v2.0/token"

    # -- the tenant -----------------------------------------------------------------------------
    def add_user(
        self, key: str, name: str, email: str, *, locale: str = "da-DK", upn: str = ""
    ) -> User:
        user = User(key=key, name=name, email=email, locale=locale, upn=upn)
        self.users[key] = user
        return user

    def user_by_id(self, any_id: str) -> User | None:
        """By Teams id ("29:…") or Entra object id, as the Connector accepts either."""
        for user in self.users.values():
            if any_id in (user.teams_id, user.object_id):
                return user
        return None

    def open_personal_chat(self, user: User) -> Conversation:
        conversation = self.personal_chat(user)
        if conversation is None:
            conversation = Conversation(self.ids.personal(), "personal", {user.teams_id})
            self.conversations[conversation.id] = conversation
            self._personal[user.teams_id] = conversation.id
        conversation.bot_present = True
        return conversation

    def personal_chat(self, user: User) -> Conversation | None:
        found = self._personal.get(user.teams_id)
        return self.conversations.get(found) if found else None

    def add_channel(self, name: str, members: list[str]) -> Conversation:
        """A team's channel with the bot installed in the team."""
        channel = Conversation(
            self.ids.channel(),
            "channel",
            {self.users[key].teams_id for key in members},
            team_id=self.ids.channel(),
            name=name,
        )
        self.conversations[channel.id] = channel
        self.channels[name] = channel
        return channel

    # -- what the bot posted --------------------------------------------------------------------
    def posted_by_id(self, activity_id: str) -> Posted | None:
        return next((p for p in self.posted if p.id == activity_id), None)

    def chat(self, key: str) -> list[Posted]:
        """What the bot posted in a person's personal chat, oldest first."""
        conversation = self.personal_chat(self.users[key])
        if conversation is None:
            return []
        return [p for p in self.posted if p.conversation_id == conversation.id]

    def cards(self, key: str) -> list[Posted]:
        return [p for p in self.chat(key) if p.card is not None]

    def channel_posts(self, name: str) -> list[Posted]:
        channel = self.channels[name]
        return [p for p in self.posted if p.conversation_id == channel.id]

    def changed(self) -> None:
        self._changed.set()

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        """Until `condition()` holds, waking on every post or update (never a sleep loop)."""
        async with asyncio.timeout(within):
            while not condition():
                self._changed.clear()
                if condition():
                    return
                await self._changed.wait()
