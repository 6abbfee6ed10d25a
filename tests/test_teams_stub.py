"""The Teams stand-in keeps Teams' rules, checked here through the Agents SDK's own Connector
client: a token from its endpoint or 401, the 28 KB message limit (413), cards Teams would
not render (400), rate limits per conversation with Retry-After (429), injected faults, and
no personal chat for a user who has not installed the app (403)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import aiohttp
import pytest
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from standins.slack import ManualClock
from standins.teams import MESSAGE_LIMIT, CardError, Fault, TeamsStub, validate_card

pytest_plugins = ["tests.teams_fixtures"]

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hej"}]}


async def token(teams: TeamsStub, password: str | None = None) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": teams.identity.app_id,
        "client_secret": password or teams.identity.password,
        "scope": "https://api.botframework.com/.default",
    }
    async with teams.session.post(teams.token_url, data=form) as response:
        body = await response.json()
    if response.status != 200:
        raise PermissionError(body)
    return str(body["access_token"])


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def stub(clock: ManualClock) -> AsyncIterator[TeamsStub]:
    async with TeamsStub(clock=clock) as teams:
        teams.add_user("lene", "Lene Holm", "lene@example.org")
        yield teams


@pytest.fixture
async def connector(stub: TeamsStub) -> AsyncIterator[TeamsConnectorClient]:
    client = TeamsConnectorClient(endpoint=stub.service_url, token=await token(stub))
    try:
        yield client
    finally:
        await client.close()


def message(card: object = CARD, **more: object) -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
            **more,
        }
    )


async def status_of(call: Awaitable[object]) -> int:
    try:
        await call
    except aiohttp.ClientResponseError as error:
        return error.status
    return 200


async def test_a_wrong_password_gets_no_token_and_no_token_no_access(stub: TeamsStub) -> None:
    with pytest.raises(PermissionError):
        await token(stub, "not-the-password")
    stranger = TeamsConnectorClient(endpoint=stub.service_url, token="x.y.z")
    chat = stub.open_personal_chat(stub.users["lene"])
    try:
        assert (
            await status_of(stranger.conversations.send_to_conversation(chat.id, message())) == 401
        )
    finally:
        await stranger.close()
    assert stub.posted == []


async def test_a_personal_chat_only_where_the_app_is_installed(
    stub: TeamsStub, connector: TeamsConnectorClient
) -> None:
    lene = stub.users["lene"]
    parameters = ConversationParameters(
        is_group=False,
        agent=ChannelAccount(id=stub.identity.bot_id),
        members=[ChannelAccount(id=lene.object_id)],
        tenant_id=stub.identity.tenant_id,
    )
    assert await status_of(connector.conversations.create_conversation(parameters)) == 403
    chat = stub.open_personal_chat(lene)
    created = await connector.conversations.create_conversation(parameters)
    assert created.id == chat.id
    stub.people.uninstall("lene")
    assert await status_of(connector.conversations.send_to_conversation(chat.id, message())) == 403


async def test_size_and_card_rules(stub: TeamsStub, connector: TeamsConnectorClient) -> None:
    chat = stub.open_personal_chat(stub.users["lene"])
    big = {**CARD, "body": [{"type": "TextBlock", "text": "x" * MESSAGE_LIMIT}]}
    assert (
        await status_of(connector.conversations.send_to_conversation(chat.id, message(big))) == 413
    )
    assert stub.too_big and stub.too_big[0] > MESSAGE_LIMIT
    newer = {**CARD, "version": "1.6"}
    assert (
        await status_of(connector.conversations.send_to_conversation(chat.id, message(newer)))
        == 400
    )
    sent = await connector.conversations.send_to_conversation(chat.id, message())
    assert stub.posted_by_id(str(sent.id)) is not None
    assert (
        await status_of(connector.conversations.update_activity(chat.id, "1", message())) == 404
    ), "no such message to update"


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Carousel"}]}, "unknown"),
        ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}, "text"),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [{"type": "Input.Text", "id": "a"}, {"type": "Input.Text", "id": "a"}],
            },
            "unique",
        ),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "actions": [{"type": "Action.Submit", "title": "Gem", "data": "text"}],
            },
            "object",
        ),
        (
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "actions": [
                    {"type": "Action.Submit", "title": f"{n}", "data": {}} for n in range(7)
                ],
            },
            "actions",
        ),
    ],
)
def test_cards_teams_would_not_render_are_refused(card: dict[str, object], problem: str) -> None:
    with pytest.raises(CardError, match=problem):
        validate_card(card)


async def test_rate_limits_per_conversation_with_retry_after(
    stub: TeamsStub, connector: TeamsConnectorClient, clock: ManualClock
) -> None:
    chat = stub.open_personal_chat(stub.users["lene"])
    for _ in range(7):
        await connector.conversations.send_to_conversation(chat.id, message())
    with pytest.raises(aiohttp.ClientResponseError) as refused:
        await connector.conversations.send_to_conversation(chat.id, message())
    assert refused.value.status == 429
    assert refused.value.headers is not None and refused.value.headers["Retry-After"] == "1"
    clock.advance(1.0)
    await connector.conversations.send_to_conversation(chat.id, message())  # 8 in 2 s: fine
    clock.advance(0.5)
    assert await status_of(connector.conversations.send_to_conversation(chat.id, message())) == 429
    assert len(stub.posted) == 8 and stub.throttled == 2


async def test_faults_are_answered_once_then_teams_is_itself_again(
    stub: TeamsStub, connector: TeamsConnectorClient
) -> None:
    chat = stub.open_personal_chat(stub.users["lene"])
    stub.faults.add(Fault(503, method="POST", path="/activities"))
    assert await status_of(connector.conversations.send_to_conversation(chat.id, message())) == 503
    await connector.conversations.send_to_conversation(chat.id, message())
    assert len(stub.posted) == 1
