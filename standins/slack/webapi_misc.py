"""auth.test, users.*, files.* (the two-step external upload) and apps.connections.open."""

from __future__ import annotations

from typing import Any

from .models import JSON, UploadedFile
from .webapi import ApiError, Call, MethodSpec, invalid_arguments, resolve_channel, scopes


def auth_test(call: Call) -> JSON:
    ident = call.state.identity
    return {
        "ok": True,
        "url": f"https://{ident.team_domain}.slack.com/",
        "team": ident.team_name,
        "user": ident.bot_name,
        "team_id": ident.team_id,
        "user_id": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "is_enterprise_install": False,
    }


def users_info(call: Call) -> JSON:
    user = call.ws.users.get(call.text("user") or "")
    if user is None:
        raise ApiError("user_not_found")
    with_email = "users:read.email" in call.state.bot_scopes
    return {
        "ok": True,
        "user": user.to_api(
            call.state.identity.team_id,
            with_email=with_email,
            with_locale=call.flag("include_locale"),
        ),
    }


def users_lookup_by_email(call: Call) -> JSON:
    email = (call.text("email", required=True) or "").lower()
    for user in call.ws.users.values():
        if user.email.lower() == email:
            team = call.state.identity.team_id
            return {"ok": True, "user": user.to_api(team, with_email=True, with_locale=False)}
    raise ApiError("users_not_found")


def get_upload_url(call: Call) -> JSON:
    filename = call.text("filename")
    if filename is None:
        raise invalid_arguments("[ERROR] missing required field: filename")
    length = call.number("length", 0)
    if length <= 0:
        raise ApiError("missing_argument")
    alt_txt = call.text("alt_txt")
    if alt_txt is not None and len(alt_txt) > 1000:
        raise ApiError("alt_txt_too_large")
    file_id = call.ws.ids.next("F")
    ticket = call.ws.ids.secret(16)
    call.ws.files[file_id] = UploadedFile(
        file_id, filename, length, alt_txt=alt_txt, snippet_type=call.text("snippet_type")
    )
    call.ws.upload_tickets[ticket] = file_id
    return {
        "ok": True,
        "upload_url": f"{call.state.base_url}upload/v1/{ticket}",
        "file_id": file_id,
    }


def complete_upload(call: Call) -> JSON:
    listed = call.json("files", error="invalid_arguments")
    if not isinstance(listed, list) or not listed:
        raise invalid_arguments("[ERROR] missing required field: files")
    files: list[tuple[UploadedFile, Any]] = []
    for item in listed:
        file = call.ws.files.get(str(item.get("id"))) if isinstance(item, dict) else None
        if file is None or file.data is None:
            raise ApiError("file_not_found")
        files.append((file, item.get("title")))
    targets = [c for c in (call.text("channels") or "").split(",") if c]
    if call.text("channel_id"):
        targets.insert(0, call.text("channel_id") or "")
    channels = [resolve_channel(call, t, allow_user=True) for t in targets]
    for channel in channels:
        if not call.ws.bot_can_read(channel):
            raise ApiError("not_in_channel")
    thread_ts = call.text("thread_ts")
    comment = call.text("initial_comment")
    for file, title in files:
        file.title = str(title) if title else file.filename
        file.completed = True
        file.initial_comment = comment
        file.thread_ts = thread_ts
    for channel in channels:
        message = call.state.post_as_bot(
            channel.id, text=comment or "", thread_ts=thread_ts, files=[f.id for f, _ in files]
        )
        for file, _ in files:
            file.shares.append((channel.id, message.ts))
    ident = call.state.identity
    created = int(call.state.wall_clock())
    call.state.changed()
    return {
        "ok": True,
        "files": [
            {**f.to_api(ident.team_id, ident.bot_user_id, created), "title": f.title}
            for f, _ in files
        ],
    }


def connections_open(call: Call) -> JSON:
    ticket = call.ws.ids.secret(16)
    call.ws.socket_tickets.add(ticket)
    app_id = call.state.identity.app_id
    ws_base = call.state.base_url.replace("http://", "ws://", 1)
    return {"ok": True, "url": f"{ws_base}link/?ticket={ticket}&app_id={app_id}"}


METHODS: dict[str, MethodSpec] = {
    "auth.test": MethodSpec(auth_test, 4, scopes()),
    "users.info": MethodSpec(users_info, 4, scopes("users:read")),
    "users.lookupByEmail": MethodSpec(users_lookup_by_email, 3, scopes("users:read.email")),
    "files.getUploadURLExternal": MethodSpec(get_upload_url, 4, scopes("files:write")),
    "files.completeUploadExternal": MethodSpec(complete_upload, 4, scopes("files:write")),
    "apps.connections.open": MethodSpec(
        connections_open, 3, scopes("connections:write"), token="app"
    ),
}
