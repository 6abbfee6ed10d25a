"""Posting to Slack for jobs: each message carries a key, and can be looked for later.

Slack message metadata holds the key of the job that sent a message. When a send may
already have happened (a retried job: the process died after Slack took the message,
or the answer was lost on the wire), the channel's recent history is searched for that
key first, so nobody is shown the same message twice. Slack's errors become the job
queue's: wait (429), retry (5xx, dropped connection), give up (the person is gone), or
report (the message itself was refused).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from render.slack.views import SlackMessage
from service.messenger import PermanentFailure, RateLimited, Sent, TransientFailure, Unreachable

T = TypeVar("T")

METADATA_TYPE = "fremdrift_send"
HISTORY_DEPTH = 100
UNREACHABLE = {
    "user_not_found",
    "users_not_found",
    "channel_not_found",
    "cannot_dm_bot",
    "user_disabled",
    "account_inactive",
    "not_in_channel",
    "is_archived",
    "messages_tab_disabled",
}
TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def delivery_error(error: SlackApiError) -> Exception:
    """Slack's refusal as what the job queue should do about it."""
    status = error.response.status_code
    code = str(error.response.get("error", ""))
    if status == 429 or code == "ratelimited":
        retry_after = float(error.response.headers.get("Retry-After", "1") or 1)
        return RateLimited(retry_after)
    if status >= 500 or code in TRANSIENT:
        return TransientFailure(code or str(status))
    if code in UNREACHABLE:
        return Unreachable(code, platform="slack")
    return PermanentFailure(code or str(status), platform="slack")


async def call(request: Awaitable[T]) -> T:
    """Await a Web API call, with Slack's and the network's errors translated."""
    try:
        return await request
    except SlackApiError as error:
        raise delivery_error(error) from error
    except (TimeoutError, SlackClientError, aiohttp.ClientError) as error:
        raise TransientFailure(type(error).__name__) from error


def _carries(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == METADATA_TYPE and payload.get("key") == key)


class Poster:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self, channel: str, message: SlackMessage, *, key: str, thread_ts: str | None = None
    ) -> Sent:
        response: AsyncSlackResponse = await call(
            self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                thread_ts=thread_ts,
                metadata={"event_type": METADATA_TYPE, "event_payload": {"key": key}},
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return Sent({"platform": "slack", "channel": response["channel"], "ts": response["ts"]})

    async def find_sent(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ts of a recent message that carries this key, if there is one."""
        for message in await self._recent(channel, thread_ts):
            if _carries(message, key):
                return str(message["ts"])
        return None

    async def has_files(self, channel: str, thread_ts: str) -> bool:
        return any(message.get("files") for message in await self._recent(channel, thread_ts))

    async def _recent(self, channel: str, thread_ts: str | None) -> list[dict[str, Any]]:
        if thread_ts:
            request = self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=HISTORY_DEPTH, include_all_metadata=True
            )
        else:
            request = self.client.conversations_history(
                channel=channel, limit=HISTORY_DEPTH, include_all_metadata=True
            )
        response: AsyncSlackResponse = await call(request)
        messages: list[dict[str, Any]] = response.get("messages", [])
        return messages

    async def open_dm(self, user_id: str) -> str:
        response: AsyncSlackResponse = await call(self.client.conversations_open(users=user_id))
        return str(response["channel"]["id"])

    async def upload(
        self, channel: str, thread_ts: str, files: list[tuple[str, str, bytes]]
    ) -> None:
        """Files through Slack's external upload, shared in the thread."""
        await call(
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                file_uploads=[
                    {"content": content, "filename": filename, "title": title}
                    for filename, title, content in files
                ],
            )
        )
