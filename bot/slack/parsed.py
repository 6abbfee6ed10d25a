"""A bolt request over the payload the route has already parsed and checked.

The route (bot/server.py) parses a body with bolt's own `parse_body` to check its shape
before bolt sees it (bot/slack/shape.py). bolt's `AsyncBoltRequest` would parse it again:
url-decoding some 10 KB of escaped JSON is the dearest single step of a click's request,
so it was done twice per click. Here bolt gets the parsed payload, its context built from
it by bolt's own `build_async_context`, and the raw text its signature check reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest


def parsed_request(
    raw_body: str,
    payload: dict[str, Any],
    *,
    query: str,
    headers: Mapping[str, str],
) -> AsyncBoltRequest:
    """The request bolt would build from `raw_body`, given its parse (`payload`)."""
    # the headers as bolt's aiohttp adapter passes them (a multidict, repeated names kept)
    request = AsyncBoltRequest(body="", query=query, headers=headers)  # type: ignore[arg-type]
    request.raw_body = raw_body
    request.body = payload
    request.context = build_async_context(AsyncBoltContext({}), payload)
    return request
