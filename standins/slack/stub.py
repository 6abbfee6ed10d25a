"""SlackStub: a local Slack for tests, benchmarks and ``fremdrift demo``.

It is a Slack, not part of the app: it imports nothing from Fremdrift. The real slack_sdk
``AsyncWebClient(base_url=slack.api_url)`` and a real bolt app talk to it over the wire.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .clock import Clock
from .faults import FaultInjector
from .ids import IdFactory
from .models import Channel, Ephemeral, Message, ResponseUrlPost, UploadedFile, User, View
from .ratelimit import RateLimiter
from .recording import ApiCall
from .sender import Delivery, Sender, Transport
from .server import StubServer
from .signing import Tamper
from .simulator import UserSimulator, Values
from .socketmode import Ack, SocketModeServer
from .state import DEFAULT_APP_SCOPES, DEFAULT_BOT_SCOPES, SlackState
from .workspace import AppIdentity, Workspace

T = TypeVar("T")


def seed(ws: Workspace) -> None:
    """A small workspace: two people with different locales, three kinds of channel."""
    alice = ws.add_user("alice", user_id="U0ALICE001", real_name="Alice Jensen", locale="da-DK")
    bob = ws.add_user(
        "bob",
        user_id="U0BOB00001",
        real_name="Bob Smith",
        locale="en-US",
        tz="America/New_York",
        tz_label="Eastern Standard Time",
        tz_offset=-18000,
    )
    ws.add_channel("general", channel_id="C0GENERAL1", members=[alice.id, bob.id])
    ws.add_channel("random", channel_id="C0RANDOM01", members=[alice.id], bot_is_member=False)
    ws.add_channel("leads", channel_id="G0LEADS001", private=True, members=[alice.id])


class SlackStub:
    """Start with ``async with SlackStub() as slack:``; nothing is left running afterwards."""

    def __init__(
        self,
        *,
        identity: AppIdentity | None = None,
        scopes: Iterable[str] = DEFAULT_BOT_SCOPES,
        app_scopes: Iterable[str] = DEFAULT_APP_SCOPES,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        rate_limits: bool = True,
        rate_limit_scale: float = 1.0,
        request_url: str | None = None,
        seed_workspace: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        http_timeout: float = 3.0,
    ) -> None:
        ident = identity or AppIdentity()
        workspace = Workspace(ident, IdFactory())
        if seed_workspace:
            seed(workspace)
        self.state = SlackState(
            identity=ident,
            workspace=workspace,
            clock=clock,
            wall_clock=wall_clock,
            limiter=RateLimiter(clock, enabled=rate_limits, scale=rate_limit_scale),
            bot_scopes=set(scopes),
            app_scopes=set(app_scopes),
        )
        self.socket = SocketModeServer(self.state)
        self.sender = Sender(self.state, self.socket, http_timeout=http_timeout)
        self.sender.request_url = request_url
        self.users = UserSimulator(self.state, self.sender)
        self._server = StubServer(self.state, self.socket)
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        subscribe = getattr(clock, "subscribe", None)
        self._unsubscribe: Callable[[], None] | None = None
        if callable(subscribe):
            subscribe(self.state.changed)
            self._unsubscribe = lambda: clock.unsubscribe(self.state.changed)  # type: ignore[attr-defined]

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> SlackStub:
        runner = web.AppRunner(self._server.app, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.state.base_url = f"http://{host}:{port}/"
        self.sender.session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        await self.socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.sender.session is not None:
            await self.sender.session.close()
            self.sender.session = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def __aenter__(self) -> SlackStub:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- where things are ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.state.base_url

    @property
    def api_url(self) -> str:
        """Pass as ``AsyncWebClient(base_url=...)``."""
        return f"{self.state.base_url}api/"

    @property
    def identity(self) -> AppIdentity:
        return self.state.identity

    @property
    def workspace(self) -> Workspace:
        return self.state.workspace

    @property
    def limits(self) -> RateLimiter:
        return self.state.limiter

    @property
    def faults(self) -> FaultInjector:
        return self.state.faults

    @property
    def request_url(self) -> str | None:
        return self.sender.request_url

    @request_url.setter
    def request_url(self, url: str | None) -> None:
        self.sender.request_url = url

    @property
    def scopes(self) -> set[str]:
        return self.state.bot_scopes

    def user(self, who: str) -> User:
        return self.users.user(who)

    def trigger(self, user: User | str) -> str:
        """A trigger_id as if the person had just clicked (valid 3 s on the clock, once)."""
        return self.state.issue_trigger(self.users.user(user).id)

    def response_url(self, user: User | str, channel: str, message_ts: str | None = None) -> str:
        """A response_url as if ``user`` had acted in ``channel`` (on ``message_ts``)."""
        return self.state.issue_response_url(self.users.user(user).id, channel, message_ts)

    # -- Slack calling the app -------------------------------------------------------------------
    async def command(
        self,
        user: User | str,
        command: str,
        text: str = "",
        *,
        channel: Channel | str | None = None,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        return await self.users.command(
            user, command, text, channel=channel, transport=transport, tamper=tamper
        )

    async def click(
        self,
        user: User | str,
        target: Message | View | Ephemeral | str,
        action_id: str,
        value: Any = None,
        *,
        block_id: str | None = None,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        return await self.users.click(
            user, target, action_id, value, block_id=block_id, transport=transport, tamper=tamper
        )

    async def submit(
        self,
        user: User | str,
        view: View | str,
        values: Values | None = None,
        *,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
    ) -> Delivery:
        return await self.users.submit(user, view, values, transport=transport, tamper=tamper)

    async def close_modal(
        self, user: User | str, view: View | str, *, transport: Transport | None = None
    ) -> Delivery | None:
        return await self.users.close(user, view, transport=transport)

    async def open_home(self, user: User | str, *, transport: Transport | None = None) -> Delivery:
        return await self.users.open_home(user, transport=transport)

    async def say(
        self,
        user: User | str,
        text: str,
        *,
        channel: Channel | str | None = None,
        thread_ts: str | None = None,
        transport: Transport | None = None,
    ) -> Delivery:
        return await self.users.say(
            user, text, channel=channel, thread_ts=thread_ts, transport=transport
        )

    async def send_event(
        self,
        event: dict[str, Any],
        *,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
        event_id: str | None = None,
    ) -> Delivery:
        return await self.users.send_event(
            event, transport=transport, tamper=tamper, event_id=event_id
        )

    async def url_verification(self, challenge: str | None = None) -> Delivery:
        from .payloads import url_verification

        return await self.sender.send(
            "url_verification", url_verification(self.identity, challenge), transport="http"
        )

    async def replay(self, delivery: Delivery) -> Delivery:
        return await self.sender.replay(delivery)

    async def retry_event(self, delivery: Delivery, reason: str = "http_timeout") -> Delivery:
        return await self.sender.retry_event(delivery, reason)

    # -- what the workspace shows -----------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        return self.state.recorder.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        return self.state.recorder.calls_to(method)

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages in a channel, oldest first, with chat.update applied."""
        return self.workspace.messages(channel)

    def thread(self, channel: str, ts: str) -> list[Message]:
        parent = self.workspace.find_message(channel, ts)
        return [r for r in parent.replies if not r.deleted] if parent else []

    def dm_channel(self, user: User | str) -> str:
        dm = self.workspace.dm_with(self.users.user(user).id)
        assert dm is not None
        return dm.id

    def dm(self, user: User | str) -> list[Message]:
        """The app's DM with a person (their App Home Messages tab)."""
        dm = self.workspace.dm_with(self.users.user(user).id, create=False)
        return dm.visible() if dm else []

    def ephemerals(self, user: User | str, channel: str | None = None) -> list[Ephemeral]:
        return self.workspace.ephemerals_for(self.users.user(user).id, channel)

    def home(self, user: User | str) -> View | None:
        return self.workspace.home_of(self.users.user(user).id)

    def modals(self, user: User | str | None = None) -> list[View]:
        who = self.users.user(user).id if user is not None else None
        return self.workspace.open_modals(who)

    def top_modal(self, user: User | str) -> View | None:
        return self.workspace.top_modal(self.users.user(user).id)

    def view(self, view_id: str) -> View:
        return self.workspace.views[view_id]

    @property
    def files(self) -> list[UploadedFile]:
        return list(self.workspace.files.values())

    @property
    def response_url_posts(self) -> list[ResponseUrlPost]:
        return self.workspace.response_url_posts

    @property
    def acks(self) -> list[Ack]:
        return self.socket.acks

    @property
    def deliveries(self) -> list[Delivery]:
        return self.sender.deliveries

    # -- waiting without sleeping -----------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], T | None], within: float = 5.0) -> T:
        """Re-check ``predicate`` on every change in the stand-in; the first truthy value wins."""
        return await self.state.recorder.changes.wait_for(predicate, within)

    async def wait_for_call(self, method: str, *, count: int = 1, within: float = 5.0) -> ApiCall:
        """The ``count``-th call to ``method`` once it has arrived."""
        calls = await self.wait_for(lambda: len(self.calls_to(method)) >= count, within)
        assert calls
        return self.calls_to(method)[count - 1]

    async def wait_for_socket(self, connections: int = 1, *, within: float = 5.0) -> None:
        """Until the app holds ``connections`` open Socket Mode connections (hello sent)."""
        await self.wait_for(lambda: len(self.socket.open_connections) >= connections, within)
