"""Showing a committed step to the person in Teams: the checklist card updated in place.

Runs after Teams has had its 200, as a tracked background task (like bot/slack/delivery.py):
the answer is already stored, so a slow or refused update can only leave the card a step
behind — its next click is answered with the current view — never lose an answer. The
card the person acted on is replaced through the Connector's updateActivity and becomes
the live one; a resume from a list (`me`) posts a fresh card instead. Deliveries for one
conversation run one at a time, and a view older than one already shown is not shown
over it. A 429 is waited out (Retry-After, a few times), as Teams asks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.teams.outbound import Outbound, Where
from render.teams.views import TeamsMessage, render_text, render_view
from service.messenger import DeliveryError, RateLimited
from service.runner import Reply, remember_message

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 3
LONGEST_WAIT = 10.0


def message_ref(where: Where, activity_id: str) -> dict[str, object]:
    """Where a message is, as a conversation keeps it (Conversation.message_ref)."""
    return {"platform": "teams", **where.as_json(), "activity_id": activity_id}


def where_of(ref: dict[str, object] | None) -> tuple[Where, str] | None:
    if not ref or ref.get("platform") != "teams":
        return None
    where = Where.of(ref)
    activity_id = str(ref.get("activity_id") or "")
    return (where, activity_id) if where and activity_id else None


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """A Connector call, again after Teams' Retry-After when it says 429."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RateLimited as limited:
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(min(limited.retry_after, LONGEST_WAIT))
    raise AssertionError("unreachable")


class TeamsDeliveries:
    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self._shown: dict[int, int] = {}

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run after Teams' 200; kept so shutdown (and tests) can wait for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("teams delivery failed", exc_info=task.exception())

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def show(
        self, reply: Reply, *, where: Where, activity_id: str | None, fresh: bool = False
    ) -> None:
        """Redraw the checklist (the card acted on, else the live one, else a new card),
        then send the dialogue's notes as messages."""
        target = None if fresh else activity_id
        if target is None and not fresh:
            live = where_of(reply.message_ref)
            if live is not None:
                where, target = live
        lock = self._locks.setdefault(reply.conversation_id, asyncio.Lock())
        async with lock:
            await self._show_view(reply, where=where, activity_id=target)
        for tell in reply.tells:
            await self.say(where, render_text(reply.language, tell.key, **tell.params))

    async def _show_view(self, reply: Reply, *, where: Where, activity_id: str | None) -> None:
        view = reply.view
        if view is None or self._shown.get(reply.conversation_id, -1) > reply.version:
            return
        message = render_view(view)
        try:
            if activity_id:
                await patiently(lambda: self.outbound.update(where, activity_id, message))
                shown = activity_id
            else:
                shown = await patiently(lambda: self.outbound.send(where, message))
        except DeliveryError as error:
            log.warning("checklist card not updated: %r", error)
            return
        self._shown[reply.conversation_id] = reply.version
        ref = message_ref(where, shown)
        if reply.conversation_id and ref != reply.message_ref:
            await remember_message(reply.conversation_id, ref)

    async def say(self, where: Where, message: TeamsMessage) -> None:
        """A note in the chat the person acted in."""
        try:
            await patiently(lambda: self.outbound.send(where, message))
        except DeliveryError as error:
            log.warning("note not delivered: %r", error)
