"""The aiohttp application: Slack's request URL, health and metrics.

Teams' routes (bot/teams/: /api/messages and the documents) are served beside Slack's, by
the same process, when Teams is configured.

Health, for an orchestrator:
- `/livez`: the process serves HTTP (200 whenever it answers at all).
- `/readyz`: it can do its work — the database answers, the job worker is alive and has
  reached the queue recently, Socket Mode is connected when configured. 200 or 503, with
  each check's result as JSON. `/healthz` is the same (its old name).
- `/metrics`: Prometheus; the queue's gauges are read from the database at each scrape.

Until the database is open (`serve` opens it after it starts listening, and keeps trying
while it cannot) every other route answers 503: nothing is read into a database that is
not there.

Slack's route checks what it is sent before bolt reads it (bot/slack/shape.py): the
signature on the raw bytes, the size before anything is read (bodies are never inflated:
the runner serves with `auto_decompress=False`), then the payload's shape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp

from bot.slack import shape
from bot.slack.parsed import parsed_request
from bot.web import HistoryAccess
from bot.web.history import history_routes
from conversations.clock import SystemClock
from models.db import ANY_DATABASE_ERROR
from service.queue_figures import queue_figures

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATHS = frozenset({"/livez", "/readyz", "/healthz", "/metrics"})
PROBE_SECONDS = 3.0
"""How long /readyz waits for the database before saying it does not answer."""


class Health(Protocol):
    """What the health routes ask of the running process (bot/runtime.py)."""

    def serving(self) -> bool:
        """The database is open: requests can be served."""
        ...

    async def readiness(self) -> dict[str, bool | None]:
        """Each check: True, False, or None where it does not apply."""
        ...

    async def refresh_metrics(self) -> None:
        """Read what /metrics reports from the database."""
        ...


class DatabaseOnly:
    """Health for an app without a runtime (benchmarks): the database, nothing else."""

    def serving(self) -> bool:
        return True

    async def readiness(self) -> dict[str, bool | None]:
        try:
            await asyncio.wait_for(queue_figures(SystemClock().now()), PROBE_SECONDS)
        except ANY_DATABASE_ERROR:  # TimeoutError is an OSError
            return {"database": False}
        return {"database": True}

    async def refresh_metrics(self) -> None:
        return None


def slack_route(app: AsyncApp, signing_secret: str) -> web.RouteDef:
    async def handle(request: web.Request) -> web.StreamResponse:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not shape.headers_ok(timestamp, signature, time.time()):
            return web.Response(status=401)
        if (request.content_length or 0) > shape.MAX_BODY:
            return web.Response(status=413)
        if request.headers.get("Content-Encoding", "identity").lower() != "identity":
            return web.Response(status=415)  # Slack never compresses what it sends
        body = await _read_at_most(request, shape.MAX_BODY)
        if body is None:
            return web.Response(status=413)
        if not shape.signed(signing_secret, timestamp, body, signature):
            return web.Response(status=401)
        if request.charset not in (None, "utf-8"):
            return web.Response(status=400)
        content_type = request.headers.get("Content-Type", "").split(";")[0] or None
        payload = shape.parse(body, content_type)  # as bolt reads the header
        problem = "not parsable" if payload is None else shape.problem(payload)
        if payload is None or problem is not None:
            log.warning("slack request refused: %s", problem)
            return web.Response(status=400)
        bolt_request = parsed_request(
            body.decode("utf-8"),
            payload,
            query=request.query_string,
            headers=request.headers,
        )
        bolt_response = await app.async_dispatch(bolt_request)
        response: web.Response = await to_aiohttp_response(bolt_response)
        return response

    return web.post(SLACK_PATH, handle)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The raw body, or None once it passes `limit` bytes (read no further)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def health_routes(health: Health) -> list[web.RouteDef]:
    async def livez(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(request: web.Request) -> web.Response:
        checks = await health.readiness()
        ok = all(result is not False for result in checks.values())
        return web.json_response({"ok": ok, **checks}, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        await health.refresh_metrics()
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [
        web.get("/livez", livez),
        web.get("/readyz", readyz),
        web.get("/healthz", readyz),
        web.get("/metrics", metrics),
    ]


def serving_gate(health: Health) -> Callable[..., Awaitable[web.StreamResponse]]:
    """503 for every route but health's until the database is open."""

    @web.middleware
    async def gate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path not in HEALTH_PATHS and not health.serving():
            return web.json_response({"error": "starting"}, status=503)
        return await handler(request)

    return gate


def web_app(
    slack: AsyncApp | None,
    extra: Sequence[web.RouteDef] = (),
    *,
    signing_secret: str = "",
    health: Health | None = None,
    history: HistoryAccess | None = None,
) -> web.Application:
    """Serve `slack` on /slack/events (its requests verified with `signing_secret`), the
    `extra` routes, health and metrics, and the history pages when `history` is given."""
    checks = health or DatabaseOnly()
    app = web.Application(middlewares=[serving_gate(checks)], client_max_size=shape.MAX_BODY)
    routes = health_routes(checks)
    if slack is not None:
        if not signing_secret:
            raise ValueError("Slack over HTTP needs its signing secret")
        routes.append(slack_route(slack, signing_secret))
    routes.extend(extra)
    if history is not None:
        routes.extend(history_routes(history))
    app.add_routes(routes)
    return app
