"""Who may do what: only our Slack workspace and our Teams tenant, and a modal only for the
person it was opened for (issue 17, item 6).

Payloads from another workspace are Slack's own shapes (the stand-in's builders, given
another team), correctly signed: what a workspace that installed the app too would send.
Each is acknowledged — so Slack does not send it again — and stores nothing, runs nothing
and tells nobody anything.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.answer import AnswerRevision
from models.conversation import Conversation, ProcessedEvent
from models.people import Account, Platform
from standins.slack import SlackStub
from standins.slack import payloads as slack_payloads
from standins.slack.models import View
from standins.teams import TeamsStub
from tests.factories import OPENED, Small, small_programme
from tests.faults_support import checklist_message, live, post_signed, row_counts, settle
from tests.scenario_platforms import join_tenant, running_teams_app
from tests.slack_app import join_workspace, settings_for

pytest_plugins = ["tests.teams_fixtures"]

ADMIN = "U0ADMIN001"
LEAD = "U0ALICE001"  # pl-syd
DEPUTY = "U0BOB00001"  # stf-syd, the same unit's deputy
SYD = "unit:syd"
NOW = OPENED + timedelta(days=1)
ELSEWHERE = "T0ELSEWHER"


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


@asynccontextmanager
async def serving(slack: SlackStub, **changes: Any) -> AsyncIterator[Fremdrift]:
    """The app over HTTP against the stand-in, with settings changed as given."""
    await join_workspace(slack)
    settings = settings_for(slack, "http").model_copy(update=changes)
    app = Fremdrift(settings, clock=ManualClock(NOW), manage_db=False)
    await app.start()
    try:
        slack.request_url = f"{await app.serve_http('127.0.0.1', 0)}/slack/events"
        yield app
    finally:
        slack.request_url = None
        await app.stop()


@pytest.fixture
async def app(small: Small, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    async with serving(slack) as running:
        yield running


def from_elsewhere(slack: SlackStub) -> Any:
    return replace(slack.identity, team_id=ELSEWHERE, team_domain="elsewhere")


def dm_event(slack: SlackStub, team: str, text: str) -> dict[str, Any]:
    """The admin writing `text` in their DM with the bot, as a workspace's event says it."""
    return {
        "type": "message",
        "channel": slack.dm_channel(ADMIN),
        "user": ADMIN,
        "text": text,
        "ts": f"{time.time():.6f}",
        "channel_type": "im",
        "team": team,
    }


def posted(slack: SlackStub) -> int:
    return len(slack.calls_to("chat.postMessage")) + len(slack.calls_to("chat.postEphemeral"))


# -- Slack: another workspace ------------------------------------------------------------------
@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_an_event_from_another_workspace_answers_nobody_and_stores_nothing(
    small: Small, slack: SlackStub, transport: str
) -> None:
    """The hostile case: an admin's user id, asking for round status, from a workspace that
    is not ours — answered before into that workspace's DM."""
    await join_workspace(slack)
    payload = slack_payloads.event_callback(
        from_elsewhere(slack),
        dm_event(slack, ELSEWHERE, "round status"),
        event_id="Ev0ELSEWHR1",
        now=time.time(),
    )
    before, calls = await row_counts(), posted(slack)
    if transport == "http":
        async with serving(slack):
            status, _ = await post_signed(slack, json.dumps(payload).encode(), "application/json")
        assert status == 200
    else:
        settings = settings_for(slack, "socket")
        app = Fremdrift(settings, clock=ManualClock(NOW), manage_db=False)
        await app.start()
        try:
            await app.connect_socket()
            await slack.wait_for_socket(1)
            delivery = await slack.sender.send("event", payload, transport="socket")
            assert delivery.acked
        finally:
            await app.stop()
    assert posted(slack) == calls, "nothing was said to anybody"
    assert await ProcessedEvent.all().count() == 0
    assert await row_counts() == before


