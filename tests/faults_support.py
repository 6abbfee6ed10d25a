"""Helpers for the bad-input catalogue and the fault suite.

- `row_counts()`: what a refusal must not change (answers, revisions, submissions, rounds,
  jobs, conversations), to compare before and after.
- `seen_by()`: every note a person was shown privately (ephemerals, response_url replies,
  the bot's DMs), as Slack would show them.
- `post_signed()`: a request signed with the app's secret but with a body Slack never
  sends (malformed JSON, a form without a payload …), straight to the app.
- `checklist_message()`, `live()`, `settle()`: the lead's checklist in the stand-in.
- `ServeProcess`: a real `fremdrift serve` in a process of its own, against the stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

from bot.runtime import Fremdrift
from bot.slack.messenger import SlackMessenger
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.jobs import Job
from models.people import Person
from models.round import Round, Submission
from standins.slack import SlackStub, sign
from standins.slack.models import Message

ROOT = Path(__file__).parent.parent
COUNTED = {
    "answer": Answer,
    "answer_revision": AnswerRevision,
    "submission": Submission,
    "round": Round,
    "job": Job,
    "conversation": Conversation,
}


async def row_counts() -> dict[str, int]:
    """Rows that bad input must never add (or take away)."""
    return {name: await model.all().count() for name, model in COUNTED.items()}


def seen_by(slack: SlackStub, user: str) -> list[str]:
    """What a person was told privately: ephemerals (by chat.postEphemeral or a
    response_url) and the bot's own messages in their DM, oldest first."""
    notes = [e.text or "" for e in slack.ephemerals(user)]
    notes += [m.text or "" for m in slack.dm(user) if m.user != user]
    return notes


def told(slack: SlackStub, user: str, words: str) -> bool:
    return any(words in note for note in seen_by(slack, user))


async def post_signed(
    slack: SlackStub,
    body: bytes,
    content_type: str = "application/x-www-form-urlencoded",
    *,
    method: str = "POST",
    signed: bool = True,
) -> tuple[int, str]:
    """A request to the app's Slack URL, correctly signed (or not at all), with any body."""
    assert slack.request_url is not None
    timestamp = str(int(time.time()))
    headers = {"Content-Type": content_type}
    if signed:
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = sign(slack.identity.signing_secret, timestamp, body)
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, slack.request_url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


# -- the checklist in the stand-in ----------------------------------------------------------
async def checklist_message(
    app: Fremdrift, slack: SlackStub, person: Person, round_id: int, scope: str, user: str
) -> Message:
    """The person's checklist message in their DM, as the invitation job posts it."""
    assert app.deps is not None
    current = await app.deps.runner.current(person, round_id, scope)
    assert current.view is not None
    messenger = SlackMessenger(app.jobs_client)
    await messenger.send_checklist(person.id, current.view, key=f"test:{person.id}:{scope}")
    return slack.dm(user)[-1]


def live(slack: SlackStub, user: str) -> Message:
    """The newest checklist message (one with blocks) in the person's DM."""
    messages = [m for m in slack.dm(user) if m.blocks]
    assert messages, "no checklist message in the DM"
    return messages[-1]


def asks(message: Message, block_id: str = "fd_progress") -> bool:
    return any(b.get("block_id") == block_id for b in message.blocks or [])


async def settle(app: Fremdrift) -> None:
    """Wait for the deliveries that follow each ack (redraws, notes)."""
    assert app.deps is not None
    await app.deps.deliveries.drain()


# -- a real `fremdrift serve` ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServeProcess:
    """`fremdrift serve` over HTTP, configured from the environment as in production."""

    def __init__(self, process: asyncio.subprocess.Process, url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    @classmethod
    async def start(
        cls, slack: SlackStub, database_url: str, log: Path, *, within: float = 60.0
    ) -> ServeProcess:
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": slack.identity.bot_token,
            "SLACK_SIGNING_SECRET": slack.identity.signing_secret,
            "FREMDRIFT_SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "FREMDRIFT_HOST": "127.0.0.1",
            "FREMDRIFT_PORT": str(port),
            "FREMDRIFT_LOG_JSON": "false",
            "FREMDRIFT_JOB_POLL_SECONDS": "0.2",
        }
        env.pop("SLACK_APP_TOKEN", None)
        handle = log.open("ab")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "serve",
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        url = f"http://127.0.0.1:{port}"
        served = cls(process, url, log)
        await served._healthy(within)
        return served

    async def _healthy(self, within: float) -> None:
        """Until /healthz answers 200 (the database is reachable), boundedly."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        async with aiohttp.ClientSession() as session:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"serve exited: {self.log.read_text()[-2000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                assert loop.time() < deadline, self.log.read_text()[-2000:]
                await asyncio.sleep(0.05)

    @property
    def slack_url(self) -> str:
        return f"{self.url}/slack/events"

    async def kill(self) -> None:
        """SIGKILL: no shutdown, nothing finished, nothing flushed."""
        if self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 30)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.terminate()
        return await asyncio.wait_for(self.process.wait(), 30)
