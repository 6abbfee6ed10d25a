"""Run a bolt ``AsyncApp`` against the stand-in over either transport.

Plumbing only (no app behaviour): :class:`BoltOverHttp` serves the app with bolt's aiohttp
adapter on a free loopback port and points the stand-in's request URL at it;
:class:`BoltOverSocket` connects bolt's ``AsyncSocketModeHandler`` through
``apps.connections.open``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from .stub import SlackStub


class BoltOverHttp:
    def __init__(self, app: Any, slack: SlackStub, path: str = "/slack/events") -> None:
        self.app = app
        self.slack = slack
        self.path = path
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.app.async_dispatch(bolt_request)
        response: web.Response = await to_aiohttp_response(bolt_response)
        return response

    async def __aenter__(self) -> BoltOverHttp:
        server = web.Application()
        server.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.slack.request_url = f"http://{host}:{port}{self.path}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.slack.request_url = None
        if self._runner is not None:
            await self._runner.cleanup()


class BoltOverSocket:
    def __init__(self, app: Any, slack: SlackStub, *, ping_interval: float = 0.05) -> None:
        self.slack = slack
        self.handler = AsyncSocketModeHandler(
            app,
            app_token=slack.identity.app_token,
            web_client=AsyncWebClient(base_url=slack.api_url),
            ping_interval=ping_interval,
        )

    async def __aenter__(self) -> BoltOverSocket:
        await self.handler.connect_async()  # type: ignore[no-untyped-call]
        await self.slack.wait_for_socket(1)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.handler.close_async()  # type: ignore[no-untyped-call]
