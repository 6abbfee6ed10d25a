"""Requests Slack never sends, straight at /slack/events: bodies that cannot be parsed,
bodies of no known kind, payloads without a person, the wrong HTTP method or path.

Forged, missing, stale and non-ASCII signatures and replays are in
tests/test_slack_security.py. The rule for a request not from Slack: a 4xx and no effect.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.people import Person
from models.round import Round
from standins.slack import SlackStub, Tamper
from tests.factories import OPENED, small_programme
from tests.faults_support import checklist_message, post_signed, row_counts
from tests.slack_app import join_workspace, running_app

NOW = OPENED + timedelta(days=1)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture
async def app(db: str, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    await small_programme()
    await join_workspace(slack)
    async with running_app(slack, "http", clock=ManualClock(NOW)) as running:
        yield running


@pytest.mark.parametrize("tamper", [Tamper.NON_NUMERIC_TIMESTAMP, Tamper.NON_ASCII_SIGNATURE])
async def test_a_spoiled_signature_gets_a_4xx(
    app: Fremdrift, slack: SlackStub, tamper: Tamper
) -> None:
    lead = await Person.get(key="pl-syd")
    round_ = await Round.get()
    message = await checklist_message(app, slack, lead, round_.id, "unit:syd", "U0ALICE001")
    before = await row_counts()
    delivery = await slack.click("U0ALICE001", message, "fd:start:", tamper=tamper)
    assert await row_counts() == before
    assert delivery.status is not None and 400 <= delivery.status < 500, delivery.status


def form(payload: str) -> bytes:
    return urlencode({"payload": payload}).encode()


UNPARSABLE = {
    "payload-not-json": (form("{not json"), FORM),
    "payload-a-list": (form("[1, 2]"), FORM),
    "payload-not-utf8": (b"payload=\xff\xfe%7B", FORM),
    "json-body-not-json": (b'{"type": "event_callback", ', JSON),
}


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(("body", "content_type"), UNPARSABLE.values(), ids=UNPARSABLE.keys())
async def test_a_body_that_cannot_be_parsed_gets_a_4xx(
    app: Fremdrift, slack: SlackStub, body: bytes, content_type: str, signed: bool
) -> None:
    before = await row_counts()
    status, _ = await post_signed(slack, body, content_type, signed=signed)
    assert await row_counts() == before
    assert 400 <= status < 500, status


@pytest.mark.parametrize(("body", "content_type"), UNPARSABLE.values(), ids=UNPARSABLE.keys())
async def test_a_body_that_cannot_be_parsed_changes_nothing(
    app: Fremdrift, slack: SlackStub, body: bytes, content_type: str
) -> None:
    before = await row_counts()
    status, _ = await post_signed(slack, body, content_type)
    assert not 200 <= status < 300, status
    assert await row_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"foo=bar", FORM), (b"", FORM), (b"{}", JSON), (b'{"type": "nothing_we_know"}', JSON)],
    ids=["form-without-payload", "empty", "empty-json", "unknown-type"],
)
async def test_a_signed_body_of_no_known_kind_is_404(
    app: Fremdrift, slack: SlackStub, body: bytes, content_type: str
) -> None:
    before = await row_counts()
    status, _ = await post_signed(slack, body, content_type)
    assert status == 404
    assert await row_counts() == before


PERSONLESS = {
    "action": form(
        json.dumps(
            {
                "type": "block_actions",
                "actions": [{"action_id": "fd:start:", "value": "start||1|unit:syd||"}],
            }
        )
    ),
    "view": form(json.dumps({"type": "view_submission", "view": {"callback_id": "fd_text"}})),
    "command": urlencode({"command": "/fremdrift", "text": "round close"}).encode(),
}


@pytest.mark.parametrize("body", PERSONLESS.values(), ids=PERSONLESS.keys())
async def test_a_signed_payload_without_a_person_is_refused_and_changes_nothing(
    app: Fremdrift, slack: SlackStub, body: bytes
) -> None:
    """Only a holder of the signing secret can send these; Slack never does."""
    before = await row_counts()
    status, _ = await post_signed(slack, body)
    assert not 200 <= status < 300, status
    assert await row_counts() == before


async def test_the_wrong_method_or_path_is_a_4xx(app: Fremdrift, slack: SlackStub) -> None:
    assert slack.request_url is not None
    async with aiohttp.ClientSession() as session:
        async with session.get(slack.request_url) as response:
            assert response.status == 405
        async with session.post(slack.request_url.replace("/slack/events", "/slack")) as response:
            assert response.status == 404
    assert (await row_counts())["conversation"] == 0
