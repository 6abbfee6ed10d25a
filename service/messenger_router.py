"""One Messenger over several platforms: each person is written to where their account is.

The job workers send through one `Messenger` (service/messenger.py). When Slack and Teams are
served at once, this router picks, for each person, the first platform in its order on
which they have an account — Slack first, so a person with both keeps getting Slack, as
before Teams came; if that platform cannot reach them (`Unreachable`), the next one is
tried. A round is published on every platform whose steering channel the programme has; a
retried publication is safe on all of them, since each messenger repeats nothing it sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conversations.views import View
from models.people import Account
from models.programme import Programme
from models.round import Round
from service.messenger import DeliveryError, Messenger, Notice, PermanentFailure, Sent, Unreachable


@dataclass(frozen=True)
class Route:
    platform: str  # models.people.Platform's value
    messenger: Messenger
    publishes: Callable[[Programme], bool]
    """Does the programme's steering group read the publication on this platform?"""


class MessengerRouter:
    platform = "router"

    def __init__(self, routes: Sequence[Route]) -> None:
        if not routes:
            raise ValueError("a router needs at least one platform")
        self.routes = list(routes)

    async def _routes_for(self, person_id: int) -> list[Route]:
        rows = await Account.filter(person_id=person_id).values_list("platform", flat=True)
        platforms = {str(platform) for platform in rows}
        found = [route for route in self.routes if route.platform in platforms]
        if not found:
            raise Unreachable(key="delivery.no_account")
        return found

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        last: Unreachable | None = None
        for route in await self._routes_for(person_id):
            try:
                return await route.messenger.send_checklist(
                    person_id, view, key=key, maybe_sent=maybe_sent
                )
            except Unreachable as error:
                last = error
        raise last or Unreachable(key="delivery.no_account")

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        last: Unreachable | None = None
        for route in await self._routes_for(person_id):
            try:
                return await route.messenger.send_notice(
                    person_id, notice, key=key, maybe_sent=maybe_sent
                )
            except Unreachable as error:
                last = error
        raise last or Unreachable(key="delivery.no_account")

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        """Publish on each platform with a steering channel; the first failure is raised
        after the others have had their turn (the retry finishes only what is missing)."""
        round_ = await Round.get(id=round_id)
        programme = await Programme.get(id=round_.programme_id)
        targets = [route for route in self.routes if route.publishes(programme)]
        if not targets:
            raise PermanentFailure(key="delivery.no_steering_channel")
        sent: list[Sent] = []
        failure: DeliveryError | None = None
        for route in targets:
            try:
                sent.append(await route.messenger.publish(round_id, key=key, maybe_sent=maybe_sent))
            except DeliveryError as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return sent[0]
