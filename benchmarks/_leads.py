"""Leads clicking through their checklists in the Slack stand-in, many at once.

A lead clicks what its DM shows — Start, then for each milestone a progress button, on
some a delay band and the critical flag, then Next; at the review, Submit — through the
stand-in's simulator, which signs each click and sends it over HTTP (or as a Socket Mode
envelope) exactly as Slack does. After each acknowledged click the lead waits until the
message has been redrawn before it clicks again, as a person would. Every click the app
acknowledged and then drew is written in the lead's ledger, which the audit compares
with the database afterwards.

Latency is the time Slack waits for its acknowledgement: over HTTP from the request
being sent to the response read; over Socket Mode from the envelope written to the
websocket to its ack read (both on the stand-in's monotonic clock). The app acks only
after it committed (``process_before_response=True``), so this is click → committed → ack.

Three adjustments to the stand-in, made here and nowhere else (the stand-in is shared):
- its Web API rate limits are switched off (``slack.limits.disable()``), so a 429 on a
  redraw never enters a latency figure;
- its waits are made per envelope: the stand-in's Socket Mode sender waits for an ack by
  re-checking a predicate on every change anywhere in the stand-in, which with 200
  envelopes in flight wakes 200 tasks per change and makes the *stand-in* the bottleneck.
  Here an ack resolves its own future. Its HTTP sender gets an unbounded connection pool
  (aiohttp's default of 100 connections would queue the 101st lead in the client);
- what it records only for tests' assertions is trimmed every few hundred clicks
  (``trim_stub``), so its garbage collector does not pause this process for long.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import aiohttp

from standins.slack import SlackStub
from standins.slack.models import Message
from standins.slack.sender import Delivery
from standins.slack.simulator import find_element
from standins.slack.socketmode import Envelope

Transport = Literal["http", "socket"]
PROGRESS_CYCLE = ("started", "expected", "reached", "started", "expected")
REDRAW_POLL = (0.001, 0.002, 0.004, 0.008, 0.016)
TRIM_EVERY = 256


# -- the stand-in, tuned for load ----------------------------------------------------------
class SocketAcks:
    """Wake the one sender whose envelope was acked, not every waiting sender."""

    def __init__(self, slack: SlackStub) -> None:
        self.slack = slack
        self._waiting: dict[str, asyncio.Future[None]] = {}
        server = slack.socket
        receive = server._receive

        def hooked(conn: Any, data: str) -> None:
            receive(conn, data)
            if not self._waiting:
                return
            try:
                envelope_id = json.loads(data).get("envelope_id")
            except (ValueError, AttributeError):
                return
            future = self._waiting.pop(str(envelope_id), None)
            if future is not None and not future.done():
                future.set_result(None)

        setattr(server, "_receive", hooked)  # noqa: B010 - an instance's hook, not the class's
        setattr(slack.sender, "_await_ack", self.await_ack)  # noqa: B010

    async def await_ack(self, envelope: Envelope) -> None:
        if envelope.acked:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting[envelope.envelope_id] = future
        remaining = envelope.deadline() - self.slack.state.clock()
        try:
            await asyncio.wait_for(future, max(remaining, 0.01))
        except TimeoutError:
            pass
        finally:
            self._waiting.pop(envelope.envelope_id, None)


def trim_stub(slack: SlackStub, keep: int = 2000) -> None:
    """Forget what only tests read back: past deliveries, acked envelopes, old posts.

    The stand-in records everything for assertions; over a 16,000-click run that is
    hundreds of megabytes of dicts, and the collector's pauses in this process would show
    up in every latency in flight. The ledgers, the DMs and the ephemerals (what the
    audit reads) are kept.
    """
    slack.sender.deliveries.clear()
    socket = slack.socket
    socket.acks.clear()
    socket.envelopes = {k: e for k, e in socket.envelopes.items() if not e.acked}
    for connection in socket.connections:
        connection.received.clear()
    posts = slack.workspace.response_url_posts
    if len(posts) > keep:
        del posts[:-keep]


class GcPauses:
    """Garbage-collector pauses in this process (the stand-in and the leads)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.longest = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self.total += pause
            self.longest = max(self.longest, pause)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


async def tune_stub(slack: SlackStub) -> None:
    """Rate limits off, an unbounded client pool, per-envelope ack waits (see the docstring)."""
    slack.limits.disable()
    SocketAcks(slack)
    old = slack.sender.session
    slack.sender.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    if old is not None:
        await old.close()


# -- what is measured ------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    latency: float
    acked: bool
    status: int | None
    at: float = field(default_factory=time.perf_counter)  # recorded (≈ acked), monotonic clock


