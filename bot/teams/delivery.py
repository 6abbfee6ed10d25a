"""Teams' primitives for showing a committed step: the checklist card updated in place.

The rules (which card, one delivery per conversation at a time, no older view over a newer
one) are service/delivery.py's; Teams supplies how a card is posted, updated and a note
said, through the Connector (bot/teams/outbound.py). The card the person acted on is
replaced through updateActivity and becomes the live one; a resume from a list (`me`)
posts a fresh card instead. A 429 is waited out (Retry-After, a few times), as Teams asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from bot.teams.outbound import Outbound, Where
from conversations.views import View
from render.teams.views import TeamsMessage, render_text, render_view
from service.delivery import Deliveries, Ref
from service.messenger import DeliveryError, RateLimited
from service.runner import Reply

T = TypeVar("T")
ATTEMPTS = 3
LONGEST_WAIT = 10.0


def message_ref(where: Where, activity_id: str) -> Ref:
    """Where a message is, as a conversation keeps it (Conversation.message_ref)."""
    return {"platform": "teams", **where.as_json(), "activity_id": activity_id}


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


class TeamsDeliveries(Deliveries[Where]):
    platform = "teams"

    def __init__(self, outbound: Outbound) -> None:
        super().__init__()
        self.outbound = outbound

    async def show(
        self, reply: Reply, *, where: Where, activity_id: str | None, fresh: bool = False
    ) -> None:
        """Redraw the checklist (the card acted on, else the live one, else a new card),
        then send the dialogue's notes as messages."""
        acted_on = message_ref(where, activity_id) if activity_id else None
        await self.deliver(reply, where, acted_on, fresh=fresh)

    async def say(self, where: Where, message: TeamsMessage) -> None:
        """A message in the chat the person acted in; one that cannot go is logged."""
        try:
            await patiently(lambda: self.outbound.send(where, message))
        except DeliveryError as error:
            self._failed("note not delivered", error)

    # -- the primitives -------------------------------------------------------------------------
    def located(self, ref: Ref, near: Where) -> Where | None:
        if ref.get("platform") != "teams" or not ref.get("activity_id"):
            return None
        return Where.of(ref)

    async def post(self, place: Where, view: View) -> Ref:
        message = render_view(view)
        return message_ref(place, await patiently(lambda: self.outbound.send(place, message)))

    async def update(self, place: Where, ref: Ref, view: View) -> Ref:
        message = render_view(view)
        activity_id = str(ref["activity_id"])
        await patiently(lambda: self.outbound.update(place, activity_id, message))
        return message_ref(place, activity_id)

    async def note(
        self, place: Where, language: str, key: str, params: Mapping[str, object]
    ) -> None:
        message = render_text(language, key, **params)
        await patiently(lambda: self.outbound.send(place, message))
