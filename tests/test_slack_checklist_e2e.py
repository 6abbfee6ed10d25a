"""A lead plays the whole KOL checklist in Slack, by clicks and typed text, on both transports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from bot.slack.messenger import SlackMessenger
from conversations.clock import ManualClock
from conversations.events import decode
from models.answer import Answer, AnswerRevision
from models.people import Person
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus, Submission
from standins.slack import SlackStub
from standins.slack.models import Message
from tests.slack_app import KOL, join_workspace, running_app, seed000_answers

NOW = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
LEAD = "U0KOL000051"  # pl-syddanmark


async def open_kol_round() -> Round:
    await load_programme_file(KOL)
    from models.programme import Programme

    programme = await Programme.get(key="kol-2018")
    return await Round.create(
        programme=programme,
        name="12. møde, 20. juni 2018",
        open_slot=programme.id,
        opened_at=NOW,
        deadline=NOW + timedelta(days=4),
    )


def live(slack: SlackStub) -> Message:
    messages = [m for m in slack.dm(LEAD) if m.blocks]
    assert messages, "no checklist message in the DM"
    return messages[-1]


def current_code(message: Message) -> str:
    for block in message.blocks or []:
        if block.get("block_id") == "fd_progress":
            return decode(block["elements"][0]["value"]).event.code
    raise AssertionError("not a milestone view")


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_a_lead_answers_the_whole_kol_checklist_in_slack(
    db: str, slack: SlackStub, transport: Literal["http", "socket"]
) -> None:
    round_ = await open_kol_round()
    await join_workspace(slack)
    seed = seed000_answers("syddanmark")
    async with running_app(slack, transport, clock=ManualClock(NOW)) as app:
        deps = app.deps
        assert deps is not None
        person = await Person.get(key="pl-syddanmark")
        messenger = SlackMessenger(app.jobs_client)
        intro = await deps.runner.current(person, round_.id, "unit:syddanmark")
        assert intro.view is not None
        await messenger.send_checklist(person.id, intro.view, key="invite-test")

        async def click(action_id: str) -> None:
            delivery = await slack.click(LEAD, live(slack), action_id, transport=transport)
            assert delivery.acked, delivery
            await deps.deliveries.drain()

        async def type_text(action_id: str, text: str) -> None:
            await click(action_id)
            modal = await slack.wait_for(lambda: slack.top_modal(LEAD))
            delivery = await slack.submit(LEAD, modal, {"fd_text": text}, transport=transport)
            assert delivery.acked
            assert slack.top_modal(LEAD) is None, "the modal should close on a good answer"
            await deps.deliveries.drain()

        await click("fd:start:")
        answered: dict[str, tuple[str, str, bool, str, str]] = {}
        while any(b.get("block_id") == "fd_progress" for b in live(slack).blocks or []):
            code = current_code(live(slack))
            answer = seed.get(code)
            progress = answer.progress if answer else "started"
            await click(f"fd:progress:{progress}")
            delay = answer.delay if answer else "0"
            if delay != "0":
                await click(f"fd:delay:{delay}")
            critical = bool(answer and answer.critical)
            if critical:
                await click("fd:critical:")
            forecast = answer.forecast if answer else ""
            remark = answer.remark if answer else "Lokalt punkt"
            if forecast:
                await type_text("fdm:forecast", forecast)
            if remark:
                await type_text("fdm:remark", remark)
            answered[code] = (progress, delay, critical, forecast, remark)
            await click("fd:next:")

        review = live(slack)
        assert review.blocks is not None
        assert "Gennemse" in review.blocks[0]["text"]["text"]
        await click("fd:submit:")
        final = live(slack)
        assert final.blocks is not None
        assert "indsendt" in final.blocks[0]["text"]["text"]

    fut = {"6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4"}
    assert set(answered) == (set(seed) - fut) | {"SYD-1", "SYD-2"}
    stored = {
        a.milestone.code: a for a in await Answer.filter(round=round_).prefetch_related("milestone")
    }
    assert set(stored) == set(answered)
    for code, (progress, delay, critical, forecast, remark) in answered.items():
        row = stored[code]
        assert (str(row.progress), str(row.delay), row.critical, row.forecast_text, row.remark) == (
            progress,
            delay,
            critical,
            forecast,
            remark,
        ), code
        assert row.scope == "syddanmark"
    revisions = await AnswerRevision.filter(answer__round=round_).count()
    expected = sum(1 + (d != "0") + c + bool(f) + bool(r) for (_, d, c, f, r) in answered.values())
    assert revisions == expected
    assert await Submission.filter(round=round_, scope="unit:syddanmark").count() == 1
    assert (await Round.get(id=round_.id)).status is RoundStatus.OPEN
