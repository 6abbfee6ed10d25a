"""Helpers for the round and job tests: the real SlackMessenger over the Slack stand-in,
workers on a manual clock, and what was delivered, read back where Slack shows it.

Every message a job sends carries the job's dedupe key in Slack message metadata
(bot/slack/posting.py), so the stand-in's channels say which job sent what to whom, and
how often: `Outbox` reads them back and joins each message to its job row (for a note's
template key and parameters, which the job stores). Failures are the stand-in's own —
`slack.faults` (429, 5xx, Slack errors, dropped connections) and people Slack does not
know — and nothing of our code is faked.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.slack.client import job_client
from bot.slack.messenger import SlackMessenger
from bot.slack.posting import METADATA_TYPE
from conversations.clock import ManualClock
from conversations.events import Envelope, Start, decode
from models.jobs import Job
from models.people import Account, Person, Platform
from service.round_jobs import RoundJobs
from service.worker import Worker
from standins.slack import SlackStub
from standins.slack.models import Message

# Monday 4 June 2018, 10:00 in Copenhagen (summer time).
MONDAY_10 = datetime(2018, 6, 4, 8, 0, tzinfo=UTC)

# The Slack users of tests/factories.small_programme that the stand-in does not seed
# (alice is the lead pl-syd, bob the deputy stf-syd).
SMALL_USERS = {
    "U0ADMIN001": ("sekretariat", "Sekretariatet", "da-DK"),
    "U0NORD0001": ("pl-nord", "Niels Nord", "da-DK"),
    "U0FUT00001": ("fut", "Fælles Udbud", "da-DK"),
    "U0STRANGE1": ("fremmed", "Frank Fremmed", "da-DK"),
}
NOTICE_KINDS = {"remind": "round.reminder", "handover": "round.handover"}


@dataclass(frozen=True)
class Shown:
    """One message the stand-in holds that a job sent, joined to that job."""

    message: Message
    key: str  # the key in the message's metadata
    job: Job | None
    person_id: int | None  # whose DM it is in (None: a channel)

    @property
    def what(self) -> str:
        """checklist (an invitation), notice (reminder, hand-over, note) or publish."""
        kind = self.job.kind if self.job else ""
        return {"invite": "checklist", "publish": "publish"}.get(kind, "notice")

    @property
    def notice_key(self) -> str | None:
        """The template the notice was written from (round.reminder, round.admin.closed …)."""
        if self.job is None or self.what != "notice":
            return None
        if self.job.kind == "note":
            return str(self.job.payload.get("key"))
        return NOTICE_KINDS.get(self.job.kind)

    @property
    def params(self) -> dict[str, Any]:
        """A note's parameters, as its job stores them."""
        params = self.job.payload.get("params") if self.job else None
        return dict(params) if isinstance(params, dict) else {}

    @property
    def resume(self) -> Envelope | None:
        """What the message's resume (or start) button would do, if it has one."""
        for block in self.message.blocks or []:
            elements = block.get("elements") if block.get("type") == "actions" else None
            for element in elements or []:
                value = element.get("value")
                if isinstance(value, str) and value.startswith(f"{Start.name}|"):
                    return decode(value)
        return None

    @property
    def is_intro(self) -> bool:
        """An invitation shows the checklist's intro: its one button is Start."""
        return "fd:start:" in str(self.message.blocks)


def _key(message: Message) -> str | None:
    metadata = message.metadata or {}
    if metadata.get("event_type") != METADATA_TYPE:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key else None


