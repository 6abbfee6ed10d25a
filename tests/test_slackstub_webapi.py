"""Each Web API method round-trips through the real AsyncWebClient with Slack's shapes."""

from __future__ import annotations

from collections.abc import Awaitable

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import DEFAULT_BOT_SCOPES, ManualClock, SlackStub

pytest_plugins = ["tests.slack_fixtures"]

ALICE, BOB = "U0ALICE001", "U0BOB00001"


async def error_of(call: Awaitable[object]) -> dict[str, object]:
    with pytest.raises(SlackApiError) as raised:
        await call
    data = raised.value.response.data
    assert isinstance(data, dict)
    return data


async def test_auth_test_names_the_bot(slack_client: AsyncWebClient, slack: SlackStub) -> None:
    answer = await slack_client.auth_test()
    assert answer["user_id"] == slack.identity.bot_user_id
    assert answer["team_id"] == slack.identity.team_id
    assert answer["bot_id"] == slack.identity.bot_id


async def test_posting_to_a_user_id_lands_in_the_apps_dm(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    answer = await slack_client.chat_postMessage(channel=ALICE, text="Round 7 is open")

    assert answer["channel"].startswith("D")
    assert answer["channel"] == slack.dm_channel("alice")
    assert [m.text for m in slack.dm("alice")] == ["Round 7 is open"]
    assert answer["message"]["bot_id"] == slack.identity.bot_id


async def test_conversations_open_returns_the_same_dm(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    first = await slack_client.conversations_open(users=BOB)
    again = await slack_client.conversations_open(users=BOB)
    assert first["channel"]["id"] == again["channel"]["id"] == slack.dm_channel("bob")
    assert again["already_open"] is True
    assert "already_open" not in first.data


async def test_history_shows_metadata_only_when_asked(slack_client: AsyncWebClient) -> None:
    metadata = {"event_type": "invitation_sent", "event_payload": {"round": 7, "unit": "U1"}}
    posted = await slack_client.chat_postMessage(channel=ALICE, text="invite", metadata=metadata)

    plain = await slack_client.conversations_history(channel=posted["channel"])
    full = await slack_client.conversations_history(
        channel=posted["channel"], include_all_metadata=True
    )

    assert "metadata" not in plain["messages"][0]
    assert full["messages"][0]["metadata"] == metadata


async def test_history_is_newest_first_and_pages(slack_client: AsyncWebClient) -> None:
    for n in range(3):
        await slack_client.chat_postMessage(channel="C0GENERAL1", text=f"m{n}")
    first = await slack_client.conversations_history(channel="C0GENERAL1", limit=2)
    rest = await slack_client.conversations_history(
        channel="C0GENERAL1", limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in first["messages"]] == ["m2", "m1"]
    assert first["has_more"] is True
    assert [m["text"] for m in rest["messages"]] == ["m0"]
    assert rest["has_more"] is False


async def test_thread_replies_stay_out_of_history(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    parent = await slack_client.chat_postMessage(channel="C0GENERAL1", text="parent")
    await slack_client.chat_postMessage(channel="C0GENERAL1", text="reply", thread_ts=parent["ts"])

    history = await slack_client.conversations_history(channel="C0GENERAL1")
    replies = await slack_client.conversations_replies(channel="C0GENERAL1", ts=parent["ts"])

    assert [m["text"] for m in history["messages"]] == ["parent"]
    assert history["messages"][0]["reply_count"] == 1
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply"]
    assert [m.text for m in slack.thread("C0GENERAL1", parent["ts"])] == ["reply"]


async def test_chat_update_changes_what_people_see(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    posted = await slack_client.chat_postMessage(channel="C0GENERAL1", text="draft")
    answer = await slack_client.chat_update(channel="C0GENERAL1", ts=posted["ts"], text="final")
    assert answer["text"] == "final"
    assert [m.text for m in slack.messages("C0GENERAL1")] == ["final"]
    assert slack.messages("C0GENERAL1")[0].history[0]["text"] == "draft"


async def test_chat_update_of_a_missing_message(slack_client: AsyncWebClient) -> None:
    data = await error_of(slack_client.chat_update(channel="C0GENERAL1", ts="1.000001", text="x"))
    assert data["error"] == "message_not_found"


async def test_ephemeral_reaches_only_its_person(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    answer = await slack_client.chat_postEphemeral(channel="C0GENERAL1", user=BOB, text="psst")
    assert answer["message_ts"]
    assert [e.text for e in slack.ephemerals("bob", "C0GENERAL1")] == ["psst"]
    assert slack.ephemerals("alice") == []
    assert slack.messages("C0GENERAL1") == []


async def test_ephemeral_to_someone_outside_the_channel(slack_client: AsyncWebClient) -> None:
    slack_data = await error_of(
        slack_client.chat_postEphemeral(channel="G0LEADS001", user=BOB, text="psst")
    )
    assert slack_data["error"] == "user_not_in_channel"


async def test_permalink_points_at_the_message(slack_client: AsyncWebClient) -> None:
    posted = await slack_client.chat_postMessage(channel="C0GENERAL1", text="here")
    answer = await slack_client.chat_getPermalink(channel="C0GENERAL1", message_ts=posted["ts"])
    assert answer["permalink"].endswith(f"/archives/C0GENERAL1/p{posted['ts'].replace('.', '')}")


async def test_users_info_carries_locale_and_time_zone(slack_client: AsyncWebClient) -> None:
    alice = await slack_client.users_info(user=ALICE, include_locale=True)
    bob = await slack_client.users_info(user=BOB)
    assert alice["user"]["locale"] == "da-DK"
    assert alice["user"]["tz"] == "Europe/Copenhagen"
    assert "locale" not in bob["user"]
    assert bob["user"]["tz"] == "America/New_York"


async def test_lookup_by_email(slack_client: AsyncWebClient) -> None:
    found = await slack_client.users_lookupByEmail(email="bob@fremdrift.example")
    missing = await error_of(slack_client.users_lookupByEmail(email="nobody@example.com"))
    assert found["user"]["id"] == BOB
    assert missing["error"] == "users_not_found"


async def test_file_upload_in_two_steps_shares_into_a_thread(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    parent = await slack_client.chat_postMessage(channel="C0GENERAL1", text="Round 7 report")
    answer = await slack_client.files_upload_v2(
        channel="C0GENERAL1",
        thread_ts=parent["ts"],
        content=b"%PDF-1.7 matrix",
        filename="round-7.pdf",
        title="Round 7",
        initial_comment="The matrix",
    )

    file = slack.files[0]
    assert answer["file"]["title"] == "Round 7"
    assert file.data == b"%PDF-1.7 matrix"
    assert file.shares == [("C0GENERAL1", slack.thread("C0GENERAL1", parent["ts"])[0].ts)]
    assert slack.thread("C0GENERAL1", parent["ts"])[0].text == "The matrix"
    assert [c.method for c in slack.calls] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_the_upload_url_accepts_multipart_too(slack: SlackStub) -> None:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    url = await client.files_getUploadURLExternal(filename="a.csv", length=3)
    form = aiohttp.FormData()
    form.add_field("file", b"a,b", filename="a.csv")
    async with aiohttp.ClientSession() as session, session.post(url["upload_url"], data=form) as r:
        assert r.status == 200
        assert await r.text() == "OK - 3"
    assert slack.files[0].data == b"a,b"


async def test_completing_an_upload_that_never_happened(slack_client: AsyncWebClient) -> None:
    url = await slack_client.files_getUploadURLExternal(filename="a.csv", length=3)
    data = await error_of(
        slack_client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "a"}])
    )
    assert data["error"] == "file_not_found"


async def test_app_token_opens_a_socket_url(slack: SlackStub) -> None:
    client = AsyncWebClient(base_url=slack.api_url)
    answer = await client.apps_connections_open(app_token=slack.identity.app_token)
    assert answer["url"].startswith(
        f"ws://127.0.0.1:{answer['url'].split(':')[2].split('/')[0]}/link/?ticket="
    )


async def test_bot_token_cannot_open_a_socket(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    data = await error_of(slack_client.apps_connections_open(app_token=slack.identity.bot_token))
    assert data["error"] == "not_allowed_token_type"


async def test_unknown_method(slack_client: AsyncWebClient) -> None:
    data = await error_of(slack_client.api_call("chat.postMessages"))
    assert data == {"ok": False, "error": "unknown_method", "req_method": "chat.postMessages"}


@pytest.mark.parametrize(("token", "error"), [(None, "not_authed"), ("xoxb-nope", "invalid_auth")])
async def test_bad_tokens(slack: SlackStub, token: str | None, error: str) -> None:
    client = AsyncWebClient(token=token, base_url=slack.api_url)
    data = await error_of(client.chat_postMessage(channel=ALICE, text="x"))
    assert data["error"] == error


async def test_token_as_a_form_parameter_is_accepted(slack: SlackStub) -> None:
    async with aiohttp.ClientSession() as session:
        form = {"token": slack.identity.bot_token, "channel": ALICE, "text": "form"}
        async with session.post(f"{slack.api_url}chat.postMessage", data=form) as response:
            body = await response.json()
    assert body["ok"] is True
    assert slack.calls[-1].params == {"channel": ALICE, "text": "form"}


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C0NOWHERE1", "channel_not_found"), ("C0RANDOM01", "not_in_channel")],
)
async def test_posting_where_the_bot_cannot(
    slack_client: AsyncWebClient, channel: str, error: str
) -> None:
    data = await error_of(slack_client.chat_postMessage(channel=channel, text="x"))
    assert data["error"] == error


async def test_private_channels_the_bot_is_not_in_do_not_exist(slack: SlackStub) -> None:
    slack.workspace.add_channel(
        "hidden", channel_id="G0HIDDEN01", private=True, bot_is_member=False
    )
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    data = await error_of(client.conversations_history(channel="G0HIDDEN01"))
    assert data["error"] == "channel_not_found"


async def test_missing_scope_names_needed_and_provided() -> None:
    granted = [s for s in DEFAULT_BOT_SCOPES if s != "chat:write"]
    async with SlackStub(scopes=granted) as slack:
        client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
        data = await error_of(client.chat_postMessage(channel=ALICE, text="x"))
    assert data["error"] == "missing_scope"
    assert data["needed"] == "chat:write"
    assert data["provided"] == ",".join(sorted(granted))


async def test_history_needs_the_scope_of_the_conversation_type() -> None:
    granted = [s for s in DEFAULT_BOT_SCOPES if s != "im:history"]
    async with SlackStub(scopes=granted) as slack:
        client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
        dm = (await client.chat_postMessage(channel=ALICE, text="x"))["channel"]
        public = await client.conversations_history(channel="C0GENERAL1")
        data = await error_of(client.conversations_history(channel=dm))
    assert public["ok"] is True
    assert data["needed"] == "im:history"


async def test_message_text_over_40000_characters(slack_client: AsyncWebClient) -> None:
    at_limit = await slack_client.chat_postMessage(channel=ALICE, text="x" * 40_000)
    data = await error_of(slack_client.chat_postMessage(channel=ALICE, text="x" * 40_001))
    assert at_limit["ok"] is True
    assert data["error"] == "msg_too_long"


async def test_a_message_needs_text_or_blocks(slack_client: AsyncWebClient) -> None:
    with pytest.warns(UserWarning, match="top-level `text` argument is missing"):
        data = await error_of(slack_client.chat_postMessage(channel=ALICE))
    assert data["error"] == "no_text"


async def test_bad_metadata_is_refused(slack_client: AsyncWebClient) -> None:
    data = await error_of(
        slack_client.chat_postMessage(channel=ALICE, text="x", metadata={"event_payload": {}})
    )
    assert data["error"] == "invalid_metadata_format"


# -- views ------------------------------------------------------------------------------------
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Report"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


async def test_views_open_needs_a_fresh_trigger(slack_clock: ManualClock, slack: SlackStub) -> None:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    fresh = slack.trigger(ALICE)
    stale = slack.trigger(ALICE)

    opened = await client.views_open(trigger_id=fresh, view=MODAL)
    reused = await error_of(client.views_open(trigger_id=fresh, view=MODAL))
    slack_clock.advance(3.01)
    expired = await error_of(client.views_open(trigger_id=stale, view=MODAL))
    invalid = await error_of(client.views_open(trigger_id="not-a-trigger", view=MODAL))

    assert opened["view"]["id"].startswith("V")
    assert slack.top_modal("alice") is not None
    assert reused["error"] == "exchanged_trigger_id"
    assert expired["error"] == "expired_trigger_id"
    assert invalid["error"] == "invalid_trigger_id"


async def test_a_trigger_just_inside_three_seconds_still_works(
    slack_clock: ManualClock, slack: SlackStub
) -> None:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    trigger = slack.trigger(ALICE)
    slack_clock.advance(2.99)
    assert (await client.views_open(trigger_id=trigger, view=MODAL))["ok"] is True


async def test_views_update_push_and_hash(slack_client: AsyncWebClient, slack: SlackStub) -> None:
    opened = await slack_client.views_open(trigger_id=slack.trigger(ALICE), view=MODAL)
    view_id, old_hash = opened["view"]["id"], opened["view"]["hash"]
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Changed"}}

    updated = await slack_client.views_update(view_id=view_id, view=changed, hash=old_hash)
    conflict = await error_of(slack_client.views_update(view_id=view_id, view=MODAL, hash=old_hash))
    pushed = await slack_client.views_push(trigger_id=slack.trigger(ALICE), view=MODAL)
    await slack_client.views_push(trigger_id=slack.trigger(ALICE), view=MODAL)
    too_many = await error_of(slack_client.views_push(trigger_id=slack.trigger(ALICE), view=MODAL))

    assert updated["view"]["title"]["text"] == "Changed"
    assert slack.view(view_id).definition["title"]["text"] == "Changed"
    assert conflict["error"] == "hash_conflict"
    assert pushed["view"]["root_view_id"] == view_id
    assert pushed["view"]["previous_view_id"] == view_id
    assert too_many["error"] == "push_limit_reached"
    assert slack.modals("alice")[0].id == view_id
    assert len(slack.modals("alice")) == 3


async def test_views_publish_keeps_one_home_per_person(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    first = await slack_client.views_publish(user_id=ALICE, view=HOME)
    second = await slack_client.views_publish(user_id=ALICE, view=HOME)
    refused = await error_of(slack_client.views_publish(user_id=ALICE, view=MODAL))
    home = slack.home("alice")
    assert home is not None
    assert first["view"]["id"] == second["view"]["id"] == home.id
    assert len(home.versions) == 2
    assert refused["error"] == "invalid_arguments"


async def test_unknown_view_id(slack_client: AsyncWebClient) -> None:
    data = await error_of(slack_client.views_update(view_id="V0NOPE", view=MODAL))
    assert data["error"] == "not_found"


async def test_every_call_is_recorded_with_its_params(
    slack_client: AsyncWebClient, slack: SlackStub
) -> None:
    await slack_client.chat_postMessage(channel=ALICE, text="x", blocks=[{"type": "divider"}])
    call = slack.calls_to("chat.postMessage")[0]
    assert call.ok
    assert call.params["blocks"] == [{"type": "divider"}]
    assert call.token == slack.identity.bot_token
    blocks = slack.messages(slack.dm_channel("alice"))[0].blocks
    assert blocks is not None
    assert blocks[0]["block_id"]
