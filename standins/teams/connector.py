"""Teams' Connector API, as a bot calls it: create a personal chat, send, reply in a
thread, update, look up a member. Every call needs a token from the stand-in's token
endpoint (401 otherwise); sends and updates are checked as Teams checks them — the card
(cards.py), the size and the rate limits (limits.py) — and recorded.

Errors are Teams' shape: {"error": {"code": …, "message": …}}. The app not installed for
a user: 403 (the bot is not in the conversation's roster); an unknown conversation or
message: 404; a card Teams would not render: 400; too big: 413; too fast: 429.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import jwt
from aiohttp import web

from .cards import CardError, validate_card
from .limits import MESSAGE_LIMIT
from .login import BOT_FRAMEWORK_ISSUER
from .models import CARD, Posted

if TYPE_CHECKING:
    from .stub import TeamsStub

BASE = "/teams/v3/conversations"


def error(
    status: int, code: str, message: str = "", headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message or code}}, status=status, headers=headers
    )


def routes(stub: TeamsStub) -> list[web.RouteDef]:
    def checked(request: web.Request) -> web.Response | None:
        """The bearer token, the injected faults and the rate limits, in Teams' order."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            claims = stub.entra_key.verify(token, audience=BOT_FRAMEWORK_ISSUER)
        except jwt.PyJWTError:
            return error(401, "Unauthorized", "the bearer token is not valid")
        if scheme != "Bearer" or claims.get("appid") != stub.identity.app_id:
            return error(401, "Unauthorized", "the token is not this bot's")
        fault = stub.faults.take(request.method, request.path)
        if fault is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            )
            return error(fault.status, fault.code, headers=headers)
        conversation = request.match_info.get("conversation", "")
        retry_after = stub.limits.admit(conversation.split(";")[0] or "create")
        if retry_after is not None:
            stub.throttled += 1
            return error(429, "TooManyRequests", headers={"Retry-After": f"{retry_after:g}"})
        return None

    def refused_message(body: dict[str, Any]) -> web.Response | None:
        size = len(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        if size > MESSAGE_LIMIT:
            stub.too_big.append(size)
            return error(413, "MessageSizeTooBig", f"{size} bytes; Teams takes {MESSAGE_LIMIT}")
        if body.get("type") != "message":
            return error(400, "BadArgument", f"activity type {body.get('type')!r}")
        for attachment in body.get("attachments") or []:
            if attachment.get("contentType") == CARD:
                try:
                    validate_card(attachment.get("content"))
                except CardError as problem:
                    stub.bad_cards.append(str(problem))
                    return error(400, "BadArgument", str(problem))
        if not body.get("attachments") and not str(body.get("text") or "").strip():
            return error(400, "BadArgument", "a message needs text or an attachment")
        return None

    async def create(request: web.Request) -> web.Response:
        if (refused := checked(request)) is not None:
            return refused
        body = await request.json()
        members = body.get("members") or []
        if len(members) != 1 or body.get("isGroup"):
            return error(400, "BadArgument", "a bot opens personal chats with one member")
        user = stub.user_by_id(str(members[0].get("id", "")))
        if user is None:
            return error(404, "NotFound", "no such user in the tenant")
        conversation = stub.personal_chat(user)
        if conversation is None or not conversation.bot_present:
            return error(403, "Forbidden", "The bot is not part of the conversation roster.")
        stub.created.append(conversation.id)
        return web.json_response({"id": conversation.id}, status=201)

    async def post(request: web.Request, reply_to: str | None) -> web.Response:
        if (refused := checked(request)) is not None:
            return refused
        conversation_id = request.match_info["conversation"]
        conversation = stub.conversations.get(conversation_id.split(";")[0])
        if conversation is None:
            return error(404, "ConversationNotFound", conversation_id)
        if not conversation.bot_present:
            return error(403, "Forbidden", "The bot is not part of the conversation roster.")
        body = await request.json()
        if (refused := refused_message(body)) is not None:
            return refused
        thread = None
        if conversation.kind == "channel":
            thread = reply_to or (
                conversation_id.split(";messageid=")[1]
                if ";messageid=" in conversation_id
                else None
            )
            if thread is not None and thread not in stub.roots and not stub.posted_by_id(thread):
                return error(404, "NotFound", f"no message {thread} to reply to")
        in_turn = conversation.id in stub.in_turn
        kind = "reply" if thread else ("sent" if in_turn else "proactive")
        posted = Posted(stub.ids.message(), conversation.id, body, kind, thread)
        stub.posted.append(posted)
        stub.changed()
        return web.json_response({"id": posted.id}, status=201)

    async def send(request: web.Request) -> web.Response:
        return await post(request, None)

    async def reply(request: web.Request) -> web.Response:
        return await post(request, request.match_info["activity"])

    async def update(request: web.Request) -> web.Response:
        if (refused := checked(request)) is not None:
            return refused
        posted = stub.posted_by_id(request.match_info["activity"])
        conversation_id = request.match_info["conversation"].split(";")[0]
        if posted is None or posted.conversation_id != conversation_id:
            return error(404, "NotFound", "no such message from the bot here")
        body = await request.json()
        if (refused := refused_message(body)) is not None:
            return refused
        posted.updates.append(body)
        stub.changed()
        return web.json_response({"id": posted.id})

    async def member(request: web.Request) -> web.Response:
        if (refused := checked(request)) is not None:
            return refused
        conversation = stub.conversations.get(request.match_info["conversation"].split(";")[0])
        user = stub.user_by_id(request.match_info["user"])
        if conversation is None or user is None or user.teams_id not in conversation.members:
            return error(404, "NotFound", "no such member")
        return web.json_response(user.account(stub.identity.tenant_id))

    return [
        web.post(BASE, create),
        web.post(BASE + "/{conversation}/activities", send),
        web.post(BASE + "/{conversation}/activities/{activity}", reply),
        web.put(BASE + "/{conversation}/activities/{activity}", update),
        web.get(BASE + "/{conversation}/members/{user}", member),
    ]
