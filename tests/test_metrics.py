"""/metrics: what the edges count — answers stored, acks timed, DMs sent and failed, 429s."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from service import rounds
from service.round_jobs import build_worker
from standins.slack import RateLimited, SlackError, SlackStub
from tests.slack_app import KOL, join_workspace, running_app

MONDAY_10 = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
LEAD = "U0KOL000051"  # pl-syddanmark


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


Scraped = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(slack: SlackStub) -> Scraped:
    """/metrics as served, parsed: (sample name, labels) -> value."""
    assert slack.request_url is not None
    url = slack.request_url.removesuffix("/slack/events") + "/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        body = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


@pytest.fixture
async def app(db: str, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await join_workspace(slack)
    programme = await Programme.get(key="kol-2018")
    slack.workspace.add_channel("styregruppe", channel_id=programme.steering_channel)
    async with running_app(slack, "http", clock=ManualClock(MONDAY_10)) as running:
        yield running


async def open_round(app: Fremdrift) -> Round:
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(
        programme, "12. møde", "15. juni 2018 kl. 12", admin, app.clock.now()
    )
    return opened.round


async def test_a_click_shows_on_metrics_as_an_answer_stored_and_an_ack_timed(
    app: Fremdrift, slack: SlackStub
) -> None:
    slack.limits.disable()
    await open_round(app)
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    before = await scrape(slack)
    stored_before = before.get(("fremdrift_answers_stored_total", ()), 0.0)
    acks_key = ("fremdrift_slack_ack_seconds_count", (("type", "block_actions"),))
    acks_before = before.get(acks_key, 0.0)

    invitation = next(m for m in slack.dm(LEAD) if m.blocks)
    assert (await slack.click(LEAD, invitation, "fd:start:")).acked
    await slack.wait_for(lambda: len(invitation.history) >= 1)
    live = slack.workspace.find_message(invitation.channel, invitation.ts)
    assert live is not None
    assert (await slack.click(LEAD, live, "fd:progress:reached")).acked

    after = await scrape(slack)
    assert after[("fremdrift_answers_stored_total", ())] >= stored_before + 1
    assert after[acks_key] >= acks_before + 2
    assert after[("fremdrift_slack_ack_seconds_sum", (("type", "block_actions"),))] > 0
    assert ("fremdrift_dms_sent_total", (("kind", "invite"),)) in after


async def test_dms_sent_and_failed_reminders_and_429s_are_counted(
    app: Fremdrift, slack: SlackStub
) -> None:
    slack.limits.disable()
    invites, failed = (
        sample("fremdrift_dms_sent_total", kind="invite"),
        sample("fremdrift_dms_failed_total", kind="invite"),
    )
    limited = sample("fremdrift_slack_rate_limited_total", method="chat.postMessage")
    reminders = sample("fremdrift_reminders_sent_total")
    slack.faults.add("chat.postMessage", RateLimited(retry_after=1), times=2)
    slack.faults.add("chat.postMessage", SlackError("user_not_found"), times=1)
    await open_round(app)
    clock = app.clock
    assert isinstance(clock, ManualClock)
    worker = build_worker(app.messenger(), clock=clock, settings=app.settings)
    for _ in range(5):
        await worker.run_until_idle()
        clock.advance(timedelta(seconds=5))
    assert await Job.filter(kind="invite", status=JobStatus.FAILED).count() == 1
    assert sample("fremdrift_dms_failed_total", kind="invite") == failed + 1
    assert sample("fremdrift_dms_sent_total", kind="invite") == invites + 10
    assert sample("fremdrift_slack_rate_limited_total", method="chat.postMessage") == limited + 2

    clock.set(datetime(2018, 6, 12, 7, 0, tzinfo=UTC))  # Tuesday 09:00, the first reminder
    await worker.run_until_idle()
    done = await Job.filter(kind="remind", status=JobStatus.DONE)
    sent = sum(1 for job in done if (job.result or {}).get("sent"))
    assert sent > 0
    assert sample("fremdrift_reminders_sent_total") == reminders + sent
