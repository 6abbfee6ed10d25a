"""Slack calling the app, over HTTP (signed requests) or Socket Mode (envelopes).

One :meth:`Sender.send` for both transports returns a :class:`Delivery`: what went out,
what came back, whether it counted as acknowledged within Slack's 3 s (on the injectable
clock) and the ack payload. HTTP requests are timed out after ``http_timeout`` real
seconds (3 by default, as Slack does).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

import aiohttp

from .clock import notifies
from .models import JSON
from .signing import Tamper, signed_headers
from .socketmode import ACK_DEADLINE, Envelope, SocketModeServer
from .state import SlackState

Kind = Literal["command", "interaction", "event", "url_verification"]
Transport = Literal["http", "socket"]
ENVELOPE_TYPES = {"command": "slash_commands", "interaction": "interactive", "event": "events_api"}
MAX_EVENT_RETRIES = 3


@dataclass
class Delivery:
    """One thing Slack sent the app, and the app's answer."""

    kind: Kind
    transport: Transport
    payload: JSON
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    acked: bool = False
    ack_payload: JSON | None = None
    timed_out: bool = False
    error: str | None = None
    elapsed: float = 0.0
    envelope: Envelope | None = None
    request_body: bytes = b""
    request_headers: dict[str, str] = field(default_factory=dict)
    retry_num: int = 0
    retry_reason: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def json(self) -> JSON | None:
        try:
            value = json.loads(self.body)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def slack_would_retry(self) -> bool:
        """Events only: Slack retries up to 3 times unless acked or the app said No-Retry."""
        return (
            self.kind == "event"
            and not self.acked
            and self.retry_num < MAX_EVENT_RETRIES
            and self.headers.get("X-Slack-No-Retry") != "1"
        )


class Sender:
    def __init__(self, state: SlackState, socket: SocketModeServer, *, http_timeout: float) -> None:
        self.state = state
        self.socket = socket
        self.request_url: str | None = None
        self.http_timeout = http_timeout
        self.connect_wait = 5.0
        self.manual_clock_bound = 10.0
        self.deliveries: list[Delivery] = []
        self.session: aiohttp.ClientSession | None = None

    def transport_for(self, transport: Transport | None) -> Transport:
        if transport is not None:
            return transport
        return "http" if self.request_url else "socket"

    async def send(
        self,
        kind: Kind,
        payload: JSON,
        *,
        transport: Transport | None = None,
        tamper: Tamper | None = None,
        retry_num: int = 0,
        retry_reason: str | None = None,
    ) -> Delivery:
        chosen = self.transport_for(transport)
        delivery = Delivery(kind, chosen, payload, retry_num=retry_num, retry_reason=retry_reason)
        if chosen == "socket":
            if tamper is not None or kind == "url_verification":
                raise ValueError("tampering and url_verification exist only over HTTP")
            await self._socket(delivery)
        else:
            body, content_type = _encode(kind, payload)
            signed_body, headers = signed_headers(
                self.state.identity.signing_secret,
                body,
                now=self.state.wall_clock(),
                content_type=content_type,
                tamper=tamper,
            )
            if retry_num:
                headers["X-Slack-Retry-Num"] = str(retry_num)
                headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
            await self._http(delivery, signed_body, headers)
        self.deliveries.append(delivery)
        self.state.changed()
        return delivery

    async def replay(self, previous: Delivery) -> Delivery:
        """Send a previous HTTP request again, byte for byte (a replay attack)."""
        if previous.transport != "http":
            raise ValueError("only HTTP requests can be replayed")
        delivery = Delivery(previous.kind, "http", previous.payload)
        await self._http(delivery, previous.request_body, dict(previous.request_headers))
        self.deliveries.append(delivery)
        return delivery

    async def retry_event(self, previous: Delivery, reason: str = "http_timeout") -> Delivery:
        """Slack's Events API retry: same body, fresh signature, X-Slack-Retry-* headers."""
        if previous.kind != "event":
            raise ValueError("Slack retries only Events API deliveries, never interactions")
        if previous.retry_num >= MAX_EVENT_RETRIES:
            raise ValueError("Slack gives up after 3 retries")
        return await self.send(
            "event",
            previous.payload,
            transport=previous.transport,
            retry_num=previous.retry_num + 1,
            retry_reason=reason,
        )

    # -- HTTP --------------------------------------------------------------------------------
    async def _http(self, delivery: Delivery, body: bytes, headers: dict[str, str]) -> None:
        if self.request_url is None:
            raise RuntimeError("set SlackStub.request_url to the app's endpoint first")
        if self.session is None:
            raise RuntimeError("the stand-in is not started")
        delivery.request_body, delivery.request_headers = body, headers
        started = self.state.clock()
        timeout = aiohttp.ClientTimeout(total=self.http_timeout)
        try:
            async with self.session.post(
                self.request_url, data=body, headers=headers, timeout=timeout
            ) as response:
                delivery.status = response.status
                delivery.headers = dict(response.headers)
                delivery.body = await response.text()
        except TimeoutError:
            delivery.timed_out = True
        except aiohttp.ClientError as error:
            delivery.error = f"{type(error).__name__}: {error}"
        delivery.elapsed = self.state.clock() - started
        if delivery.elapsed > ACK_DEADLINE:
            delivery.timed_out = True
        ok = delivery.status is not None and 200 <= delivery.status < 300
        delivery.acked = ok and not delivery.timed_out
        if delivery.acked and delivery.body:
            delivery.ack_payload = delivery.json or {"text": delivery.body}

    # -- Socket Mode ------------------------------------------------------------------------
    async def _socket(self, delivery: Delivery) -> None:
        changes = self.state.recorder.changes
        if not self.socket.open_connections:
            with contextlib.suppress(TimeoutError):
                await changes.wait_for(lambda: self.socket.open_connections, self.connect_wait)
        envelope = Envelope(
            envelope_id=self.state.workspace.ids.envelope_id(),
            type=ENVELOPE_TYPES[delivery.kind],
            payload=delivery.payload,
            accepts_response_payload=delivery.kind != "event",
            created_at=self.state.clock(),
            retry_attempt=delivery.retry_num,
            retry_reason=(delivery.retry_reason or "timeout") if delivery.retry_num else "",
        )
        delivery.envelope = envelope
        started = self.state.clock()
        await self.socket.deliver(envelope)
        await self._await_ack(envelope)
        delivery.elapsed = self.state.clock() - started
        in_time = envelope.acked_at is not None and envelope.acked_at <= envelope.deadline()
        delivery.acked = envelope.acked and in_time
        delivery.timed_out = not delivery.acked
        delivery.ack_payload = envelope.ack_payload if delivery.acked else None

    async def _await_ack(self, envelope: Envelope) -> None:
        clock = self.state.clock
        changes = self.state.recorder.changes

        def settled() -> bool:
            return envelope.acked or clock() >= envelope.deadline()

        while not settled():
            if notifies(clock):
                bound = self.manual_clock_bound
            else:
                bound = max(envelope.deadline() - clock(), 0.01)
            try:
                await changes.wait_for(settled, bound)
            except TimeoutError:
                if notifies(clock):
                    return


def _encode(kind: Kind, payload: JSON) -> tuple[bytes, str]:
    if kind == "command":
        return urlencode(payload).encode(), "application/x-www-form-urlencoded"
    if kind == "interaction":
        return urlencode(
            {"payload": json.dumps(payload)}
        ).encode(), "application/x-www-form-urlencoded"
    return json.dumps(payload).encode(), "application/json"
