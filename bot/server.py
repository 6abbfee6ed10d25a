"""The aiohttp application: Slack's request URL, a health check and metrics.

Teams' routes (bot/teams/: /api/messages and the documents) are served beside Slack's, by
the same process, when Teams is configured.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from tortoise import connections
from tortoise.exceptions import BaseORMException

SLACK_PATH = "/slack/events"


def slack_route(app: AsyncApp) -> web.RouteDef:
    async def handle(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
        response: web.Response = await to_aiohttp_response(bolt_response)
        return response

    return web.post(SLACK_PATH, handle)


async def healthz(request: web.Request) -> web.Response:
    """Alive and able to reach the database."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except (BaseORMException, OSError) as error:
        return web.json_response({"ok": False, "error": type(error).__name__}, status=503)
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def web_app(slack: AsyncApp | None, extra: Sequence[web.RouteDef] = ()) -> web.Application:
    app = web.Application()
    routes = [web.get("/healthz", healthz), web.get("/metrics", metrics)]
    if slack is not None:
        routes.append(slack_route(slack))
    routes.extend(extra)
    app.add_routes(routes)
    return app
