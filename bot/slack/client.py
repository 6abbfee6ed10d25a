"""The Web API clients: one aiohttp session, two retry policies.

Interactive calls (updating the checklist message, ephemeral notes, modals) may be retried
on a dropped connection or a 429: doing them twice shows the same thing. Job sends
(invitations, reminders, the publication) are not retried by the SDK at all: the job
queue retries them itself, after looking whether the first attempt got through.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient


def interactive_client(token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def job_client(token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=base_url, session=session, retry_handlers=[])
