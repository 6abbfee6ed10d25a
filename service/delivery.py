"""Showing a committed step to the person, after the platform has had its answer.

The answer is stored before the platform is acknowledged (service/runner.py); what is left
is to redraw the person's checklist message and send the dialogue's notes. That runs here,
as a tracked background task, alike for every platform: a slow or refused platform call
can only leave the message a step behind — its next click is answered with the current
view — never lose an answer.

The rules, once for all platforms:
- the message redrawn is the one the person acted on, else the conversation's live one
  (`Reply.message_ref`), else a new message, which becomes the live one (and is remembered);
- deliveries for one conversation run one at a time, and a view older than one already
  shown is never shown over it (the version guard);
- what is kept per conversation (a lock, the version shown) is bounded: the conversations
  not touched for longest are forgotten first, never one whose delivery is running;
- a failure is a `DeliveryError` with a message key, logged; notes are message keys that
  the platform renders from the catalogue in the person's language.

A platform supplies only its primitives: `post` a new message, `update` one in place, say a
`note`, and `located` — where a stored message is.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Coroutine, Mapping
from typing import Any, Generic, TypeVar

from conversations.views import View
from service.messenger import DeliveryError
from service.runner import Reply, remember_message

log = logging.getLogger(__name__)

P = TypeVar("P")
"""Where the person acted, in the platform's own terms (a Slack user and channel, a Teams
conversation); the base passes it on and never reads it."""
Ref = dict[str, object]
"""A message as a conversation keeps it (`Conversation.message_ref`): {"platform": …, …}."""

KEEP = 4096
"""Conversations whose lock and shown version are kept; the least recently served go first."""


class Deliveries(ABC, Generic[P]):
    platform: str

    def __init__(self, *, keep: int = KEEP) -> None:
        if keep < 1:
            raise ValueError("keep at least one conversation")
        self.keep = keep
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: OrderedDict[int, asyncio.Lock] = OrderedDict()
        self._shown: OrderedDict[int, int] = OrderedDict()

    # -- the platform's primitives --------------------------------------------------------------
    @abstractmethod
    async def post(self, place: P, view: View) -> Ref:
        """Show the view as a new message where the person is; where it landed."""

    @abstractmethod
    async def update(self, place: P, ref: Ref, view: View) -> Ref:
        """Replace the message `ref` with the view; where it is now (usually `ref`)."""

    @abstractmethod
    async def note(self, place: P, language: str, key: str, params: Mapping[str, object]) -> None:
        """Say a note from the catalogue (`key`), in `language`, where the person acted."""

    @abstractmethod
    def located(self, ref: Ref, near: P) -> P | None:
        """Where the stored message `ref` is, completed from `near`; None when `ref` is not
        a message of this platform (or not one it can update)."""

    # -- running after the ack --------------------------------------------------------------
    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run after the platform's answer; kept so shutdown (and tests) can wait for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "delivery failed", extra={"platform": self.platform}, exc_info=task.exception()
            )

    async def drain(self) -> None:
        """Wait for every delivery in hand."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- the rules ----------------------------------------------------------------------------
    async def deliver(
        self, reply: Reply, place: P, acted_on: Ref | None = None, *, fresh: bool = False
    ) -> None:
        """Redraw the checklist — the message acted on, else the live one, else (and always
        when `fresh`) a new message — then send the dialogue's notes."""
        ref = None if fresh else acted_on
        if ref is None and not fresh and reply.message_ref:
            live = self.located(reply.message_ref, place)
            if live is not None:
                place, ref = live, reply.message_ref
        async with self._lock(reply.conversation_id):
            await self._show(reply, place, ref)
        for tell in reply.tells:
            await self.tell(place, reply.language, tell.key, tell.params)

    async def tell(
        self, place: P, language: str, key: str, params: Mapping[str, object] | None = None
    ) -> None:
        """A note from the catalogue; one that cannot be delivered is logged, not raised."""
        try:
            await self.note(place, language, key, params or {})
        except DeliveryError as error:
            self._failed("note not delivered", error)

    async def _show(self, reply: Reply, place: P, ref: Ref | None) -> None:
        view = reply.view
        if view is None or self.shown(reply.conversation_id) > reply.version:
            return
        try:
            where = await (self.update(place, ref, view) if ref else self.post(place, view))
        except DeliveryError as error:
            self._failed("checklist message not updated", error)
            return
        self._mark_shown(reply.conversation_id, reply.version)
        if reply.conversation_id and where != reply.message_ref:
            await remember_message(reply.conversation_id, where)

    def shown(self, conversation_id: int) -> int:
        """The newest version shown for the conversation (-1: none that is remembered)."""
        return self._shown.get(conversation_id, -1)

    def _lock(self, conversation_id: int) -> asyncio.Lock:
        """The conversation's lock, now the most recently used; beyond `keep`, the least
        recently used idle locks are dropped (a held one is never: it serialises a delivery)."""
        lock = self._locks.pop(conversation_id, None) or asyncio.Lock()
        self._locks[conversation_id] = lock
        excess = len(self._locks) - self.keep
        if excess > 0:
            idle = [key for key, held in self._locks.items() if not held.locked()]
            for key in idle[:excess]:
                if key != conversation_id:
                    del self._locks[key]
        return lock

    def _mark_shown(self, conversation_id: int, version: int) -> None:
        self._shown.pop(conversation_id, None)
        self._shown[conversation_id] = version
        while len(self._shown) > self.keep:
            self._shown.popitem(last=False)

    def _failed(self, what: str, error: DeliveryError) -> None:
        log.warning(
            what,
            extra={"platform": self.platform, "reason": error.key, "detail": error.detail},
        )