async def test_our_event_naming_another_workspace_in_its_authorizations_is_refused(
    app: Fremdrift, slack: SlackStub
) -> None:
    payload = slack_payloads.event_callback(
        slack.identity,
        dm_event(slack, slack.identity.team_id, "round status"),
        event_id="Ev0MIXED001",
        now=time.time(),
    )
    payload["authorizations"][0]["team_id"] = ELSEWHERE
    calls = posted(slack)
    status, _ = await post_signed(slack, json.dumps(payload).encode(), "application/json")
    assert status == 200
    assert posted(slack) == calls
    assert await ProcessedEvent.all().count() == 0


async def test_our_own_event_is_still_answered(app: Fremdrift, slack: SlackStub) -> None:
    """The control for the two above: the same event from our workspace is carried out."""
    calls = posted(slack)
    payload = slack_payloads.event_callback(
        slack.identity,
        dm_event(slack, slack.identity.team_id, "round status"),
        event_id="Ev0OURS0001",
        now=time.time(),
    )
    status, _ = await post_signed(slack, json.dumps(payload).encode(), "application/json")
    assert status == 200
    assert posted(slack) == calls + 1
    assert await ProcessedEvent.all().count() == 1


async def test_a_command_from_another_workspace_opens_nothing(
    app: Fremdrift, slack: SlackStub
) -> None:
    admin = slack.user(ADMIN)
    dm = slack.workspace.dm_with(admin.id)
    assert dm is not None
    form = slack_payloads.slash_command(
        from_elsewhere(slack),
        admin,
        dm,
        "/fremdrift",
        "round close",
        response_url=slack.response_url(ADMIN, slack.dm_channel(ADMIN)),
        trigger_id=slack.trigger(ADMIN),
    )
    before = await row_counts()
    status, text = await post_signed(slack, urlencode(form).encode())
    assert (status, text) == (200, "")
    assert await row_counts() == before


