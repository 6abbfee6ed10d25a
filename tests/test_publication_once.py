"""A round's publication is compiled once and frozen (service/publication.py): Slack and
Teams post the same one, and the Teams document links serve the very bytes Slack was
given; a round not yet published is compiled afresh each time and never kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import SecretStr

from bot.runtime import Fremdrift
from bot.settings import Settings
from conversations.clock import ManualClock
from models.round import Round, RoundStatus
from service import rounds
from service.publication import Publications
from service.round_jobs import build_worker
from standins.slack import SlackStub
from standins.teams import TeamsStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, teams_settings
from tests.slack_app import join_workspace

pytest_plugins = ["tests.teams_fixtures"]


@pytest.fixture
async def both(
    db: str, slack: SlackStub, teams: TeamsStub
) -> AsyncIterator[tuple[Fremdrift, Small]]:
    """One process serving Slack and Teams; the programme has a steering channel on each."""
    small = await small_programme()
    await join_workspace(slack)
    slack.limits.disable()
    await join_tenant(teams)
    steering = teams.add_channel("styregruppe", members=["sekretariat"])
    base = teams_settings(teams, teams_steering_channels={"mini": steering.id})
    settings = Settings(
        _env_file=None,
        **{
            **base.model_dump(),
            "slack_bot_token": SecretStr(slack.identity.bot_token),
            "slack_signing_secret": SecretStr(slack.identity.signing_secret),
            "slack_api_url": slack.api_url,
        },
    )
    app = Fremdrift(settings, clock=ManualClock(MONDAY_10), manage_db=False)
    await app.start()
    try:
        url = await app.serve_http("127.0.0.1", 0)
        teams.bot_url = f"{url}/api/messages"
        yield app, small
    finally:
        teams.bot_url = None
        await app.stop()


async def test_slack_and_teams_post_one_publication_and_the_links_serve_its_bytes(
    both: tuple[Fremdrift, Small], slack: SlackStub, teams: TeamsStub
) -> None:
    app, small = both
    assert app.teams is not None
    await rounds.close(small.programme, small.admin, app.clock.now())
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    assert (await Round.get(id=small.round.id)).status is RoundStatus.PUBLISHED
    uploaded = {file.filename: file.data for file in slack.files}
    assert len(uploaded) == 5, "Slack got the five documents"
    kept = await app.teams.links.publications.of(small.round.id)
    # the workbook carries the moment it was written: compiled twice, it would differ
    assert {file.filename: file.content for file in kept.files} == uploaded, (
        "the publication Teams keeps is the one Slack was given, not compiled again"
    )
    assert teams.bot_url is not None
    base = teams.bot_url.removesuffix("/api/messages")
    public = app.settings.teams_public_url
    for kind in ("matrix", "xlsx", "csv"):
        link = app.teams.links.url(small.round.id, kind).replace(public, base)
        async with teams.session.get(link) as response:
            assert response.status == 200
            served = await response.read()
        document = kept.file(kind)
        assert document is not None
        assert served == document.content


async def test_only_a_published_round_is_kept(db: str) -> None:
    small = await small_programme()
    publications = Publications()
    first = await publications.of(small.round.id)
    assert await publications.of(small.round.id) is not first, "open: compiled afresh"
    assert await publications.document(small.round.id, "csv") is None, "nobody's to read yet"
    published_at = MONDAY_10 + timedelta(days=3)
    await Round.filter(id=small.round.id).update(
        status=RoundStatus.PUBLISHED, published_at=published_at
    )
    frozen = await publications.of(small.round.id)
    assert await publications.of(small.round.id) is frozen, "published: compiled once"
    assert frozen.published == published_at
    assert await publications.document(small.round.id, "csv") is frozen.file("csv")
    assert [file.kind for file in frozen.files] == ["matrix", "sheets", "xlsx", "csv", "json"]
