"""The route hands bolt the payload it already parsed (bot/slack/parsed.py): bolt must see
the request it would have built from the raw body itself — body, context, raw text for its
signature check — for a click (a form), a slash command and an event (JSON)."""

from __future__ import annotations

import gc
import json
from urllib.parse import urlencode

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import heap
from bot.slack import shape
from bot.slack.parsed import parsed_request

CLICK = {
    "type": "block_actions",
    "user": {"id": "U0ALICE001", "team_id": "T0FREMDRIFT"},
    "team": {"id": "T0FREMDRIFT", "domain": "fremdrift"},
    "container": {"type": "message", "channel_id": "D0ALICE", "message_ts": "1.2"},
    "channel": {"id": "D0ALICE"},
    "response_url": "https://hooks.slack.test/actions/1",
    "trigger_id": "1.2.3",
    "actions": [{"action_id": "fd:progress:started", "value": "1|unit:syd|…|æøå &%+"}],
}
FORM = "application/x-www-form-urlencoded"
BODIES = {
    "click": (urlencode({"payload": json.dumps(CLICK)}), FORM),
    "command": (
        urlencode({"command": "/fremdrift", "text": "round status", "user_id": "U0ALICE001",
                   "team_id": "T0FREMDRIFT", "channel_id": "C0STEER"}),
        FORM,
    ),
    "event": (
        json.dumps({"type": "event_callback", "team_id": "T0FREMDRIFT", "event": {
            "type": "app_home_opened", "user": "U0ALICE001", "channel": "D0ALICE"}}),
        "application/json",
    ),
}  # fmt: skip
CONTEXT_KEYS = ("user_id", "team_id", "channel_id", "enterprise_id", "is_enterprise_install")


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_bolt_sees_the_request_it_would_have_parsed_itself(kind: str) -> None:
    raw, content_type = BODIES[kind]
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": "1700000000"}
    payload = shape.parse(raw.encode(), content_type)
    assert payload is not None

    ours = parsed_request(raw, payload, query="a=1", headers=headers)
    bolts = AsyncBoltRequest(body=raw, query="a=1", headers=headers)  # type: ignore[arg-type]  # bolt wants a dict of str | Sequence[str]

    assert ours.body == bolts.body and ours.body["team_id" if kind != "click" else "team"]
    assert ours.raw_body == bolts.raw_body == raw
    assert (ours.query, ours.headers, ours.content_type, ours.mode) == (
        bolts.query,
        bolts.headers,
        bolts.content_type,
        bolts.mode,
    )
    for key in CONTEXT_KEYS:
        assert ours.context.get(key) == bolts.context.get(key), key
    assert ours.context.get("user_id") == "U0ALICE001"


def test_a_serving_process_freezes_its_start_up_heap_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (heap.FIRST_GENERATION, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
