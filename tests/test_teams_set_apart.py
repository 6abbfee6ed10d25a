"""On Teams, FUT answers its milestones for every region, then sets Syddanmark apart from
the submitted card's choice and marks 6.1 A critical there alone — through the real
adapter and the Teams stand-in."""

from __future__ import annotations

from typing import Any

from conversations.clock import ManualClock
from conversations.events import decode
from models.answer import Answer
from models.programme_file import load_programme_file
from models.round import Round
from standins.slack import ManualClock as StandInClock
from standins.teams import TeamsStub, walk
from tests.scenario_checklist import ADMIN, MONDAY_10, OPEN
from tests.scenario_platforms import settle, teams_driver
from tests.slack_app import KOL

pytest_plugins = ["tests.teams_fixtures"]

FUT = "fut"


async def test_fut_sets_a_region_apart_from_the_submitted_card(db: str) -> None:
    await load_programme_file(KOL)
    async with (
        TeamsStub(clock=StandInClock()) as teams,
        teams_driver(teams, ManualClock(MONDAY_10)) as driver,
    ):
        await driver.command(ADMIN, OPEN)
        await driver.run_jobs()
        await driver.press(FUT, "start")
        codes = []
        while (shown := driver.checklist(FUT))[0] == "milestone":
            assert shown[1] is not None
            codes.append(shown[1])
            await driver.press(FUT, "progress", "reached")
            await driver.press(FUT, "next")
        await driver.press(FUT, "submit")
        assert driver.checklist(FUT)[0] == "submitted"

        card = driver.live(FUT)
        choice = next(c for c in walk(card.card, "Input.ChoiceSet") if c.get("id") == "fd_apart")
        syd = next(
            option["value"]
            for option in choice["choices"]
            if decode(option["value"]).scope.endswith("@syddanmark")
        )

        def go(data: dict[str, Any]) -> bool:
            return "fd_apart_go" in data

        delivery = await teams.people.press(FUT, card, go, {"fd_apart": syd})
        assert delivery.ok, delivery
        await settle(driver.app)
        assert driver.checklist(FUT) == ("milestone", codes[0])
        await driver.press(FUT, "critical")

    round_ = await Round.get()
    stored = {
        (a.scope, a.milestone.code): a.critical
        for a in await Answer.filter(round=round_).prefetch_related("milestone")
    }
    assert {code for scope, code in stored if scope == "*"} == set(codes)
    assert stored[("syddanmark", codes[0])] is True
    assert [key for key in stored if key[0] == "syddanmark"] == [("syddanmark", codes[0])]
    assert not any(critical for (scope, _), critical in stored.items() if scope == "*")
