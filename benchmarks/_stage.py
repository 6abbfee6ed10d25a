"""One benchmark configuration, set up and torn down: stand-in, database, programme, round.

``async with Stage(...) as stage`` starts the Slack stand-in (tuned for load, rate limits
off), makes a fresh database (a new SQLite file, or an emptied PostgreSQL database),
loads a generated programme with one lead per unit, opens a round through the round
service and has its worker send every invitation; then the apps under test can be
started as child processes. On the way out every child is stopped, the stand-in closed
and the scratch folder removed: nothing is left running.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from types import TracebackType
from typing import Literal

from benchmarks import _setup
from benchmarks._audit import Audit, audit_database, count_driver, shown_to_users
from benchmarks._leads import Driver, Endpoints, Lead, Transport, live_message, tune_stub
from benchmarks._procs import AppProcess, Kind, app_environment
from standins.slack import SlackStub
from standins.slack.models import Message
from tests.slack_app import join_workspace

Backend = Literal["sqlite", "postgres"]
BENIGN = ("`token` will be unused",)  # bolt's note that the app passes its own client


class Stage:
    def __init__(
        self,
        backend: Backend,
        *,
        units: int,
        milestones: int,
        postgres_url: str | None = None,
        bare_targets: int = 0,
        keep: bool = False,
    ) -> None:
        self.backend = backend
        self.units = units
        self.milestones = milestones
        self.postgres_url = postgres_url
        self.bare_target_count = bare_targets
        self.keep = keep
        self.folder = _setup.scratch_folder(f"fremdrift-bench-{backend}-")
        self.slack = SlackStub(http_timeout=3.0)
        self.database: _setup.Database | None = None
        self.round_id = 0
        self.setup_seconds = 0.0
        self.invitations = 0
        self.invitations_failed = 0
        self.bare_targets: list[tuple[str, Message]] = []
        self.tiny_targets: list[tuple[str, Message]] = []
        self.apps: list[AppProcess] = []
        self.started: list[AppProcess] = []
        self.codes = _setup.milestone_codes(milestones)

    async def __aenter__(self) -> Stage:
        started = time.perf_counter()
        try:
            await self.slack.start()
            await tune_stub(self.slack)
            self.database = await _setup.fresh_database(
                self.backend, self.postgres_url, self.folder
            )
            await self.database.open()
            try:
                await _setup.load_programme(self.folder, self.units, self.milestones)
                await join_workspace(self.slack)
                opened = await _setup.open_round_with_invitations(
                    self.slack.api_url, self.slack.identity.bot_token
                )
                self.round_id = opened.round_id
                self.invitations, self.invitations_failed = opened.sent, opened.failed
                if self.bare_target_count:
                    self.bare_targets = await _setup.bare_targets(
                        self.slack, self.round_id, self.bare_target_count
                    )
                    self.tiny_targets = self._tiny_targets(self.bare_target_count)
            finally:
                await self.database.close()
        except BaseException:
            await self._teardown()
            raise
        self.setup_seconds = time.perf_counter() - started
        # Everything alive now (imports, the set-up) lives to the end: keep the collector
        # from walking it again on every full collection while latencies are measured.
        gc.collect()
        gc.freeze()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._teardown()

    async def _teardown(self) -> None:
        gc.unfreeze()
        for app in self.apps:
            await app.stop()
        await self.slack.stop()
        if not self.keep:
            _setup.remove_folder(self.folder)

    def _tiny_targets(self, count: int) -> list[tuple[str, Message]]:
        """One button in a one-block message: the smallest click bolt can be sent."""
        blocks: list[dict[str, object]] = [
            {
                "type": "actions",
                "block_id": "tiny",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "fd:progress:started",
                        "text": {"type": "plain_text", "text": "OK"},
                        "value": "x",
                    }
                ],
            }
        ]
        targets: list[tuple[str, Message]] = []
        for user_id, message in self.bare_targets[:count]:
            tiny = self.slack.state.post_as_bot(message.channel, text="tiny", blocks=blocks)
            targets.append((user_id, tiny))
        return targets

    # -- leads ---------------------------------------------------------------------------------
    def lead(self, index: int) -> Lead:
        user_id = _setup.lead_slack_id(index)
        return Lead(index, user_id, _setup.unit_key(index), live_message(self.slack, user_id))

    # -- apps ------------------------------------------------------------------------------------
    async def start_app(
        self,
        kind: Kind,
        transport: Transport,
        name: str,
        *,
        count_queries: bool = False,
        profile: bool = False,
        publishes: bool = False,
    ) -> AppProcess:
        assert self.database is not None
        app = AppProcess(
            kind=kind,
            transport=transport,
            env=app_environment(self.slack, self.database.url, transport),
            folder=self.folder,
            name=name,
            count_queries=count_queries,
            profile=profile,
            publishes=publishes,
        )
        self.apps.append(app)
        self.started.append(app)
        await app.start()
        return app

    async def stop_app(self, app: AppProcess) -> None:
        """Stop a child; in Socket Mode, until the stand-in has seen its connection end."""
        before = len(self.slack.socket.open_connections)
        await app.stop()
        if app in self.apps:
            self.apps.remove(app)
        if app.transport == "socket" and before:
            await self.slack.wait_for(
                lambda: len(self.slack.socket.open_connections) < before, within=10.0
            )

    def driver(self, transport: Transport, apps: list[AppProcess]) -> Driver:
        urls = [f"{app.url}/slack/events" for app in apps] if transport == "http" else []
        return Driver(self.slack, transport, Endpoints(self.slack, urls), codes=self.codes)

    async def connected(self, apps: list[AppProcess]) -> None:
        """Socket Mode: until every app's connection has said hello."""
        sockets = sum(1 for app in apps if app.transport == "socket")
        if sockets:
            await self.slack.wait_for_socket(sockets, within=30.0)

    # -- afterwards --------------------------------------------------------------------------------
    async def audit(self, leads: list[Lead], drivers: list[Driver]) -> Audit:
        """Stop every app, then compare the ledgers with the database and the DMs."""
        for app in list(self.apps):
            await self.stop_app(app)
        assert self.database is not None
        await self.database.open()
        try:
            result = await audit_database(self.round_id, leads)
        finally:
            await self.database.close()
        shown_to_users(self.slack, leads, result)
        for driver in drivers:
            count_driver(driver, result)
        for app in self.started:
            lines = [line for line in app.warnings() if not any(k in line for k in BENIGN)]
            result.app_log_lines += len(lines)
            result.examples += [f"{app.name} log: {line[:160]}" for line in lines[:3]]
        return result

    @property
    def log_folder(self) -> Path:
        return self.folder
