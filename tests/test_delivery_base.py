"""service/delivery.py's rules, once for every platform: which message is redrawn, one
delivery per conversation at a time, no older view over a newer one, bounded memory, and
notes and failures as message keys.

The platform here is a small one written for the test — the base's four primitives,
recording what they were asked; Slack's and Teams' own run through their stand-ins
(test_slack_checklist_e2e.py, test_teams_scenario.py, test_teams_faults.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace

import pytest

from conversations.checklist import Tell
from conversations.views import ClosedView, Header, View
from conversations.vocabulary import LANGUAGES
from render.i18n import catalogue
from service.delivery import Deliveries, Ref
from service.messenger import (
    DeliveryError,
    PermanentFailure,
    RateLimited,
    TransientFailure,
    Unreachable,
)
from service.runner import Reply


def view(version: int) -> ClosedView:
    header = Header(
        round_id=1,
        round_name="13. møde",
        scope="unit:syd",
        scope_title="Syd",
        deadline=None,
        timezone="Europe/Copenhagen",
        language="da",
        version=version,
        late=False,
    )
    return ClosedView(header, answered=0, total=3)


def board_ref(place: str, message: str) -> Ref:
    return {"platform": "board", "place": place, "id": message}


class Board(Deliveries[str]):
    """A platform whose places are names and whose messages are numbered."""

    platform = "board"

    def __init__(self, keep: int = 100) -> None:
        super().__init__(keep=keep)
        self.calls: list[tuple[str, ...]] = []
        self.failure: DeliveryError | None = None
        self.gates: dict[int, asyncio.Event] = {}

    def located(self, ref: Ref, near: str) -> str | None:
        return str(ref["place"]) if ref.get("platform") == "board" else None

    async def post(self, place: str, view: View) -> Ref:
        await self._pass(view)
        self.calls.append(("post", place, str(view.header.version)))
        return board_ref(place, f"m{len(self.calls)}")

    async def update(self, place: str, ref: Ref, view: View) -> Ref:
        await self._pass(view)
        self.calls.append(("update", place, str(ref["id"]), str(view.header.version)))
        return ref

    async def note(self, place: str, language: str, key: str, params: Mapping[str, object]) -> None:
        self.calls.append(("note", place, catalogue(language).text(key, **params)))

    async def _pass(self, view: View) -> None:
        if self.failure is not None:
            raise self.failure
        gate = self.gates.get(view.header.version)
        if gate is not None:
            self.calls.append(("waiting", str(view.header.version)))
            await gate.wait()


def reply(conversation: int, version: int, live: Ref | None = None) -> Reply:
    """A committed step; with conversation 0 nothing is written back to the database."""
    return Reply(conversation, version, "da", views=[view(version)], message_ref=live)


async def test_the_message_acted_on_else_the_live_one_else_a_new_one() -> None:
    board = Board()
    live = board_ref("dm", "m-live")
    await board.deliver(reply(0, 1, live), "channel", board_ref("channel", "m-clicked"))
    await board.deliver(reply(0, 2, live), "home")
    await board.deliver(reply(0, 3, live), "home", fresh=True)
    await board.deliver(reply(0, 4, {"platform": "elsewhere", "id": "x"}), "home")
    assert board.calls == [
        ("update", "channel", "m-clicked", "1"),
        ("update", "dm", "m-live", "2"),  # the live message, where it is
        ("post", "home", "3"),
        ("post", "home", "4"),  # a message of another platform is no live one here
    ]


async def test_an_older_view_is_never_shown_over_a_newer_one() -> None:
    board = Board()
    live = board_ref("dm", "m1")
    for version in (5, 4, 5, 6):
        await board.deliver(reply(0, version, live), "dm")
    assert [call[-1] for call in board.calls] == ["5", "5", "6"]
    assert board.shown(0) == 6


async def test_deliveries_for_one_conversation_run_one_at_a_time() -> None:
    board = Board()
    board.gates[1] = asyncio.Event()
    live = board_ref("dm", "m1")
    board.spawn(board.deliver(reply(0, 1, live), "dm"))
    board.spawn(board.deliver(reply(0, 2, live), "dm"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert board.calls == [("waiting", "1")], "the second waits for the first"
    board.gates[1].set()
    await board.drain()
    assert board.calls[1:] == [("update", "dm", "m1", "1"), ("update", "dm", "m1", "2")]


async def test_what_is_kept_is_bounded_and_a_held_lock_is_never_dropped() -> None:
    board = Board(keep=2)
    board.gates[1] = asyncio.Event()
    first = board_ref("dm-a", "m1")
    board.spawn(board.deliver(reply(0, 1, first), "dm-a"))  # conversation 0, held
    await asyncio.sleep(0)
    others = [reply(10 + n, 7, board_ref("dm-b", f"b{n}")) for n in range(3)]
    for other in others:
        await board.deliver(other, "dm-b")
    assert board.shown(10) == -1 and board.shown(12) == 7, "the oldest are forgotten"
    board.spawn(board.deliver(reply(0, 2, first), "dm-a"))  # its lock must still be held
    await asyncio.sleep(0)
    assert ("update", "dm-a", "m1", "2") not in board.calls
    board.gates[1].set()
    await board.drain()
    assert board.calls[-2:] == [("update", "dm-a", "m1", "1"), ("update", "dm-a", "m1", "2")]


async def test_a_refused_update_is_logged_by_its_key_and_shows_next_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = Board()
    live = board_ref("dm", "m1")
    board.failure = TransientFailure("503")
    with caplog.at_level(logging.WARNING, logger="service.delivery"):
        await board.deliver(reply(0, 3, live), "dm")
    [record] = caplog.records
    assert record.getMessage() == "checklist message not updated"
    assert (record.reason, record.detail) == ("delivery.transient", "503")  # type: ignore[attr-defined]  # set by extra=, as logging does
    assert board.shown(0) == -1
    board.failure = None
    await board.deliver(reply(0, 3, live), "dm")
    assert board.calls == [("update", "dm", "m1", "3")]


async def test_notes_are_message_keys_said_in_the_persons_language() -> None:
    board = Board()
    step = replace(
        reply(0, 1, board_ref("dm", "m1")), language="en", tells=[Tell("checklist.moved_on")]
    )
    await board.deliver(step, "dm")
    assert board.calls[-1] == ("note", "dm", catalogue("en").text("checklist.moved_on"))


FAILURES = [
    DeliveryError(),
    Unreachable("channel_not_found"),
    RateLimited(7.0),
    TransientFailure("503"),
    PermanentFailure("413 Request Entity Too Large"),
    Unreachable(key="delivery.no_account", platform="slack"),
    Unreachable(key="delivery.no_account"),
    PermanentFailure(key="delivery.no_steering_channel", platform="teams"),
]


@pytest.mark.parametrize("error", FAILURES, ids=lambda error: f"{type(error).__name__}-{error}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_delivery_failure_is_a_key_with_words_in_every_language(
    error: DeliveryError, language: str
) -> None:
    said = catalogue(language).error(error)
    assert said and "delivery." not in said
    assert error.detail in said
    assert str(error) in (error.detail, error.key), "a detail or a key, never a sentence"
