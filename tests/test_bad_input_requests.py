"""Requests Slack never sends, straight at /slack/events: bodies that cannot be parsed,
bodies of no known kind, payloads without a person, the wrong HTTP method or path.

Forged, missing, stale and non-ASCII signatures and replays are in
tests/test_slack_security.py. The rule for a request not from Slack: a 4xx and no effect —
and never a 500, whatever its shape, signed or not (bot/slack/shape.py): a gzip bomb is not
inflated, a body over the cap is not read, JSON nested past the interpreter's recursion
limit, odd timestamps, user ids, `actions` and numbers past 64 bits are refused up front.
"""

from __future__ import annotations

import io
import json
import time
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.runtime import Fremdrift
from bot.slack import shape
from conversations.clock import ManualClock
from models.conversation import ProcessedEvent
from models.people import Person
from models.round import Round
from standins.slack import SlackStub, Tamper, sign
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


# -- requests that must cost little and never end in a 500 (issue 17, item 7) --------------
async def post(slack: SlackStub, body: bytes, headers: dict[str, str]) -> int:
    """A request to the app's Slack URL with exactly these headers and bytes."""
    assert slack.request_url is not None
    async with (
        aiohttp.ClientSession(auto_decompress=False) as session,
        session.post(slack.request_url, data=io.BytesIO(body), headers=headers) as response,
    ):
        return response.status


def signature_headers(
    slack: SlackStub, body: bytes, content_type: str = FORM, *, timestamp: str | None = None
) -> dict[str, str]:
    """Headers that sign `body` correctly (with the app's secret), now."""
    when = timestamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": when,
        "X-Slack-Signature": sign(slack.identity.signing_secret, when, body),
    }