class Outbox:
    """The real SlackMessenger, and what it delivered as the stand-in shows it."""

    def __init__(self, slack: SlackStub, session: aiohttp.ClientSession) -> None:
        self.slack = slack
        client = job_client(slack.identity.bot_token, slack.api_url, session)
        self.messenger = SlackMessenger(client)

    @classmethod
    @asynccontextmanager
    async def open(cls, slack: SlackStub) -> AsyncIterator[Outbox]:
        """With the small programme's people in the workspace and the rate limiter off:
        the workers run on a manual clock, where a real 429's Retry-After would never pass
        (tests that are about 429s inject them with `slack.faults`)."""
        known = set(slack.workspace.users)
        for user_id, (name, real_name, locale) in SMALL_USERS.items():
            if user_id not in known:
                slack.workspace.add_user(name, user_id=user_id, real_name=real_name, locale=locale)
        slack.limits.disable()
        async with aiohttp.ClientSession() as session:
            yield cls(slack, session)

    def forget(self, user_id: str) -> None:
        """The person leaves Slack: the stand-in answers channel_not_found for them."""
        self.slack.workspace.users.pop(user_id, None)

    # -- what was delivered ---------------------------------------------------------------
    def messages(self) -> list[tuple[Message, str]]:
        """Every message a job sent (thread replies included), with its key."""
        found: list[tuple[Message, str]] = []
        for channel in self.slack.workspace.channels.values():
            for message in channel.visible():
                for each in (message, *message.replies):
                    key = _key(each)
                    if key is not None and not each.deleted:
                        found.append((each, key))
        return found

    async def shown(self) -> list[Shown]:
        pairs = self.messages()
        keys = {key for _, key in pairs} | {key.rsplit(":", 1)[0] for _, key in pairs}
        jobs = {job.dedupe_key: job for job in await Job.filter(dedupe_key__in=list(keys))}
        people = {a.user_id: a.person_id for a in await Account.filter(platform=Platform.SLACK)}
        ims = {c.id: c.im_user for c in self.slack.workspace.channels.values() if c.kind == "im"}
        result = []
        for message, key in pairs:
            job = jobs.get(key) or jobs.get(key.rsplit(":", 1)[0])
            user = ims.get(message.channel)
            result.append(Shown(message, key, job, people.get(user) if user else None))
        return result

    async def to(self, person: Person, what: str | None = None) -> list[Shown]:
        return [
            s
            for s in await self.shown()
            if s.person_id == person.id and (what is None or s.what == what)
        ]

    async def notices(self, key: str, person: Person | None = None) -> list[Shown]:
        return [
            s
            for s in await self.shown()
            if s.notice_key == key and (person is None or s.person_id == person.id)
        ]

    async def publications(self, round_id: int | None = None) -> list[Shown]:
        """The summaries posted to steering channels (each publication's first message)."""
        return [
            s
            for s in await self.shown()
            if s.what == "publish"
            and s.key.endswith(":0")
            and (round_id is None or s.job is None or s.job.round_id == round_id)
        ]

    async def publication_keys(self) -> list[str]:
        return [s.key.rsplit(":", 1)[0] for s in await self.publications()]

    def doubled(self) -> list[str]:
        """Keys shown more than once: must always be empty."""
        counts = Counter(key for _, key in self.messages())
        return [key for key, n in counts.items() if n > 1]

    @property
    def looked(self) -> int:
        """How often a sender looked in Slack for a message it may have sent already."""
        return len(self.slack.calls_to("conversations.history")) + len(
            self.slack.calls_to("conversations.replies")
        )


def round_worker(
    messenger: SlackMessenger | Outbox,
    clock: ManualClock,
    *,
    worker_id: str = "w1",
    concurrency: int = 4,
) -> Worker:
    if isinstance(messenger, Outbox):
        messenger = messenger.messenger
    jobs = RoundJobs(messenger, clock)
    return Worker(
        jobs.handlers(),
        clock=clock,
        worker_id=worker_id,
        concurrency=concurrency,
        on_failed=jobs.on_failed,
        rng=random.Random(3),
    )


def when_stored(
    slack: SlackStub, condition: Callable[[], bool], action: Callable[[], None]
) -> None:
    """Call `action` the moment the stand-in has stored something that makes `condition`
    true — synchronously, before Slack's answer is even on the wire. A test uses it to
    kill a worker right after Slack took a message, so the job never hears back."""
    state = slack.state
    original = state.changed
    fired = False

    def changed() -> None:
        nonlocal fired
        original()
        if not fired and condition():
            fired = True
            action()

    state.changed = changed  # type: ignore[method-assign]  # the hook is the point


def cancel(task: asyncio.Task[Any]) -> Callable[[], None]:
    def do() -> None:
        task.cancel()

    return do
