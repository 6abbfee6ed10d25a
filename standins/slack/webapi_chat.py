"""chat.* and conversations.*: posting, editing and reading messages.

Verified (docs.slack.dev method pages): a user id as ``channel`` posts into the app's DM
with that person; ``channel_not_found``, ``not_in_channel`` (posting to a public channel
without ``chat:write.public``), ``no_text``, ``msg_too_long``, ``invalid_blocks``,
``invalid_blocks_format``, ``invalid_metadata_format``, ``message_not_found``,
``cant_update_message``, ``user_not_in_channel``, ``users_list_not_supplied``,
``user_not_found``, ``thread_not_found`` (replies); chat.update drops blocks when only
``text`` is given and drops metadata when given ``{}``; history omits metadata unless
``include_all_metadata`` and leaves thread replies out.
Chosen: text over 40,000 characters is refused (``msg_too_long``) rather than truncated;
a ``thread_ts`` that names no message is ``thread_not_found``; a private channel the bot is
not in does not exist (``channel_not_found``); conversations.open models 1:1 DMs only;
cursors are opaque offsets.
"""

from __future__ import annotations

import base64

from .models import JSON, Ephemeral, Message
from .webapi import (
    ApiError,
    Call,
    MethodSpec,
    history_scope,
    read_blocks,
    read_metadata,
    read_text,
    resolve_channel,
    scopes,
)


def _writable(call: Call, channel_value: str | None, *, allow_user: bool = True) -> str:
    channel = resolve_channel(call, channel_value, allow_user=allow_user)
    if not call.ws.bot_can_read(channel):
        if channel.kind == "public" and "chat:write.public" in call.state.bot_scopes:
            return channel.id
        raise ApiError("not_in_channel")
    return channel.id


def post_message(call: Call) -> JSON:
    channel_id = _writable(call, call.text("channel"))
    retry_after = call.state.limiter.check_post_message(channel_id)
    if retry_after is not None:
        raise RateLimitedError(retry_after)
    blocks = read_blocks(call)
    text = read_text(call, blocks=blocks) or ""
    metadata = read_metadata(call) or None
    thread_ts = call.text("thread_ts")
    if thread_ts is not None and call.ws.find_message(channel_id, thread_ts) is None:
        raise ApiError("thread_not_found")
    message = call.state.post_as_bot(
        channel_id,
        text=text,
        blocks=blocks,
        thread_ts=thread_ts,
        metadata=metadata,
        reply_broadcast=call.flag("reply_broadcast"),
    )
    team = call.state.identity.team_id
    return {
        "ok": True,
        "channel": channel_id,
        "ts": message.ts,
        "message": message.to_api(team, include_metadata=True),
    }