def gzip_bomb(inflated: int) -> bytes:
    """`inflated` bytes of zeros, gzipped (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(inflated // len(zeros))]
    return b"".join(parts) + packer.flush()


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
async def test_a_gzip_bomb_is_refused_without_being_inflated(
    app: Fremdrift, slack: SlackStub, signed: bool
) -> None:
    bomb = gzip_bomb(256 * 1024 * 1024)  # 256 MiB inflated, about 256 KiB as sent
    headers = {"Content-Type": FORM, "Content-Encoding": "gzip"}
    if signed:
        headers = {**signature_headers(slack, bomb), "Content-Encoding": "gzip"}
    before = await row_counts()
    status = await post(slack, bomb, headers)
    # Unsigned: 401 before a byte is read. Signed: the raw bytes are what is signed, and
    # nothing Slack sends is compressed (415); inflated, they would have been 413 or 400.
    assert status == (415 if signed else 401), status
    assert await row_counts() == before


async def test_a_body_over_the_cap_is_413_before_it_is_read(
    app: Fremdrift, slack: SlackStub
) -> None:
    body = b"payload=" + b"x" * (shape.MAX_BODY + 1)
    headers = signature_headers(slack, body)
    assert await post(slack, body, headers) == 413


NESTED = {
    "json-past-recursion": b'{"type": "event_callback", "event": '
    + b"[" * 200_000
    + b"]" * 200_000
    + b"}",
    "json-past-the-cap": b'{"type": "event_callback", "event": {"type": "message", "x": '
    + b"[" * 100
    + b"]" * 100
    + b"}}",
    "form-payload-past-recursion": form(
        '{"type": "block_actions", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    ),
}


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("body", NESTED.values(), ids=NESTED.keys())
async def test_deeply_nested_json_is_a_4xx_without_a_traceback(
    app: Fremdrift, slack: SlackStub, body: bytes, signed: bool
) -> None:
    content_type = JSON if body.startswith(b"{") else FORM
    headers = signature_headers(slack, body, content_type) if signed else {"Content-Type": FORM}
    before = await row_counts()
    assert await post(slack, body, headers) == (400 if signed else 401)
    assert await row_counts() == before


@pytest.mark.parametrize(
    "timestamp",
    ["١٧٠٠٠٠٠٠٠٠", "²", "1" * 5000, "+1700000000", " 1700000000", "-1", "1e9", "0x10"],
    ids=["arabic-digits", "superscript", "5000-digits", "plus", "space", "negative", "exp", "hex"],
)
async def test_a_timestamp_slack_never_sends_is_401(
    app: Fremdrift, slack: SlackStub, timestamp: str
) -> None:
    body = form(json.dumps({"type": "block_actions"}))
    headers = signature_headers(slack, body)
    headers["X-Slack-Request-Timestamp"] = timestamp
    headers["X-Slack-Signature"] = sign(slack.identity.signing_secret, timestamp, body)
    assert await post(slack, body, headers) == 401


def click_payload(**changes: object) -> dict[str, object]:
    """A block_actions payload as Slack sends one, with fields replaced (None: removed)."""
    payload: dict[str, object] = {
        "type": "block_actions",
        "user": {"id": "U0ALICE001", "username": "alice", "team_id": "T0FREMDRIF"},
        "team": {"id": "T0FREMDRIF", "domain": "fremdrift"},
        "api_app_id": "A0FREMDRIF",
        "trigger_id": "1.2.abc",
        "response_url": "https://hooks.slack.com/actions/T0FREMDRIF/1/abc",
        "actions": [{"action_id": "fd:start:", "value": "start||1|unit:syd||", "type": "button"}],
    }
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


SHAPES = {
    "user-id-empty": click_payload(user={"id": ""}),
    "user-id-lowercase": click_payload(user={"id": "u0alice001"}),
    "user-id-nul": click_payload(user={"id": "U0ALICE001\x00"}),
    "user-id-5000-chars": click_payload(user={"id": "U" + "A" * 5000}),
    "user-id-a-number": click_payload(user={"id": 12345}),
    "user-a-list": click_payload(user=["U0ALICE001"]),
    "user-a-number": click_payload(user=7),
    "team-a-list": click_payload(team=["T0FREMDRIF"]),
    "actions-empty": click_payload(actions=[]),
    "actions-not-a-list": click_payload(actions="fd:start:"),
    "actions-missing": click_payload(actions=None),
    "action-not-an-object": click_payload(actions=[1]),
    "action-id-a-number": click_payload(actions=[{"action_id": 5, "value": "x"}]),
    "value-past-64-bits": click_payload(
        actions=[{"action_id": "fd:start:", "value": "start||99999999999999999999|unit:syd||"}]
    ),
    "value-past-64-bits-underscored": click_payload(
        actions=[{"action_id": "fd:start:", "value": "start||9_223_372_036_854_775_808|x||"}]
    ),
    "response-url-a-number": click_payload(response_url=5),
    "a-slack-function": click_payload(function_execution_id="Fx1", bot_access_token="xoxb-x"),
    "authorizations-empty": click_payload(authorizations=[]),
}


@pytest.mark.parametrize("payload", SHAPES.values(), ids=SHAPES.keys())
async def test_a_signed_payload_of_a_shape_slack_never_sends_is_400(
    app: Fremdrift, slack: SlackStub, payload: dict[str, object]
) -> None:
    before = await row_counts()
    status, _ = await post_signed(slack, form(json.dumps(payload)))
    assert status == 400, status
    assert await row_counts() == before


EVENT_SHAPES = {
    "event-missing": {"type": "event_callback", "team_id": "T0FREMDRIF", "event_id": "Ev1"},
    "event-a-list": {"type": "event_callback", "team_id": "T0FREMDRIF", "event": []},
    "event-user-a-number": {
        "type": "event_callback",
        "team_id": "T0FREMDRIF",
        "event": {"type": "message", "user": 5, "channel": "D1", "channel_type": "im"},
    },
    "dm-without-its-user": {
        "type": "event_callback",
        "team_id": "T0FREMDRIF",
        "event": {"type": "message", "channel": "D1", "channel_type": "im", "text": "me"},
    },
    "event-channel-a-list": {
        "type": "event_callback",
        "team_id": "T0FREMDRIF",
        "event": {"type": "message", "user": "U0ALICE001", "channel": ["D1"]},
    },
    "authorizations-of-text": {
        "type": "event_callback",
        "team_id": "T0FREMDRIF",
        "authorizations": ["T0FREMDRIF"],
        "event": {"type": "app_home_opened", "user": "U0ALICE001"},
    },
}


@pytest.mark.parametrize("payload", EVENT_SHAPES.values(), ids=EVENT_SHAPES.keys())
async def test_a_signed_event_of_a_shape_slack_never_sends_is_400(
    app: Fremdrift, slack: SlackStub, payload: dict[str, object]
) -> None:
    before = await row_counts()
    status, _ = await post_signed(slack, json.dumps(payload).encode(), JSON)
    assert status == 400, status
    assert await row_counts() == before
    assert await ProcessedEvent.all().count() == 0


@pytest.mark.parametrize(
    "user_id", ["", "../etc", "U0ALICE001\n", "u0alice001"], ids=["empty", "path", "nl", "lower"]
)
async def test_a_signed_command_from_an_odd_user_id_is_400(
    app: Fremdrift, slack: SlackStub, user_id: str
) -> None:
    body = urlencode(
        {
            "command": "/fremdrift",
            "text": "round status",
            "user_id": user_id,
            "team_id": "T0FREMDRIF",
        }
    ).encode()
    before = await row_counts()
    status, _ = await post_signed(slack, body)
    assert status == 400, status
    assert await row_counts() == before
