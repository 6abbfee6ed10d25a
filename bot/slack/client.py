"""The Web API clients: one aiohttp session, two retry policies.

Interactive calls (updating the checklist message, ephemeral notes, modals) may be retried
on a dropped connection or a 429: doing them twice shows the same thing. Job sends
(invitations, reminders, the publication) are not retried by the SDK at all: the job
queue retries them itself, after looking whether the first attempt got through.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from service.metrics import RATE_LIMITED


class CountRateLimits(AsyncRetryHandler):
    """Retries nothing: counts each 429 Slack answers (service.metrics), then lets the next
    handler decide. The SDK asks every handler about every response, in order."""

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            RATE_LIMITED.labels(method=request.url.rstrip("/").rsplit("/", 1)[-1]).inc()
        return False


def interactive_client(token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        retry_handlers=[
            CountRateLimits(),
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def job_client(token: str, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    return AsyncWebClient(
        token=token, base_url=base_url, session=session, retry_handlers=[CountRateLimits()]
    )
