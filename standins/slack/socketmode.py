"""Socket Mode, Slack's side: the websocket an app reaches through apps.connections.open.

Verified (docs.slack.dev "Using Socket Mode"): a ``hello`` first (``num_connections``,
``debug_info``, ``connection_info.app_id``); envelopes ``{envelope_id, type, payload,
accepts_response_payload}`` with ``retry_attempt``/``retry_reason`` on events; the app acks
with ``{envelope_id, payload?}``; ``disconnect`` with reason ``warning``,
``refresh_requested``, ``link_disabled`` or ``too_many_websockets``; up to 10 connections;
ack within 3 s.
Chosen: a ticket is good for one connection (401 otherwise); an 11th connection gets
``disconnect``/``too_many_websockets`` and is closed; envelopes go round-robin over open
connections; an envelope still unacked when its connection ends is sent again (same
envelope_id) on the next connection if it is an event or still inside its 3 s window, with
``retry_attempt`` + 1 and ``retry_reason: "timeout"`` on events.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from .faults import Drop, Slow
from .models import JSON
from .state import SlackState

MAX_CONNECTIONS = 10
ACK_DEADLINE = 3.0
HOST = "applink-stub-1"


@dataclass
class Connection:
    id: int
    ws: web.WebSocketResponse
    request: web.Request
    opened_at: float
    open: bool = True
    received: list[JSON] = field(default_factory=list)


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: JSON
    accepts_response_payload: bool
    created_at: float
    retry_attempt: int = 0
    retry_reason: str = ""
    sent_at: float | None = None
    connection: int | None = None
    sends: int = 0
    acked: bool = False
    ack_payload: JSON | None = None
    acked_at: float | None = None

    def frame(self) -> JSON:
        frame: JSON = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            frame["retry_attempt"] = self.retry_attempt
            frame["retry_reason"] = self.retry_reason
        return frame

    def deadline(self) -> float:
        return (self.sent_at if self.sent_at is not None else self.created_at) + ACK_DEADLINE


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: JSON | None
    at: float
    connection: int


class SocketModeServer:
    def __init__(self, state: SlackState) -> None:
        self.state = state
        self.connections: list[Connection] = []
        self.refused: int = 0
        self.envelopes: dict[str, Envelope] = {}
        self.pending: list[Envelope] = []
        self.acks: list[Ack] = []
        self._ids = itertools.count(1)
        self._turn = 0

    @property
    def open_connections(self) -> list[Connection]:
        return [c for c in self.connections if c.open]

    # -- the websocket endpoint ------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        tickets = self.state.workspace.socket_tickets
        ticket = request.query.get("ticket", "")
        if ticket not in tickets:
            return web.Response(status=401, text="invalid_ticket")
        tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        if len(self.open_connections) >= MAX_CONNECTIONS:
            self.refused += 1
            await ws.send_json(self._disconnect("too_many_websockets"))
            await ws.close()
            self.state.changed()
            return ws
        conn = Connection(next(self._ids), ws, request, self.state.clock())
        self.connections.append(conn)
        await ws.send_json(self._hello())
        self.state.changed()
        await self._flush_pending()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(conn, message.data)
        finally:
            conn.open = False
            self._requeue(conn)
            self.state.changed()
            await self._flush_pending()
        return ws

    def _hello(self) -> JSON:
        return {
            "type": "hello",
            "num_connections": len(self.open_connections),
            "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.state.identity.app_id},
        }

    @staticmethod
    def _disconnect(reason: str) -> JSON:
        return {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}}

    def _receive(self, conn: Connection, data: str) -> None:
        try:
            frame = json.loads(data)
        except json.JSONDecodeError:
            return
        if not isinstance(frame, dict):
            return
        conn.received.append(frame)
        envelope_id = frame.get("envelope_id")
        if isinstance(envelope_id, str):
            payload = frame.get("payload")
            ack = Ack(
                envelope_id,
                payload if isinstance(payload, dict) else None,
                self.state.clock(),
                conn.id,
            )
            self.acks.append(ack)
            envelope = self.envelopes.get(envelope_id)
            if envelope is not None and not envelope.acked:
                envelope.acked = True
                envelope.ack_payload = ack.payload
                envelope.acked_at = ack.at
        self.state.changed()

    def _requeue(self, conn: Connection) -> None:
        now = self.state.clock()
        for envelope in self.envelopes.values():
            if envelope.connection != conn.id or envelope.acked or envelope in self.pending:
                continue
            if envelope.type == "events_api":
                envelope.retry_attempt += 1
                envelope.retry_reason = "timeout"
                self.pending.append(envelope)
            elif now < envelope.deadline():
                self.pending.append(envelope)

    async def _flush_pending(self) -> None:
        """Send what waited for a connection; called on hello and when one ends."""
        while self.pending and self.open_connections:
            await self._send(self.pending.pop(0))

    # -- what the stand-in does to the app ---------------------------------------------------
    async def deliver(self, envelope: Envelope) -> None:
        self.envelopes[envelope.envelope_id] = envelope
        if not self.open_connections:
            self.pending.append(envelope)
            return
        await self._send(envelope)

    async def _send(self, envelope: Envelope) -> None:
        conns = self.open_connections
        conn = conns[self._turn % len(conns)]
        self._turn += 1
        envelope.sent_at = self.state.clock()
        envelope.connection = conn.id
        envelope.sends += 1
        fault = self.state.faults.take("socket")
        if isinstance(fault, Slow):
            await asyncio.sleep(fault.seconds)
        if isinstance(fault, Drop):
            self._cut_mid_frame(conn, json.dumps(envelope.frame()).encode())
        else:
            try:
                await conn.ws.send_str(json.dumps(envelope.frame()))
            except ConnectionError:
                conn.open = False
                self.pending.append(envelope)
        self.state.changed()

    def _cut_mid_frame(self, conn: Connection, data: bytes) -> None:
        """Write a websocket frame header and half its payload, then hang up."""
        header = bytearray([0x81])
        size = len(data)
        if size < 126:
            header.append(size)
        elif size < 65_536:
            header.append(126)
            header += size.to_bytes(2, "big")
        else:
            header.append(127)
            header += size.to_bytes(8, "big")
        transport = conn.request.transport
        if transport is not None:
            transport.write(bytes(header) + data[: size // 2])
            transport.close()

    async def disconnect(
        self, reason: str, *, connection: int | None = None, close: bool = False
    ) -> None:
        """Send Slack's ``disconnect`` message (optionally closing the socket ourselves)."""
        for conn in self._targets(connection):
            await conn.ws.send_json(self._disconnect(reason))
            if close:
                await conn.ws.close()

    def drop(self, connection: int | None = None) -> None:
        """Hang up abruptly: no close frame, the TCP connection just goes."""
        for conn in self._targets(connection):
            transport = conn.request.transport
            if transport is not None:
                transport.close()

    def _targets(self, connection: int | None) -> list[Connection]:
        return [c for c in self.open_connections if connection is None or c.id == connection]

    async def close_all(self) -> None:
        for conn in self.open_connections:
            await conn.ws.close()
