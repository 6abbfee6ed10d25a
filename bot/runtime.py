"""The running Fremdrift: database, Slack clients, the bolt app, its transport, the workers.

One object owns what a process needs and closes it again, so `fremdrift serve`, the demo
and the end-to-end tests start the same thing. The transport is chosen by the settings:
Socket Mode when an app-level token is set, else HTTP on /slack/events.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.server import web_app
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.client import interactive_client, job_client
from bot.slack.delivery import Deliveries
from bot.slack.deps import SlackDeps
from bot.slack.messenger import SlackMessenger
from bot.web import history_access
from conversations.clock import Clock, SystemClock
from conversations.errors import UserError
from models.db import close_db, open_db
from service import rounds
from service.messenger import Messenger
from service.messenger_router import MessengerRouter, Route
from service.round_jobs import build_worker
from service.runner import ChecklistRunner
from service.worker import Worker

if TYPE_CHECKING:
    from bot.teams.service import TeamsService

log = logging.getLogger(__name__)


class Fremdrift:
    def __init__(self, settings: Settings, *, clock: Clock | None = None, manage_db: bool = True):
        self.settings = settings
        self.clock = clock or SystemClock()
        self.manage_db = manage_db
        self.session: aiohttp.ClientSession | None = None
        self.slack: AsyncApp | None = None
        self.deps: SlackDeps | None = None
        self.socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self.worker: Worker | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self.teams: TeamsService | None = None

    async def start(self) -> None:
        if self.manage_db:
            await open_db(self.settings.resolved_database_url())
        self.session = aiohttp.ClientSession()
        if self.settings.teams_app_id:  # Teams beside Slack, or alone (bot/teams/service.py)
            from bot.teams.service import TeamsService

            self.teams = TeamsService(self.settings, self.clock, self.session)
        token = self.settings.slack_bot_token
        if token is None and self.teams is not None:
            return
        if token is None:
            raise UserError("serve.no_bot_token")
        base_url = self.settings.slack_api_url
        client = interactive_client(token.get_secret_value(), base_url, self.session)
        self.deps = SlackDeps(
            settings=self.settings,
            runner=ChecklistRunner(self.clock, source="slack", notify_admins=rounds.note_admins),
            client=client,
            deliveries=Deliveries(client),
        )
        self.jobs_client = job_client(token.get_secret_value(), base_url, self.session)
        secret = self.settings.slack_signing_secret
        if secret is None and self.settings.slack_app_token is None:
            raise UserError("serve.no_transport")
        self.slack = build_app(
            self.deps, signing_secret=secret.get_secret_value() if secret else ""
        )
        if self.settings.slack_app_token is not None:
            self.socket = AsyncSocketModeHandler(
                self.slack,
                app_token=self.settings.slack_app_token.get_secret_value(),
                web_client=client,
            )

    async def serve_http(self, host: str, port: int) -> str:
        """Serve /slack/events (unless Socket Mode carries Slack), Teams' /api/messages (when
        configured), /healthz and /metrics."""
        extra = self.teams.routes() if self.teams else []
        app = web_app(
            None if self.socket else self.slack,
            extra,
            history=history_access(self.settings, self.clock),
        )
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        return f"http://{bound_host}:{bound_port}"

    def messenger(self) -> Messenger:
        """What the job workers send through: Slack's job client (which never retries by
        itself) and/or Teams; with both, each person on their own platform, Slack first."""
        routes = []
        # one compiled publication for both platforms (and the Teams document links)
        publications = self.teams.links.publications if self.teams is not None else None
        if self.slack is not None:
            slack = SlackMessenger(
                self.jobs_client, default_language=self.settings.language, publications=publications
            )
            routes.append(Route("slack", slack, lambda programme: bool(programme.steering_channel)))
        if self.teams is not None:
            teams = self.teams.messenger()
            routes.append(Route("teams", teams, teams.publishes))
        return routes[0].messenger if len(routes) == 1 else MessengerRouter(routes)

    async def start_workers(self) -> Worker:
        """Run the job queue (invitations, reminders, closing, publishing) in this process."""
        self.worker = build_worker(self.messenger(), clock=self.clock, settings=self.settings)
        self._worker_task = asyncio.get_running_loop().create_task(self.worker.run_forever())
        return self.worker

    async def connect_socket(self) -> None:
        if self.socket is not None:
            await self.socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        """Finish what is in hand, then close everything this object opened."""
        if self.worker is not None:
            await self.worker.stop()
        if self._worker_task is not None:
            await asyncio.gather(self._worker_task, return_exceptions=True)
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()
        if self.deps is not None:
            await self.deps.deliveries.drain()
        if self.teams is not None:
            await self.teams.stop()
        if self.session is not None:
            await self.session.close()
        if self.manage_db:
            await close_db()