class RateLimitedError(Exception):
    """chat.postMessage's own per-channel limit, decided inside the handler."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def update(call: Call) -> JSON:
    channel = resolve_channel(call, call.text("channel"), allow_user=False)
    ts = call.text("ts")
    message = channel.find(ts) if ts else None
    if message is None or message.deleted:
        raise ApiError("message_not_found")
    if message.user != call.state.identity.bot_user_id:
        raise ApiError("cant_update_message")
    if not (call.has("text") or call.has("blocks") or "metadata" in call.params):
        raise ApiError("no_text")
    blocks = read_blocks(call)
    text = read_text(call, blocks=blocks, required=False)
    metadata = read_metadata(call)
    team = call.state.identity.team_id
    message.history.append(message.to_api(team))
    if blocks is not None:
        message.blocks = blocks
        if text is not None:
            message.text = text
    elif text is not None:
        message.text = text
        message.blocks = None
        message.edited = True
    if metadata is not None:
        message.metadata = metadata or None
    call.state.changed()
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(team),
    }


def post_ephemeral(call: Call) -> JSON:
    channel = resolve_channel(call, call.text("channel"))
    user = call.text("user")
    if user is None or user not in call.ws.users:
        raise ApiError("user_not_found")
    if not call.ws.bot_can_read(channel):
        raise ApiError("not_in_channel")
    if user not in channel.members:
        raise ApiError("user_not_in_channel")
    blocks = read_blocks(call)
    text = read_text(call, blocks=blocks) or ""
    ts = call.ws.ids.ts(call.state.wall_clock())
    call.ws.ephemerals.append(
        Ephemeral(channel.id, user, ts, text, blocks, call.text("thread_ts"), "chat.postEphemeral")
    )
    call.state.changed()
    return {"ok": True, "message_ts": ts}


def get_permalink(call: Call) -> JSON:
    channel = resolve_channel(call, call.text("channel"), allow_user=False)
    ts = call.text("message_ts")
    message = channel.find(ts) if ts else None
    if message is None:
        raise ApiError("message_not_found")
    domain = call.state.identity.team_domain
    link = f"https://{domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": link}


def _readable(call: Call) -> list[Message]:
    channel = resolve_channel(call, call.text("channel"), allow_user=False)
    if not call.ws.bot_can_read(channel):
        raise ApiError("not_in_channel")
    return channel.visible()


def _page(call: Call, messages: list[Message]) -> JSON:
    limit = max(1, min(call.number("limit", 100), 999))
    cursor = call.text("cursor")
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
        except ValueError:
            raise ApiError("invalid_cursor") from None
    page = messages[start : start + limit]
    more = start + limit < len(messages)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    team = call.state.identity.team_id
    include = call.flag("include_all_metadata")
    return {
        "ok": True,
        "messages": [m.to_api(team, include_metadata=include) for m in page],
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def _window(call: Call, messages: list[Message]) -> list[Message]:
    oldest = float(call.text("oldest") or 0)
    latest = float(call.text("latest") or "inf")
    inclusive = call.flag("inclusive")

    def inside(m: Message) -> bool:
        t = float(m.ts)
        if inclusive:
            return oldest <= t <= latest
        return oldest < t < latest

    return [m for m in messages if inside(m)]


def history(call: Call) -> JSON:
    messages = _window(call, _readable(call))
    return _page(call, list(reversed(messages)))


def replies(call: Call) -> JSON:
    _readable(call)
    ts = call.text("ts", required=True) or ""
    channel_id = call.text("channel") or ""
    parent = call.ws.find_message(channel_id, ts)
    if parent is None:
        raise ApiError("thread_not_found")
    if parent.is_reply:
        parent = call.ws.find_message(channel_id, parent.thread_ts or ts) or parent
    thread = [parent, *[r for r in parent.replies if not r.deleted]]
    return _page(call, _window(call, thread))


def open_conversation(call: Call) -> JSON:
    users = [u for u in (call.text("users") or "").split(",") if u]
    existing = call.text("channel")
    if existing:
        channel = call.ws.channels.get(existing)
        if channel is None or channel.kind != "im":
            raise ApiError("channel_not_found")
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel.id}}
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError(
            "invalid_arguments",
            response_metadata={"messages": ["the stand-in models 1:1 DMs only"]},
        )
    if users[0] not in call.ws.users:
        raise ApiError("user_not_found")
    already = call.ws.dm_with(users[0], create=False)
    channel = call.ws.dm_with(users[0])
    assert channel is not None
    body: JSON = {"ok": True, "channel": {"id": channel.id}}
    if call.flag("return_im"):
        body["channel"].update({"is_im": True, "user": users[0], "is_open": True})
    if already is not None:
        body.update({"no_op": True, "already_open": True})
    call.state.changed()
    return body


def _im_scope(call: Call) -> tuple[str, ...]:
    return ("im:write",)


METHODS: dict[str, MethodSpec] = {
    "chat.postMessage": MethodSpec(post_message, 0, scopes("chat:write")),
    "chat.update": MethodSpec(update, 3, scopes("chat:write")),
    "chat.postEphemeral": MethodSpec(post_ephemeral, 4, scopes("chat:write")),
    "chat.getPermalink": MethodSpec(get_permalink, 4, scopes()),
    "conversations.history": MethodSpec(history, 3, history_scope),
    "conversations.replies": MethodSpec(replies, 3, history_scope),
    "conversations.open": MethodSpec(open_conversation, 3, _im_scope),
}
