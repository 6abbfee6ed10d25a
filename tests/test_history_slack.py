"""The history page's link in Slack: `/fremdrift round link` through the real app and the
stand-in answers an admin alone (ephemeral) with a link `serve` would honour, refuses a
lead, and says so when the history is not served; each publication carries the link when
there is one, and goes out without it, silently, when there is none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Fremdrift
from bot.settings import Settings
from bot.slack.messenger import SlackMessenger
from bot.web.history import programme_path
from bot.web.links import PUBLICATION_DAYS, link_maker
from bot.web.signing import EXPIRES, SIGNATURE, Signer
from conversations.clock import ManualClock
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from render.teams.views import publication_messages
from service.imports import import_round
from service.publication import RoundPublication
from service.rendering import compile_round
from standins.slack import SlackStub
from tests.matrix_support import SEED000_CSV
from tests.rounds_support import MONDAY_10
from tests.slack_app import KOL, join_workspace, settings_for

ADMIN = "U0KOL000001"  # sekretariat
LEAD = "U0KOL000051"  # pl-syddanmark
SECRET = "s" * 48
PUBLIC = "https://fremdrift.example.org/kol"


class Served(TypedDict):
    """The settings that serve the history, as `Settings` keywords."""

    history_secret: SecretStr
    public_url: str


SERVED: Served = {"history_secret": SecretStr(SECRET), "public_url": PUBLIC}


@asynccontextmanager
async def slack_app(slack: SlackStub, **settings: Any) -> AsyncIterator[Fremdrift]:
    """The app over HTTP, as tests.slack_app.running_app starts it, with these settings."""
    await load_programme_file(KOL)
    await Programme.filter(key="kol-2018").update(steering_channel="C0GENERAL1")
    await join_workspace(slack)
    slack.limits.disable()
    own = settings_for(slack, "http").model_copy(update=settings)
    app = Fremdrift(own, clock=ManualClock(MONDAY_10), manage_db=False)
    await app.start()
    try:
        slack.request_url = f"{await app.serve_http('127.0.0.1', 0)}/slack/events"
        yield app
    finally:
        slack.request_url = None
        await app.stop()


async def reply_to(slack: SlackStub, user: str, text: str) -> str:
    delivery = await slack.command(user, "/fremdrift", text)
    assert delivery.status == 200, delivery
    ephemeral = slack.ephemerals(user)[-1]
    return (ephemeral.text or "") + " " + str(ephemeral.blocks or "")


def signed_url(text: str) -> str:
    """The URL in a Slack link (<url|words>) of `text`."""
    start = text.index(PUBLIC)
    return text[start : text.index("|", start)].replace("&amp;", "&")


def assert_honoured(url: str, days: int) -> None:
    """A link `serve` honours: its path signed with the secret, valid `days` from now."""
    parts = urlsplit(url)
    assert parts.path == "/kol" + programme_path("kol-2018")
    query = parse_qs(parts.query)
    expires = int(query[EXPIRES][0])
    now = datetime.now(UTC)
    assert abs(expires - (now + timedelta(days=days)).timestamp()) < 60
    signer = Signer(SECRET.encode())
    assert signer.valid(programme_path("kol-2018"), str(expires), query[SIGNATURE][0], now)


async def test_round_link_answers_an_admin_alone(db: str, slack: SlackStub) -> None:
    async with slack_app(slack, **SERVED):
        reply = await reply_to(slack, ADMIN, "round link")
        assert "Historikken for kol-2018" in reply and "Linket virker til " in reply
        assert_honoured(signed_url(reply), 30)
        assert not slack.calls_to("chat.postMessage"), "answered to the admin alone"

        refused = await reply_to(slack, LEAD, "round link")
        assert "Kun programmets administratorer kan styre runder i kol-2018" in refused
        assert PUBLIC not in refused


async def test_round_link_says_when_the_history_is_not_served(db: str, slack: SlackStub) -> None:
    async with slack_app(slack):
        reply = await reply_to(slack, ADMIN, "round link")
    assert "Historiksiden er ikke slået til her" in reply
    assert "http" not in reply


async def test_a_publication_carries_the_link_when_there_is_one(db: str) -> None:
    await load_programme_file(KOL)
    await import_round(
        "kol-2018", "12. møde", SEED000_CSV.read_bytes(), MONDAY_10, date_text="2018-06-20"
    )
    round_ = await Round.get(name="12. møde")
    compiled = await compile_round(round_.id, with_documents=False)
    publication = RoundPublication(
        round_.id, compiled.matrix, compiled.comparison, compiled.published, ()
    )
    client = AsyncWebClient(token="xoxb-unused")
    served = Settings(_env_file=None, **SERVED)
    with_link = SlackMessenger(client, history=link_maker(served))
    summary = with_link.publication_messages(publication)[0]
    context = [b for b in summary.blocks if b["type"] == "context"][-1]
    text = context["elements"][0]["text"]
    assert text.startswith("📈 <") and text.endswith("|Udviklingen og de tidligere runder>")
    assert_honoured(signed_url(text), PUBLICATION_DAYS)

    for settings in (
        Settings(_env_file=None),
        Settings(_env_file=None, history_secret=SecretStr(SECRET)),
        Settings(_env_file=None, public_url=PUBLIC),
        Settings(_env_file=None, public_url=PUBLIC, history_secret=SecretStr("short")),
    ):
        assert link_maker(settings) is None
        bare = SlackMessenger(client, history=link_maker(settings)).publication_messages(
            publication
        )[0]
        assert "📈" not in str(bare.blocks) and "history" not in str(bare.blocks)

    url = signed_url(text)
    card = publication_messages(
        compiled.matrix, compiled.comparison, published=None, links=[], history_url=url
    )[0].card
    assert card is not None
    actions = [item for item in card["body"] if item.get("type") == "ActionSet"]
    assert actions[0]["actions"] == [
        {"type": "Action.OpenUrl", "title": "Udviklingen og de tidligere runder", "url": url}
    ]
