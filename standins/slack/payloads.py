"""What Slack sends an app: slash commands, interactions and Events API callbacks.

Shapes follow docs.slack.dev (slash command form fields, ``block_actions``,
``view_submission``, ``view_closed``, ``event_callback`` with ``authorizations``); real
samples live in ``tests/fixtures/slack/``. Builders take the workspace's objects and
return plain dicts, ready for either transport.
"""

from __future__ import annotations

import time
import uuid

from .models import JSON, Channel, Message, User, View
from .workspace import AppIdentity


def _team(ident: AppIdentity) -> JSON:
    return {"id": ident.team_id, "domain": ident.team_domain}


def channel_ref(channel: Channel) -> JSON:
    return {"id": channel.id, "name": "directmessage" if channel.kind == "im" else channel.name}


def slash_command(
    ident: AppIdentity,
    user: User,
    channel: Channel,
    command: str,
    text: str,
    *,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    return {
        "token": ident.verification_token,
        "team_id": ident.team_id,
        "team_domain": ident.team_domain,
        "channel_id": channel.id,
        "channel_name": channel_ref(channel)["name"],
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": ident.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def block_actions(
    ident: AppIdentity,
    user: User,
    action: JSON,
    *,
    trigger_id: str,
    message: Message | None = None,
    channel: Channel | None = None,
    view: View | None = None,
    response_url: str | None = None,
    ephemeral_ts: str | None = None,
) -> JSON:
    payload: JSON = {
        "type": "block_actions",
        "user": user.to_ref(ident.team_id),
        "api_app_id": ident.app_id,
        "token": ident.verification_token,
        "trigger_id": trigger_id,
        "team": _team(ident),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = view.to_api()
        payload["state"] = {"values": view.to_api()["state"]["values"]}
    elif channel is not None:
        ts = message.ts if message is not None else ephemeral_ts
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel.id,
            "is_ephemeral": message is None,
        }
        payload["channel"] = channel_ref(channel)
        if message is not None:
            payload["message"] = message.to_api(ident.team_id)
        payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def view_submission(ident: AppIdentity, user: User, view: View, *, trigger_id: str) -> JSON:
    return {
        "type": "view_submission",
        "team": _team(ident),
        "user": user.to_ref(ident.team_id),
        "api_app_id": ident.app_id,
        "token": ident.verification_token,
        "trigger_id": trigger_id,
        "view": view.to_api(),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(ident: AppIdentity, user: User, view: View, *, is_cleared: bool) -> JSON:
    return {
        "type": "view_closed",
        "team": _team(ident),
        "user": user.to_ref(ident.team_id),
        "api_app_id": ident.app_id,
        "token": ident.verification_token,
        "view": view.to_api(),
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_callback(ident: AppIdentity, event: JSON, *, event_id: str, now: float) -> JSON:
    return {
        "token": ident.verification_token,
        "team_id": ident.team_id,
        "api_app_id": ident.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ident.team_id,
                "user_id": ident.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex[:24]}",
    }


def app_home_opened(user: User, dm: Channel, home: View | None, *, ts: str, tab: str) -> JSON:
    event: JSON = {
        "type": "app_home_opened",
        "user": user.id,
        "channel": dm.id,
        "tab": tab,
        "event_ts": ts,
    }
    if home is not None:
        event["view"] = home.to_api()
    return event


def message_event(user: User, channel: Channel, message: Message, team_id: str) -> JSON:
    event: JSON = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": message.text,
        "user": user.id,
        "ts": message.ts,
        "team": team_id,
        "channel": channel.id,
        "event_ts": message.ts,
        "channel_type": {"im": "im", "private": "group", "public": "channel"}[channel.kind],
    }
    if message.thread_ts:
        event["thread_ts"] = message.thread_ts
    return event


def url_verification(ident: AppIdentity, challenge: str | None = None) -> JSON:
    return {
        "token": ident.verification_token,
        "challenge": challenge or f"challenge-{int(time.time())}-{uuid.uuid4().hex[:8]}",
        "type": "url_verification",
    }
