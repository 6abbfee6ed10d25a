"""The aiohttp application: Slack's request URL, a health check and metrics.

Teams' routes (bot/teams/: /api/messages and the documents) are served beside Slack's, by
the same process, when Teams is configured.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qs

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from tortoise import connections
from tortoise.exceptions import BaseORMException

from bot.web import HistoryAccess
from bot.web.history import history_routes

SLACK_PATH = "/slack/events"


def well_signed_headers(request: web.Request) -> bool:
    """The signature headers in a shape bolt can check; bolt raises on others (a timestamp
    that is not a number, a signature that is not ASCII) instead of refusing them."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    return timestamp.isdigit() and signature.isascii()


def well_formed_body(body: bytes, content_type: str) -> bool:
    """A body bolt can parse, from someone: UTF-8; JSON that is an object; a form whose
    `payload` is an object naming its user, or a command naming its user_id.

    Bolt parses before it checks the signature, and a body it cannot parse raises there;
    Slack never sends such a body, so whoever did gets 400 and nothing runs.
    """
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return isinstance(json.loads(text), dict)
        form = parse_qs(text)
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            return isinstance(payload, dict) and bool((payload.get("user") or {}).get("id"))
        return "command" not in form or bool(form.get("user_id"))
    except (UnicodeDecodeError, ValueError, AttributeError):
        return False


def slack_route(app: AsyncApp) -> web.RouteDef:
    async def handle(request: web.Request) -> web.Response:
        if not well_signed_headers(request):
            return web.Response(status=401)
        if not well_formed_body(await request.read(), request.content_type):
            return web.Response(status=400)
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


def web_app(
    slack: AsyncApp | None,
    extra: Sequence[web.RouteDef] = (),
    *,
    history: HistoryAccess | None = None,
) -> web.Application:
    """Serve `slack`, the `extra` routes, health and metrics, and the history pages when
    `history` is given."""
    app = web.Application()
    routes = [web.get("/healthz", healthz), web.get("/metrics", metrics)]
    if slack is not None:
        routes.append(slack_route(slack))
    routes.extend(extra)
    if history is not None:
        routes.extend(history_routes(history))
    app.add_routes(routes)
    return app
