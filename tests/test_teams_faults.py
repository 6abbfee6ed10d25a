"""Teams' bad weather on the way out: a 429 puts the invitation off (uncounted) until its
Retry-After, a 5xx is retried and the person still gets one card, a card update refused
with 429 is waited out, a message too big is reported, not retried; and the documents
linked from the publication are served only with their signature, only once published."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from conversations.events import decode
from conversations.views import ClosedView, Header
from models.jobs import Job, JobStatus
from models.round import Round
from service import rounds
from service.messenger import PermanentFailure
from service.round_jobs import build_worker
from standins.teams import Fault, TeamsStub, walk
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, running_teams_app, settle, teams_settings

pytest_plugins = ["tests.teams_fixtures"]

LEAD = "pl-syd"


@dataclass
class Running:
    app: Fremdrift
    small: Small
    clock: ManualClock


@pytest.fixture
async def running(db: str, teams: TeamsStub) -> AsyncIterator[Running]:
    small = await small_programme(open_round=False)
    await join_tenant(teams)
    steering = teams.add_channel("styregruppe", members=["sekretariat"])
    clock = ManualClock(MONDAY_10)
    settings = teams_settings(teams, teams_steering_channels={"mini": steering.id})
    async with running_teams_app(teams, clock, settings) as app:
        for key in ("sekretariat", "pl-syd", "stf-syd", "pl-nord", "fut"):
            assert all(d.ok for d in await teams.people.install(key))
        await settle(app)
        yield Running(app, small, clock)


async def run_jobs(running: Running) -> int:
    worker = build_worker(
        running.app.messenger(), clock=running.clock, settings=running.app.settings
    )
    return await worker.run_until_idle()


async def open_round(running: Running) -> Round:
    opened = await rounds.open_round(
        running.small.programme, "13. møde", "fredag", running.small.admin, running.clock.now()
    )
    return opened.round


def invitations(teams: TeamsStub, key: str) -> int:
    return len([p for p in teams.cards(key) if p.kind == "proactive"])


async def test_a_429_puts_an_invitation_off_until_its_retry_after(
    running: Running, teams: TeamsStub
) -> None:
    await open_round(running)
    teams.faults.add(Fault(429, method="POST", path="/activities", retry_after=30))
    await run_jobs(running)
    waiting = await Job.filter(kind="invite", status=JobStatus.PENDING)
    assert len(waiting) == 1 and waiting[0].attempts == 0, "put off, not counted as a failure"
    assert waiting[0].run_at >= running.clock.now() + timedelta(seconds=30)
    running.clock.advance(timedelta(seconds=31))
    await run_jobs(running)
    for key in ("pl-syd", "stf-syd", "pl-nord", "fut"):
        assert invitations(teams, key) == 1, key


async def test_a_5xx_is_retried_and_the_person_gets_one_card(
    running: Running, teams: TeamsStub
) -> None:
    await open_round(running)
    teams.faults.add(Fault(503, method="POST", path="/activities", times=2))
    await run_jobs(running)
    for _ in range(3):
        running.clock.advance(timedelta(minutes=10))
        await run_jobs(running)
    for key in ("pl-syd", "stf-syd", "pl-nord", "fut"):
        assert invitations(teams, key) == 1, key
    assert await Job.filter(kind="invite", status=JobStatus.DONE).count() == 4


async def test_a_card_update_refused_with_429_is_waited_out(
    running: Running, teams: TeamsStub
) -> None:
    await open_round(running)
    await run_jobs(running)
    card = teams.cards(LEAD)[-1]
    teams.faults.add(Fault(429, method="PUT", retry_after=0.01))
    pressed = await teams.people.press(
        LEAD, card, lambda data: decode(str(data.get("fd"))).event.name == "start"
    )
    await settle(running.app)
    assert pressed.ok
    assert len(card.updates) == 1
    assert walk(card.card, "ActionSet")[0]["id"] == "fd_progress", "now asking the first"


async def test_a_message_too_big_for_teams_is_a_permanent_failure(
    running: Running, teams: TeamsStub
) -> None:
    assert running.app.teams is not None
    messenger = running.app.teams.messenger()
    header = Header(1, "x" * 40_000, "unit:syd", "Syd", None, "Europe/Copenhagen", "da", 1, False)
    with pytest.raises(PermanentFailure, match="413"):
        await messenger.send_checklist(
            running.small.lead.id, ClosedView(header, 0, 3), key="too-big"
        )
    assert teams.too_big


async def close_and_publish(running: Running) -> None:
    await open_round(running)
    await run_jobs(running)
    await rounds.close(running.small.programme, running.small.admin, running.clock.now())
    await run_jobs(running)


async def fetch(teams: TeamsStub, url: str) -> tuple[int, bytes, dict[str, Any]]:
    async with teams.session.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_the_publication_links_its_documents_and_the_bot_serves_them(
    running: Running, teams: TeamsStub
) -> None:
    await close_and_publish(running)
    posts = teams.channel_posts("styregruppe")
    assert [p.kind for p in posts] == ["proactive", "reply", "reply"]
    assert posts[1].thread == posts[0].id == posts[2].thread
    links = [a["url"] for a in walk(posts[2].card, "Action.OpenUrl")]
    assert len(links) == 5
    assert running.app.teams is not None
    public = running.app.settings.teams_public_url
    assert all(link.startswith(public + "/api/documents/") for link in links)
    served = running.app.teams.links
    assert teams.bot_url is not None
    base = teams.bot_url.removesuffix("/api/messages")
    csv_link = next(link for link in links if "/csv?" in link).replace(public, base)
    status, body, headers = await fetch(teams, csv_link)
    assert status == 200 and body.startswith(b"\xef\xbb\xbf") and b"1.1" in body
    assert "attachment" in headers["Content-Disposition"]
    status, body, _ = await fetch(
        teams, next(link for link in links if "/matrix?" in link).replace(public, base)
    )
    assert status == 200 and body.startswith(b"%PDF")
    tampered = csv_link.replace("signature=", "signature=0")
    assert (await fetch(teams, tampered))[0] == 403
    other_kind = csv_link.replace("/csv?", "/json?")
    assert (await fetch(teams, other_kind))[0] == 403, "a signature is for one document"
    expired = served.url(1, "csv", now=0).replace(public, base)
    assert (await fetch(teams, expired))[0] == 403


async def test_documents_of_a_round_not_yet_published_are_not_served(
    running: Running, teams: TeamsStub
) -> None:
    round_ = await open_round(running)
    assert running.app.teams is not None
    public = running.app.settings.teams_public_url
    assert teams.bot_url is not None
    base = teams.bot_url.removesuffix("/api/messages")
    link = running.app.teams.links.url(round_.id, "csv").replace(public, base)
    assert (await fetch(teams, link))[0] == 404