async def test_a_click_from_another_workspace_stores_nothing(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await checklist_message(app, slack, small.lead, small.round.id, SYD, LEAD)
    button = next(
        element
        for block in message.blocks or []
        for element in block.get("elements", [])
        if element.get("action_id") == "fd:start:"
    )
    lead = slack.user(LEAD)
    payload = slack_payloads.block_actions(
        from_elsewhere(slack),
        lead,
        {**button, "block_id": "b", "action_ts": "1.1"},
        trigger_id=slack.trigger(LEAD),
        message=message,
        channel=slack.workspace.dm_with(lead.id),
        response_url=slack.response_url(LEAD, slack.dm_channel(LEAD), message.ts),
    )
    before = await row_counts()
    status, _ = await post_signed(slack, urlencode({"payload": json.dumps(payload)}).encode())
    await settle(app)
    assert status == 200
    assert await row_counts() == before
    assert await Conversation.all().count() == 0


async def test_a_click_naming_another_enterprise_stores_nothing(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await checklist_message(app, slack, small.lead, small.round.id, SYD, LEAD)
    delivery = await slack.click(LEAD, message, "fd:start:")
    await settle(app)
    assert delivery.acked
    reached = next(
        element
        for block in live(slack, LEAD).blocks or []
        for element in block.get("elements", [])
        if element.get("action_id") == "fd:progress:reached"
    )
    payload = copy.deepcopy(delivery.payload)  # our click, now answering, from elsewhere
    payload["actions"] = [{**reached, "block_id": "fd_progress", "action_ts": "1.2"}]
    payload["enterprise"] = {"id": "E0ELSEWHER", "name": "Elsewhere"}
    status, _ = await post_signed(slack, urlencode({"payload": json.dumps(payload)}).encode())
    await settle(app)
    assert status == 200
    assert await AnswerRevision.all().count() == 0


@pytest.mark.parametrize("pinned", ["ours", "another"])
async def test_slack_team_id_pins_the_workspace(
    small: Small, slack: SlackStub, pinned: str
) -> None:
    team = slack.identity.team_id if pinned == "ours" else ELSEWHERE
    async with serving(slack, slack_team_id=team):
        delivery = await slack.command(ADMIN, "/fremdrift", "round status")
    assert delivery.status == 200
    replied = "12. møde" in json.dumps(delivery.ack_payload or {}, ensure_ascii=False)
    assert replied is (pinned == "ours"), delivery.ack_payload


# -- Slack: a modal acts only for whom it was opened for ---------------------------------------
async def opened_remark(app: Fremdrift, small: Small, slack: SlackStub) -> View:
    """The lead's remark modal, opened from their checklist's first milestone."""
    message = await checklist_message(app, slack, small.lead, small.round.id, SYD, LEAD)
    await slack.click(LEAD, message, "fd:start:")
    await settle(app)
    await slack.click(LEAD, live(slack, LEAD), "fd:progress:started")
    await settle(app)
    delivery = await slack.click(LEAD, live(slack, LEAD), "fdm:remark")
    assert delivery.acked
    modal = await slack.wait_for(lambda: slack.top_modal(LEAD))
    assert modal is not None
    return modal


def posts_to(slack: SlackStub, url: str) -> int:
    return len([p for p in slack.response_url_posts if p.url == url])


async def test_a_deputys_submission_of_the_leads_modal_is_refused(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    modal = await opened_remark(app, small, slack)
    metadata = json.loads(modal.definition["private_metadata"])
    assert metadata["p"] == LEAD
    revisions, lead_posts = await AnswerRevision.all().count(), posts_to(slack, metadata["u"])
    delivery = await slack.submit(DEPUTY, modal, {"fd_text": "Skrevet af en anden"})
    await settle(app)
    assert delivery.acked
    assert modal.errors and "not set up to answer" in str(modal.errors.get("fd_text")), modal.errors
    assert await AnswerRevision.all().count() == revisions
    assert posts_to(slack, metadata["u"]) == lead_posts, "nothing on the lead's message"


async def test_metadata_without_its_person_never_reaches_the_leads_message(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    """The person stripped from the lead's metadata: whatever the deputy's submission does
    (the deputy may answer the unit), the lead's response_url is not used."""
    modal = await opened_remark(app, small, slack)
    metadata = json.loads(modal.definition["private_metadata"])
    del metadata["p"]
    modal.definition["private_metadata"] = json.dumps(metadata)
    lead_posts = posts_to(slack, metadata["u"])
    await slack.submit(DEPUTY, modal, {"fd_text": "Skrevet af en anden"})
    await settle(app)
    assert posts_to(slack, metadata["u"]) == lead_posts


async def test_the_lead_submitting_their_own_modal_still_redraws_their_message(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    modal = await opened_remark(app, small, slack)
    metadata = json.loads(modal.definition["private_metadata"])
    lead_posts = posts_to(slack, metadata["u"])
    delivery = await slack.submit(LEAD, modal, {"fd_text": "Min egen bemærkning"})
    await settle(app)
    assert delivery.acked and not modal.errors
    assert posts_to(slack, metadata["u"]) == lead_posts + 1


# -- Teams: another tenant -------------------------------------------------------------------
async def test_an_activity_naming_another_tenant_beside_ours_is_refused(
    small: Small, teams: TeamsStub
) -> None:
    await join_tenant(teams)
    async with running_teams_app(teams, ManualClock(NOW)):
        installed = await teams.people.install("pl-syd")
        assert all(d.ok for d in installed)
        accounts = await Account.filter(platform=Platform.TEAMS).count()
        activity = copy.deepcopy(installed[-1].activity)
        activity["id"] = "mixed-tenants-1"
        activity["type"] = "message"
        activity["text"] = "me"
        activity["channelData"] = {"tenant": {"id": "11111111-2222-3333-4444-555555555555"}}
        events = await ProcessedEvent.all().count()
        refused = await teams.sender.deliver(activity)
    assert refused.status == 401
    assert await ProcessedEvent.all().count() == events
    assert await Account.filter(platform=Platform.TEAMS).count() == accounts
