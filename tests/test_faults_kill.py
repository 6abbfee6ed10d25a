"""The process killed between storing an answer and acknowledging the click.

A real `fremdrift serve` runs in its own process against the Slack stand-in and the test's
database (SQLite or PostgreSQL). Between Slack and the app sits a small relay that lets
each request through and holds one acknowledgement: when the app has answered the click —
so the answer is committed, which the test checks in the database — the relay SIGKILLs
the process and hangs up on Slack. Slack's view: the click failed. The lead clicks again
on the same message, now served by a fresh process: one answer, one revision.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.slack.client import job_client
from bot.slack.messenger import SlackMessenger
from conversations.clock import SystemClock
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.round import Round
from service.runner import ChecklistRunner
from standins.slack import HttpStatus, SlackStub
from tests.factories import Small, small_programme
from tests.faults_support import ServeProcess, asks, live, row_counts
from tests.slack_app import join_workspace

LEAD = "U0ALICE001"
SYD = "unit:syd"
FORWARDED = ("content-type", "x-slack-signature", "x-slack-request-timestamp")


class Relay:
    """Slack → relay → app. With `hold`, the next answer is kept from Slack: `hold` runs
    (it kills the app) and the connection to Slack is dropped, as if the process had died
    before the acknowledgement left it."""

    def __init__(self) -> None:
        self.target = ""
        self.hold: Callable[[], Awaitable[None]] | None = None
        self.held: list[int] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        server = web.Application()
        server.router.add_post("/slack/events", self._relay)
        self._runner = web.AppRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}/slack/events"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        async with self._session.post(self.target, data=body, headers=headers) as answer:
            status, payload = answer.status, await answer.read()
            content_type = answer.headers.get("Content-Type", "text/plain")
        hold, self.hold = self.hold, None
        if hold is not None:
            self.held.append(status)
            await hold()
            if request.transport is not None:
                request.transport.close()  # nobody answers Slack
            return web.Response(status=500)
        return web.Response(status=status, body=payload, headers={"Content-Type": content_type})


@pytest.fixture
async def relay(slack: SlackStub) -> AsyncIterator[Relay]:
    relay = Relay()
    slack.request_url = await relay.start()
    try:
        yield relay
    finally:
        slack.request_url = None
        await relay.stop()


async def open_checklist(small: Small, slack: SlackStub) -> None:
    """The round open on the system clock (serve's), and the lead's checklist in the DM."""
    clock = SystemClock()
    await Round.filter(id=small.round.id).update(deadline=clock.now() + timedelta(days=7))
    current = await ChecklistRunner(clock, source="test").current(small.lead, small.round.id, SYD)
    assert current.view is not None
    async with aiohttp.ClientSession() as session:
        client = job_client(slack.identity.bot_token, slack.api_url, session)
        sent = await SlackMessenger(client).send_checklist(small.lead.id, current.view, key="t")
    conversation = await Conversation.create(
        person=small.lead, round_id=small.round.id, scope=SYD, message_ref=sent.ref
    )
    assert conversation.version == 0


async def test_killed_after_the_commit_before_the_ack_the_second_click_adds_nothing(
    db: str, slack: SlackStub, relay: Relay, tmp_path: Path
) -> None:
    small = await small_programme()
    await join_workspace(slack)
    await open_checklist(small, slack)
    # The replacement starts beside the first (as a supervisor would have it ready); it
    # takes no request until the first is dead.
    first, second = await asyncio.gather(
        ServeProcess.start(slack, db, tmp_path / "first.log"),
        ServeProcess.start(slack, db, tmp_path / "second.log"),
    )
    try:
        relay.target = first.slack_url
        start = await slack.click(LEAD, live(slack, LEAD), "fd:start:")
        assert start.acked
        await slack.wait_for(lambda: asks(live(slack, LEAD)), within=10)
        message = copy.deepcopy(live(slack, LEAD))  # what the lead sees, and clicks twice

        # The redraw that follows the ack must not reach Slack either: the process is gone.
        slack.faults.add("response_url", HttpStatus(503), times=None)
        slack.faults.add("chat.update", HttpStatus(503), times=None)
        committed: list[dict[str, int]] = []

        async def kill_after_the_commit() -> None:
            committed.append(await row_counts())  # the app answered: its commit is visible
            await first.kill()

        relay.hold = kill_after_the_commit
        click = await slack.click(LEAD, message, "fd:progress:reached")
        assert not click.acked, "Slack must see the click fail"
        assert relay.held == [200]
        assert first.process.returncode is not None and first.process.returncode < 0  # SIGKILL
        assert committed and committed[0]["answer"] == 1 and committed[0]["answer_revision"] == 1
        assert (await Answer.get()).progress == "reached"

        slack.faults.clear()
        relay.target = second.slack_url
        again = await slack.click(LEAD, message, "fd:progress:reached")  # the same message
        assert again.acked
        await slack.wait_for(lambda: "Milepæl nået" in str(live(slack, LEAD).blocks), within=10)
    finally:
        await first.kill()
        stopped = await second.stop()
    assert stopped == 0  # the replacement shuts down cleanly
    assert await Answer.all().count() == 1
    assert await AnswerRevision.all().count() == 1
    revision = await AnswerRevision.get()
    assert (revision.number, revision.progress, revision.source) == (1, "reached", "slack")
    conversation = await Conversation.get()
    assert conversation.version == 2  # started, then the one answer
