"""Proactive messages in Teams: invitations reach people through the chat kept from their
install, or one the bot opens; a lead Teams will not let the bot reach is reported to the
admins, by name, as for Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from models.people import Account, Person, Platform
from render.i18n import Target, catalogue
from service.round_jobs import build_worker
from standins.teams import TeamsStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, running_teams_app, settle, teams_settings

pytest_plugins = ["tests.teams_fixtures"]

OPEN = "round open 13. møde deadline 15. juni 2018 kl. 12"


@dataclass
class Running:
    app: Fremdrift
    small: Small
    clock: ManualClock


@pytest.fixture
async def running(db: str, teams: TeamsStub) -> AsyncIterator[Running]:
    small = await small_programme(open_round=False)
    await join_tenant(teams)
    clock = ManualClock(MONDAY_10)
    async with running_teams_app(teams, clock) as app:
        yield Running(app, small, clock)


async def install(teams: TeamsStub, app: Fremdrift, *keys: str) -> None:
    for key in keys:
        assert all(d.ok for d in await teams.people.install(key))
    await settle(app)


async def run_jobs(running: Running) -> None:
    worker = build_worker(
        running.app.messenger(), clock=running.clock, settings=running.app.settings
    )
    await worker.run_until_idle()


async def admin_says(teams: TeamsStub, app: Fremdrift, text: str) -> str:
    before = len(teams.chat("sekretariat"))
    assert (await teams.people.say("sekretariat", text)).ok
    await settle(app)
    return "\n".join(p.text for p in teams.chat("sekretariat")[before:])


async def test_installing_the_app_links_the_person_by_e_mail_and_keeps_the_chat(
    running: Running, teams: TeamsStub
) -> None:
    await install(teams, running.app, "pl-syd")
    account = await Account.get(platform=Platform.TEAMS, person=running.small.lead)
    lene = teams.users["pl-syd"]
    assert (account.user_id, account.workspace) == (lene.object_id, teams.identity.tenant_id)
    assert account.reference is not None
    personal, chat = account.reference["personal"], teams.personal_chat(lene)
    assert isinstance(personal, dict) and chat is not None
    assert personal["conversation_id"] == chat.id
    welcome = catalogue("da", Target.TEAMS).text("teams.welcome", name=lene.name)
    assert [p.text for p in teams.chat("pl-syd")] == [welcome], "welcomed once, not twice"


async def test_a_stranger_who_installs_the_app_is_told_who_to_ask(
    running: Running, teams: TeamsStub
) -> None:
    teams.add_user("ukendt", "Ulla Ukendt", "ulla@elsewhere.example")
    await install(teams, running.app, "ukendt")
    assert await Account.filter(platform=Platform.TEAMS).count() == 0
    unknown = catalogue("da", Target.TEAMS_PLAIN).text("teams.unknown_person")
    assert [p.text for p in teams.chat("ukendt")] == [unknown]


async def test_an_e_mail_two_people_share_links_neither(running: Running, teams: TeamsStub) -> None:
    lead = await Person.get(id=running.small.lead.id)
    await Person.filter(id=running.small.other_lead.id).update(email=lead.email.upper())
    await install(teams, running.app, "pl-syd")
    assert await Account.filter(platform=Platform.TEAMS).count() == 0  # either could be wrong
    unknown = catalogue("da", Target.TEAMS_PLAIN).text("teams.unknown_person")
    assert [p.text for p in teams.chat("pl-syd")] == [unknown]


@pytest.mark.parametrize(("tenant", "linked"), [(True, True), (False, False)])
async def test_a_mail_address_alone_links_only_in_a_single_tenant_bot(
    db: str, teams: TeamsStub, tenant: bool, linked: bool
) -> None:
    small = await small_programme(open_round=False)
    await join_tenant(teams)
    teams.users["pl-syd"].upn = "lene.syd@tenant.onmicrosoft.example"  # only `mail` matches
    settings = teams_settings(teams, teams_tenant_id=teams.identity.tenant_id if tenant else None)
    async with running_teams_app(teams, ManualClock(MONDAY_10), settings) as app:
        await install(teams, app, "pl-syd")
    found = await Account.filter(platform=Platform.TEAMS, person=small.lead).exists()
    assert found is linked


async def test_invitations_reach_everyone_who_has_the_app_even_without_a_kept_chat(
    running: Running, teams: TeamsStub
) -> None:
    await install(teams, running.app, "sekretariat", "pl-syd", "stf-syd", "pl-nord", "fut")
    account = await Account.get(platform=Platform.TEAMS, person=running.small.other_lead)
    reference = dict(account.reference or {})
    reference.pop("personal")  # as if the bot only knew who they are, not where to write
    await Account.filter(id=account.id).update(reference=reference)
    reply = await admin_says(teams, running.app, OPEN)
    assert "13. møde" in reply
    await run_jobs(running)
    for key in ("pl-syd", "stf-syd", "pl-nord", "fut"):
        invitations = [p for p in teams.cards(key) if p.kind == "proactive"]
        assert len(invitations) == 1, key
    chat = teams.personal_chat(teams.users["pl-nord"])
    assert chat is not None
    assert teams.created == [chat.id]
    refreshed = await Account.get(id=account.id)
    assert refreshed.reference is not None and "personal" in refreshed.reference


async def test_leads_teams_will_not_let_the_bot_reach_are_reported_to_the_admins(
    running: Running, teams: TeamsStub
) -> None:
    await install(teams, running.app, "sekretariat", "pl-syd", "stf-syd", "fut")
    teams.people.uninstall("stf-syd")  # removed the app again: Teams answers 403
    # pl-nord never installed the app, so the bot has no Teams account for him
    await admin_says(teams, running.app, OPEN)
    await run_jobs(running)
    failed = await Job.filter(kind="invite", status=JobStatus.FAILED)
    assert len(failed) == 2
    notes = "\n".join(p.text for p in teams.chat("sekretariat"))
    assert running.small.deputy.name in notes  # Søren Syd: the app was removed
    assert running.small.other_lead.name in notes  # Niels Nord: never installed
    assert [p for p in teams.cards("pl-syd") if p.kind == "proactive"], "the others got theirs"
    status = await admin_says(teams, running.app, "round status")
    assert running.small.other_lead.name in status and running.small.deputy.name in status
