"""Structured logs: one JSON object per line, with round, scope and user — never a token,
never a remark's text at INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from bot.demo.checkout import demo_inputs
from bot.demo.players import Player
from bot.demo.seed import read_answers
from bot.logs import JsonFormatter
from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from service import rounds
from service.round_jobs import build_worker
from standins.slack import SlackStub
from tests.slack_app import KOL, join_workspace, running_app

MONDAY_10 = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
LEAD = "U0KOL000051"  # pl-syddanmark


@contextmanager
def captured(level: int) -> Iterator[io.StringIO]:
    """Every log record of the process at `level` and up, as the JSON lines serve writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level)
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)


@pytest.fixture
async def app(db: str, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await join_workspace(slack)
    slack.limits.disable()
    async with running_app(slack, "http", clock=ManualClock(MONDAY_10)) as running:
        yield running


async def open_round(app: Fremdrift) -> Round:
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(
        programme, "12. møde", "15. juni 2018 kl. 12", admin, app.clock.now()
    )
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    return opened.round


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_click_logs_one_json_line_with_round_scope_and_user(
    app: Fremdrift, slack: SlackStub
) -> None:
    round_ = await open_round(app)
    invitation = next(m for m in slack.dm(LEAD) if m.blocks)
    with captured(logging.INFO) as stream:
        assert (await slack.click(LEAD, invitation, "fd:start:")).acked
        await slack.wait_for(lambda: invitation.history)
    clicks = [line for line in lines(stream) if line["message"] == "checklist click"]
    assert len(clicks) == 1
    assert clicks[0]["round"] == round_.id
    assert clicks[0]["scope"] == "unit:syddanmark"
    assert clicks[0]["user"] == LEAD
    assert clicks[0]["kind"] == "Start"
    assert clicks[0]["level"] == "info" and "time" in clicks[0]


async def test_a_whole_checklist_run_logs_no_token_and_no_remark_text_at_info(
    app: Fremdrift, slack: SlackStub
) -> None:
    checkout = demo_inputs()
    answers = read_answers(checkout.seed, checkout.local_items)["syddanmark"]
    remarks = [a.remark for a in answers.values() if a.remark]
    assert remarks
    with captured(logging.DEBUG) as debug:
        await open_round(app)
        with captured(logging.INFO) as info:
            answered = await Player(slack, LEAD, answers).play()
        assert app.deps is not None
        await app.deps.deliveries.drain()
    assert answered == len(set(answers) - {"6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4"})
    token = slack.identity.bot_token
    assert token.startswith("xoxb-")
    everything = debug.getvalue()
    assert everything.count("\n") > answered  # the run did log
    assert "xoxb-" not in everything
    assert slack.identity.signing_secret not in everything
    at_info = info.getvalue()
    texts = [line for line in lines(info) if line["message"] == "checklist text"]
    assert len(texts) == sum(bool(a.remark) + bool(a.forecast) for a in answers.values())
    assert {line["kind"] for line in texts} == {"remark", "forecast"}
    for remark in remarks:
        assert remark not in at_info
        assert remark[:30] not in at_info
