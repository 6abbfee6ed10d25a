"""The running Fremdrift: database, Slack clients, the bolt app, its transport, the workers.

One object owns what a process needs and closes it again, so `fremdrift serve`, the demo
and the end-to-end tests start the same thing. The transport is chosen by the settings:
Socket Mode when an app-level token is set, else HTTP on /slack/events.

`serve` brings it up in an order that can be stopped at any point (`bring_up`): the clients;
HTTP (so /livez answers, and /readyz says what is missing); the database, tried again with
back-off while it cannot be used; the job worker; Socket Mode, which slack_sdk keeps trying
while Slack cannot be reached. The worker runs under a supervisor that starts its loop
again (counted in fremdrift_worker_restarts) should it ever end without being stopped.
`stop()` ends everything within STOP_SECONDS, whatever it is doing: jobs still running
then are left to their leases, and another worker (or this one, restarted) retakes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.server import web_app
from bot.settings import Settings, SettingsError
from bot.slack.app import CheckedSocketModeHandler, build_app
from bot.slack.client import interactive_client, job_client
from bot.slack.delivery import Deliveries
from bot.slack.deps import SlackDeps
from bot.slack.messenger import SlackMessenger
from bot.web import history_access
from bot.web.links import link_maker
from conversations.clock import Clock, SystemClock
from conversations.errors import UserError
from models.db import ANY_DATABASE_ERROR, DatabaseUnusable, close_db, open_db
from render.i18n import text
from service import rounds
from service.messenger import Messenger
from service.messenger_router import MessengerRouter, Route
from service.metrics import WORKER_RESTARTS
from service.publication import Publications
from service.queue_figures import QueueFigures, queue_figures, record
from service.rendering import RenderProcess
from service.round_jobs import build_worker
from service.runner import ChecklistRunner
from service.worker import Worker

if TYPE_CHECKING:
    from bot.teams.service import TeamsService

log = logging.getLogger(__name__)

STOP_SECONDS = 8.0
"""`stop()` is done within this (SIGTERM ends `serve` within 10 seconds, exit code 0)."""
WORKER_GRACE = 6.0
"""Of which the jobs in hand get this long to finish before they are left to their leases."""
PROBE_SECONDS = 3.0
"""How long /readyz and /metrics wait for the database."""
CANCEL_SECONDS = 2.0
"""How long stopping waits for the cancelled worker loop to end."""
NOT_YET: tuple[type[BaseException], ...] = (DatabaseUnusable, *ANY_DATABASE_ERROR)
"""A database `serve` keeps trying to open."""


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
        self.supervisor: WorkerSupervisor | None = None
        self.teams: TeamsService | None = None
        # Publications are compiled, their documents rendered, in a process of their own
        # (service/rendering.py): never in this one, which acknowledges clicks.
        self.publications = Publications(renderer=RenderProcess())
        self.database_open = False
        self.db_opened_here = False
        self.runs_worker = False  # `serve` runs one: not ready until it does

    async def start(self) -> None:
        """Open the database (once: a failure raises) and build the clients and the app."""
        if self.manage_db:
            await open_db(self.settings.resolved_database_url())
            self.db_opened_here = True
        self.database_open = True
        await self.prepare()

    async def bring_up(self, host: str, port: int) -> str:
        """Everything `serve` runs, in order; cancel it to stop halfway. Returns the URL."""
        self.runs_worker = True
        await self.prepare()
        url = await self.serve_http(host, port)
        await self.open_database()
        await self.start_workers()
        await self.connect_socket()
        return url

    async def open_database(self) -> None:
        """Open (and migrate) the database; while it cannot be used, say so once and keep
        trying with back-off — a server that is starting, a file being restored."""
        url = self.settings.resolved_database_url()
        delay, waiting = 1.0, False
        while True:
            try:
                await open_db(url)
                break
            except NOT_YET as error:
                if not waiting:
                    log.warning("%s (trying again)", _words(self.settings.language, error))
                    waiting = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        if waiting:
            log.warning("the database can be used again")
        self.db_opened_here = self.manage_db
        self.database_open = True

    async def prepare(self) -> None:
        """The Web API clients, the bolt app and its transport, Teams; no database yet."""
        self.session = aiohttp.ClientSession()
        if self.settings.teams_app_id:  # Teams beside Slack, or alone (bot/teams/service.py)
            from bot.teams.service import TeamsService

            self.teams = TeamsService(self.settings, self.clock, self.session)
            self.teams.links.publications = self.publications  # the links serve the same
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
            self.socket = CheckedSocketModeHandler(
                self.slack,
                app_token=self.settings.slack_app_token.get_secret_value(),
                web_client=client,
            )

    async def serve_http(self, host: str, port: int) -> str:
        """Serve /slack/events (unless Socket Mode carries Slack), Teams' /api/messages (when
        configured), /livez, /readyz (and /healthz) and /metrics. Bodies are never inflated
        (`auto_decompress=False`): nothing we are sent is compressed, and a compressed bomb
        must cost no more than its bytes."""
        extra = self.teams.routes() if self.teams else []
        secret = self.settings.slack_signing_secret
        app = web_app(
            None if self.socket else self.slack,
            extra,
            signing_secret=secret.get_secret_value() if secret else "",
            health=self,
            history=history_access(self.settings, self.clock),
        )
        self._runner = web.AppRunner(
            app, handle_signals=False, shutdown_timeout=2.0, auto_decompress=False
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        try:
            await site.start()
        except OSError as error:  # in use, not ours to take, no such address
            raise SettingsError(
                "serve.cannot_listen", host=host, port=port, detail=error.strerror or str(error)
            ) from error
        bound_host, bound_port = self._runner.addresses[0][:2]
        return f"http://{bound_host}:{bound_port}"

    # -- health (bot.server.Health) --------------------------------------------------------
    def serving(self) -> bool:
        return self.database_open

    async def readiness(self) -> dict[str, bool | None]:
        """The database answers; the worker (where this process runs one) is alive and has
        reached the queue lately; Socket Mode (where configured) is connected."""
        checks: dict[str, bool | None] = {"database": await self._queue_answers() is not None}
        if self.supervisor is not None:
            checks["worker"] = self.supervisor.healthy()
        else:
            checks["worker"] = False if self.runs_worker else None
        if self.socket is not None:
            checks["socket_mode"] = bool(await self.socket.client.is_connected())
        return checks

    async def refresh_metrics(self) -> None:
        if self.database_open:
            record(await self._queue_answers())

    async def _queue_answers(self) -> QueueFigures | None:
        if not self.database_open:
            return None
        try:
            return await asyncio.wait_for(queue_figures(self.clock.now()), PROBE_SECONDS)
        except ANY_DATABASE_ERROR:  # TimeoutError is an OSError
            return None

    def messenger(self) -> Messenger:
        """What the job workers send through: Slack's job client (which never retries by
        itself) and/or Teams; with both, each person on their own platform, Slack first."""
        routes = []
        # one compiled publication for both platforms (and the Teams document links)
        publications = self.publications
        if self.slack is not None:
            slack = SlackMessenger(
                self.jobs_client,
                default_language=self.settings.language,
                publications=publications,
                history=link_maker(self.settings),
            )
            routes.append(Route("slack", slack, lambda programme: bool(programme.steering_channel)))
        if self.teams is not None:
            teams = self.teams.messenger()
            routes.append(Route("teams", teams, teams.publishes))
        return routes[0].messenger if len(routes) == 1 else MessengerRouter(routes)

    async def start_workers(self) -> Worker:
        """Run the job queue (invitations, reminders, closing, publishing) in this process,
        under a supervisor that starts it again should its loop ever end."""
        self.worker = build_worker(self.messenger(), clock=self.clock, settings=self.settings)
        self.supervisor = WorkerSupervisor(self.worker)
        self.supervisor.start()
        return self.worker

    async def connect_socket(self) -> None:
        if self.socket is not None:
            await self.socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        """Finish what is in hand, then close everything this object opened, within
        STOP_SECONDS: what does not finish in time is left (jobs to their leases)."""
        deadline = asyncio.get_running_loop().time() + STOP_SECONDS
        if self.supervisor is not None:
            await self.supervisor.stop(min(WORKER_GRACE, STOP_SECONDS))
        if self.socket is not None:
            await _within(deadline, 2.0, "socket mode", self.socket.close_async())  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await _within(deadline, 3.0, "http", self._runner.cleanup())
        if self.deps is not None:
            await _within(deadline, 2.0, "slack deliveries", self.deps.deliveries.drain())
        if self.teams is not None:
            await _within(deadline, 2.0, "teams deliveries", self.teams.stop())
        self.publications.close()
        if self.session is not None:
            await self.session.close()
        if self.db_opened_here:
            await _within(deadline, 2.0, "database", close_db())
            self.database_open = False


async def _within(deadline: float, cap: float, what: str, step: Awaitable[object]) -> None:
    """Await a step of stopping for at most `cap` seconds, and not past the deadline."""
    left = min(cap, deadline - asyncio.get_running_loop().time())
    try:
        await asyncio.wait_for(step, max(0.2, left))
    except TimeoutError:
        log.warning("stopping: %s did not finish in time; left as it is", what)


def _words(language: str, error: BaseException) -> str:
    """An error for the log: the catalogue's sentence for ours, the driver's for others."""
    if isinstance(error, DatabaseUnusable):
        return text(language, error.key, **error.params)
    return f"database unusable: {type(error).__name__}: {error}"


class WorkerSupervisor:
    """Runs `worker.run_forever()` and starts it again, with back-off, if it ever ends
    without `stop()` — a bug, or an error nobody foresaw — logging and counting each time."""

    def __init__(self, worker: Worker, *, first_delay: float = 0.5, max_delay: float = 30.0):
        self.worker = worker
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.restarts = 0
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._supervise(), name="supervisor")

    def healthy(self) -> bool:
        """The loop runs and has reached the queue lately (service.worker_health)."""
        running = self._loop_task is not None and not self._loop_task.done()
        return running and self.worker.health.fresh()

    async def _supervise(self) -> None:
        delay = self.first_delay
        while not self._stopping:
            loop_task = asyncio.get_running_loop().create_task(
                self.worker.run_forever(), name="job-worker"
            )
            self._loop_task = loop_task
            try:
                await asyncio.wait({loop_task})
            except asyncio.CancelledError:
                loop_task.cancel()  # the jobs in hand are abandoned to their leases
                await asyncio.gather(loop_task, return_exceptions=True)
                raise
            if self._stopping:
                return
            error = None if loop_task.cancelled() else loop_task.exception()
            self.restarts += 1
            WORKER_RESTARTS.inc()
            log.error("the job worker ended; starting it again", exc_info=error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)

    async def stop(self, grace: float) -> None:
        """Let the jobs in hand finish for up to `grace` seconds; then abandon the rest."""
        self._stopping = True
        try:
            await asyncio.wait_for(self.worker.stop(), grace)
        except TimeoutError:
            log.warning("stopping: jobs still running are left to their leases")
        if self._task is not None:
            self._task.cancel()
            # bounded: on Python 3.11 a cancel that meets a finishing wait_for inside the
            # loop can be lost, and stopping must never hang on it
            done, pending = await asyncio.wait({self._task}, timeout=CANCEL_SECONDS)
            for task in done:
                if not task.cancelled():
                    task.exception()  # retrieved: the loop logged it where it happened
            if pending:
                log.warning("stopping: the job worker did not end when cancelled; left")