def latency_of(delivery: Delivery) -> float:
    envelope = delivery.envelope
    if envelope is not None and envelope.acked_at is not None and envelope.sent_at is not None:
        return envelope.acked_at - envelope.sent_at
    return delivery.elapsed


class Budget:
    """How many clicks a phase may still send, and until when (both bound every loop)."""

    def __init__(self, clicks: int, seconds: float) -> None:
        self.left = clicks
        self.deadline = time.monotonic() + seconds
        self.expired = False

    def take(self) -> bool:
        if self.left <= 0:
            return False
        if time.monotonic() >= self.deadline:
            self.expired = True
            return False
        self.left -= 1
        return True


class Endpoints:
    """The app's request URLs; HTTP clicks go round-robin over them (a load balancer)."""

    def __init__(self, slack: SlackStub, urls: list[str]) -> None:
        self.slack = slack
        self.urls = urls
        self._turn = 0

    def next(self) -> None:
        # The simulator reads request_url before its first await, so setting it right
        # before each click routes exactly that click, however many are in flight.
        if self.urls:
            self.slack.request_url = self.urls[self._turn % len(self.urls)]
            self._turn += 1


# -- a lead ----------------------------------------------------------------------------------
@dataclass
class Expected:
    progress: str
    delay: str = "0"
    critical: bool = False
    revisions: int = 0


@dataclass
class Lead:
    index: int
    user_id: str
    unit: str
    message: Message | None = None
    ledger: dict[str, Expected] = field(default_factory=dict)
    submitted: bool = False
    finished: bool = False
    failure: str | None = None
    clicks: int = 0
    unconfirmed: tuple[str, str] | None = None
    """(code, action) of the click the lead gave up on: the app may or may not have stored
    it (Slack showed the person an error; the answer may still have been committed)."""


class LeadFailed(Exception):
    """The lead cannot go on; ``kind`` groups failures for the report."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class StopPhase(Exception):
    """The phase's budget is spent: stop this lead where it stands."""


def plan(lead: int, item: int) -> list[str]:
    """The clicks for one milestone after its progress: a delay on some, critical on some."""
    turn = lead + item
    progress = PROGRESS_CYCLE[turn % len(PROGRESS_CYCLE)]
    actions = [f"fd:progress:{progress}"]
    if progress != "reached" and turn % 3 == 0:
        actions.append("fd:delay:0-3" if turn % 2 else "fd:delay:3-6")
    if turn % 4 == 0:
        actions.append("fd:critical:")
    return actions


def clicks_per_checklist(milestones: int) -> int:
    """Start, the milestones' clicks and Next each, Submit (for sizing a phase)."""
    return 2 + sum(len(plan(0, i)) + 1 for i in range(milestones))


def _has(blocks: list[dict[str, Any]] | None, action_id: str) -> bool:
    try:
        find_element(blocks or [], action_id)
    except LookupError:
        return False
    return True


def _current_code(blocks: list[dict[str, Any]]) -> str | None:
    for block in blocks:
        if block.get("block_id") == "fd_progress":
            value = str(block["elements"][0]["value"])
            return value.split("|")[4]
    return None


