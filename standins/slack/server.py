"""The stand-in's HTTP surface: Web API, file upload URL, response_urls, Socket Mode link.

Every Web API answer is HTTP 200 with ``ok`` true or false, as Slack does, except a rate
limit (429 + ``Retry-After``) and injected faults. Checks run in Slack's order as far as it
shows: fault, unknown method, authentication, token type, scope, rate limit, arguments.

Chosen: unknown methods answer ``{"ok": false, "error": "unknown_method", "req_method": m}``;
an app-level token on a bot method (or the reverse) is ``not_allowed_token_type``; the
upload URL answers ``200 text/plain "OK - <bytes>"`` and 404 for an unknown ticket; a
response_url answers ``200 "ok"``, ``404 "expired_url"`` after 30 minutes, ``404
"used_url"`` after 5 uses and ``400 "invalid_blocks"`` for refused blocks.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from .blockkit import validate_message_blocks
from .faults import Drop, HttpStatus, RateLimited, SlackError, Slow
from .models import JSON, Ephemeral, ResponseUrlPost
from .recording import ApiCall
from .socketmode import SocketModeServer
from .state import RESPONSE_URL_TTL, RESPONSE_URL_USES, SlackState
from .webapi import ApiError, Call, MethodSpec, stamp_ids
from .webapi_chat import METHODS as CHAT
from .webapi_chat import RateLimitedError
from .webapi_misc import METHODS as MISC
from .webapi_views import METHODS as VIEWS

METHODS: dict[str, MethodSpec] = {**CHAT, **VIEWS, **MISC}


class _Dropped(Exception):
    """The fault closed the connection: there is nobody left to answer."""


async def _apply_fault(state: SlackState, target: str, request: web.Request) -> web.Response | None:
    fault = state.faults.take(target)
    if fault is None:
        return None
    if isinstance(fault, Slow):
        await asyncio.sleep(fault.seconds)
        return None
    if isinstance(fault, HttpStatus):
        return web.Response(status=fault.status, text=fault.body, content_type="text/html")
    if isinstance(fault, SlackError):
        return web.json_response({"ok": False, "error": fault.error, **dict(fault.extra)})
    if isinstance(fault, RateLimited):
        return _ratelimited(fault.retry_after)
    assert isinstance(fault, Drop)
    if request.transport is not None:
        request.transport.close()
    raise _Dropped


def _ratelimited(retry_after: int) -> web.Response:
    return web.json_response(
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


async def _params(request: web.Request) -> JSON:
    params: JSON = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


class StubServer:
    """aiohttp application wiring; the behaviour lives in the handler modules."""

    def __init__(self, state: SlackState, socket: SocketModeServer) -> None:
        self.state = state
        self.socket = socket
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/api/{method}", self._api)
        self.app.router.add_post("/upload/v1/{ticket}", self._upload)
        self.app.router.add_post("/response/{token}", self._response_url)
        self.app.router.add_get("/link/", socket.handle)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        state = self.state
        params: JSON = {}
        try:
            params = await _params(request)
            faulted = await _apply_fault(state, method, request)
            token = self._token(request, params)
            if faulted is not None:
                self._record(method, params, faulted, request, token)
                return faulted
            response = self._answer(method, params, token)
        except _Dropped:
            self._record(method, params, None, request, None, status=0)
            return web.Response(status=500)
        self._record(method, params, response, request, token)
        return response

    def _answer(self, method: str, params: JSON, token: str | None) -> web.Response:
        state = self.state
        spec = METHODS.get(method)
        if spec is None:
            return web.json_response({"ok": False, "error": "unknown_method", "req_method": method})
        ident = state.identity
        if token is None:
            return web.json_response({"ok": False, "error": "not_authed"})
        kinds = {ident.bot_token: "bot", ident.app_token: "app"}
        kind = kinds.get(token)
        if kind is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if kind != spec.token:
            return web.json_response({"ok": False, "error": "not_allowed_token_type"})
        call = Call(method, params, state, token_kind=spec.token)
        provided = sorted(state.bot_scopes if kind == "bot" else state.app_scopes)
        needed = spec.scopes(call)
        headers = {
            "X-OAuth-Scopes": ",".join(provided),
            "X-Accepted-OAuth-Scopes": ",".join(needed),
        }
        missing = [s for s in needed if s not in provided]
        if missing:
            body: JSON = {
                "ok": False,
                "error": "missing_scope",
                "needed": ",".join(needed),
                "provided": ",".join(provided),
            }
            return web.json_response(body, headers=headers)
        if spec.tier:
            retry_after = state.limiter.check(method, spec.tier)
            if retry_after is not None:
                return _ratelimited(retry_after)
        try:
            body = spec.handler(call)
        except ApiError as error:
            body = error.body()
        except RateLimitedError as limited:
            return _ratelimited(limited.retry_after)
        return web.json_response(body, headers=headers)

    @staticmethod
    def _token(request: web.Request, params: JSON) -> str | None:
        header = request.headers.get("Authorization", "")
        token = params.pop("token", None)
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip() or None
        return str(token) if token else None

    def _record(
        self,
        method: str,
        params: JSON,
        response: web.Response | None,
        request: web.Request,
        token: str | None,
        status: int | None = None,
    ) -> None:
        body: JSON | None = None
        if response is not None and response.content_type == "application/json":
            raw = response.body
            if isinstance(raw, bytes | bytearray):
                body = json.loads(raw)
        decoded = {k: _decode(v) for k, v in params.items()}
        self.state.recorder.record(
            ApiCall(
                method=method,
                params=decoded,
                status=status if status is not None else (response.status if response else 0),
                response=body,
                at=self.state.clock(),
                http_method=request.method,
                token=token,
            )
        )

    # -- the file upload URL ---------------------------------------------------------------
    async def _upload(self, request: web.Request) -> web.StreamResponse:
        try:
            faulted = await _apply_fault(self.state, "upload", request)
        except _Dropped:
            return web.Response(status=500)
        if faulted is not None:
            return faulted
        file_id = self.state.workspace.upload_tickets.get(request.match_info["ticket"])
        if file_id is None:
            return web.Response(status=404, text="not_found", content_type="text/plain")
        data = await _upload_bytes(request)
        file = self.state.workspace.files[file_id]
        file.data = data
        self.state.changed()
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # -- response_url ------------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        try:
            faulted = await _apply_fault(self.state, "response_url", request)
        except _Dropped:
            return web.Response(status=500)
        if faulted is not None:
            return faulted
        state = self.state
        token = request.match_info["token"]
        target = state.workspace.response_urls.get(token)
        url = str(request.url)
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = {"text": raw}
        status, answer = 200, "ok"
        if target is None:
            status, answer = 404, "no_such_url"
        elif state.clock() - target.issued_at > RESPONSE_URL_TTL:
            status, answer = 404, "expired_url"
        elif target.uses >= RESPONSE_URL_USES:
            status, answer = 404, "used_url"
        else:
            problem = self._apply_response(target, body)
            if problem:
                status, answer = 400, problem
            else:
                target.uses += 1
        post = ResponseUrlPost(url=url, body=body, status=status, at=state.clock())
        state.workspace.response_url_posts.append(post)
        state.changed()
        return web.Response(status=status, text=answer, content_type="text/plain")

    def _apply_response(self, target: Any, body: JSON) -> str | None:
        blocks = body.get("blocks")
        if blocks is not None and validate_message_blocks(blocks):
            return "invalid_blocks"
        if isinstance(blocks, list):
            blocks = stamp_ids(blocks)
        state = self.state
        ws = state.workspace
        text = str(body.get("text") or "")
        original = ws.find_message(target.channel, target.message_ts) if target.message_ts else None
        if body.get("delete_original") in (True, "true") and original is not None:
            original.deleted = True
        elif body.get("replace_original") in (True, "true") and original is not None:
            original.history.append(original.to_api(state.identity.team_id))
            original.text = text
            original.blocks = blocks
        elif body.get("response_type") == "in_channel":
            state.post_as_bot(
                target.channel, text=text, blocks=blocks, thread_ts=body.get("thread_ts")
            )
        else:
            ts = ws.ids.ts(state.wall_clock())
            ws.ephemerals.append(
                Ephemeral(target.channel, target.user, ts, text, blocks, None, "response_url")
            )
        return None


async def _upload_bytes(request: web.Request) -> bytes:
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part is None:
                break
            if getattr(part, "filename", None) or getattr(part, "name", None) in (
                "file",
                "filename",
            ):
                data = await part.read()  # type: ignore[union-attr]
                return bytes(data)
        return b""
    return await request.read()


def _decode(value: Any) -> Any:
    """Record JSON-encoded arguments (blocks, view, files, metadata) as objects."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