class Driver:
    """Sends the clicks of many leads through one stand-in and keeps every sample."""

    def __init__(
        self,
        slack: SlackStub,
        transport: Transport,
        endpoints: Endpoints,
        *,
        codes: list[str],
        redraw_timeout: float = 10.0,
    ) -> None:
        self.slack = slack
        self.transport = transport
        self.endpoints = endpoints
        self.codes = codes
        self.redraw_timeout = redraw_timeout
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self.failure_kinds: Counter[str] = Counter()
        self.unacked = 0
        self.think = 0.0  # seconds a lead pauses after each redraw, as a person reads

    async def send(self, user_id: str, message: Message, action_id: str) -> Delivery:
        if self.transport == "http":
            self.endpoints.next()
        delivery = await self.slack.click(user_id, message, action_id, transport=self.transport)
        self.samples.append(Sample(latency_of(delivery), delivery.acked, delivery.status))
        if len(self.samples) % TRIM_EVERY == 0:
            trim_stub(self.slack)
        if not delivery.acked:
            self.unacked += 1
        return delivery

    def _trace(self, delivery: Delivery) -> str:
        """What the app did with the click's response_url, to explain a missing redraw."""
        posts = [
            f"{post.status} {'replace' if post.replace_original else post.response_type}"
            for post in self.slack.response_url_posts
            if delivery.response_url and post.url == delivery.response_url
        ]
        return f"ack {delivery.status}, response_url posts: {posts or 'none'}"

    async def _redrawn(self, message: Message, before: object) -> bool:
        waited = 0.0
        step = 0
        while message.blocks is before:
            if waited >= self.redraw_timeout:
                return False
            pause = REDRAW_POLL[min(step, len(REDRAW_POLL) - 1)]
            await asyncio.sleep(pause)
            waited += pause
            step += 1
        return True

    async def click(self, lead: Lead, action_id: str, budget: Budget) -> None:
        message = lead.message
        assert message is not None
        if not budget.take():
            raise StopPhase
        before = message.blocks
        delivery = await self.send(lead.user_id, message, action_id)
        lead.clicks += 1
        if not await self._redrawn(message, before):
            kind = "not acked, no redraw" if not delivery.acked else "acked, no redraw"
            detail = f"{lead.user_id} {action_id} ({self._trace(delivery)})"
            raise LeadFailed(f"{kind} within {self.redraw_timeout:.0f} s", detail)
        message.history.clear()  # the stand-in's record of earlier versions; nobody reads it
        if self.think:
            await asyncio.sleep(self.think)

    async def play(self, lead: Lead, budget: Budget) -> None:
        """Click through the lead's checklist until submitted, or the budget is spent."""
        try:
            await self._play(lead, budget)
            lead.finished = True
        except StopPhase:
            lead.unconfirmed = None  # the budget ran out before the click was sent
        except LeadFailed as failed:
            lead.failure = str(failed)
            self.failures.append(str(failed))
            self.failure_kinds[failed.kind] += 1

    async def _play(self, lead: Lead, budget: Budget) -> None:
        message = lead.message
        if message is None:
            raise LeadFailed("no checklist message in the DM", lead.user_id)
        if _has(message.blocks, "fd:start:"):
            await self.click(lead, "fd:start:", budget)
        for _ in range(4 * len(self.codes) + 4):  # bounded: a checklist has an end
            blocks = message.blocks or []
            code = _current_code(blocks)
            if code is not None:
                await self._answer(lead, code, budget)
            elif _has(blocks, "fd:submit:"):
                lead.unconfirmed = ("", "fd:submit:")
                await self.click(lead, "fd:submit:", budget)
                lead.unconfirmed = None
                lead.submitted = True
                return
            else:
                raise LeadFailed("an unexpected view", lead.user_id)
        raise LeadFailed("the checklist did not end", lead.user_id)

    async def _answer(self, lead: Lead, code: str, budget: Budget) -> None:
        item = self.codes.index(code)
        for action in plan(lead.index, item):
            lead.unconfirmed = (code, action)
            await self.click(lead, action, budget)
            lead.unconfirmed = None
            lead.ledger[code] = applied(lead.ledger.get(code), action)
        await self.click(lead, "fd:next:", budget)


def applied(entry: Expected | None, action: str) -> Expected:
    """An answer after a committed value click, as the dialogue defines it (a new object)."""
    _, name, argument = action.split(":", 2)
    new = replace(entry) if entry is not None else Expected(progress=argument)
    if name == "progress":
        new.progress = argument
        if argument == "reached":
            new.delay = "0"
    elif name == "delay":
        new.delay = argument
    elif name == "critical":
        new.critical = not new.critical
    new.revisions += 1
    return new


async def run_leads(
    driver: Driver, leads: Iterator[Lead], concurrency: int, budget: Budget
) -> tuple[list[Lead], float]:
    """``concurrency`` leads at a time, each taking the next lead when one finishes."""
    played: list[Lead] = []

    async def worker() -> None:
        while budget.left > 0 and not budget.expired:
            lead = next(leads, None)
            if lead is None:
                return
            played.append(lead)
            await driver.play(lead, budget)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return played, time.perf_counter() - started


async def run_bare(
    driver: Driver, targets: list[tuple[str, Message]], concurrency: int, budget: Budget
) -> float:
    """The bare app: each of ``concurrency`` users clicks a milestone message over and over."""

    async def worker(user_id: str, message: Message) -> None:
        while budget.take():
            await driver.send(user_id, message, "fd:progress:started")

    started = time.perf_counter()
    await asyncio.gather(*(worker(u, m) for u, m in targets[:concurrency]))
    return time.perf_counter() - started


def live_message(slack: SlackStub, user_id: str) -> Message | None:
    """The checklist message in a person's DM (the last one with blocks)."""
    messages = [m for m in slack.dm(user_id) if m.blocks]
    return messages[-1] if messages else None
