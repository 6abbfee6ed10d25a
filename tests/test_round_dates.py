"""Rounds have a date, and it orders history: opening and importing set it, the comparison
takes the latest earlier round by date, `round list` shows rounds in date order and
`round status` knows imported ones — whatever order rounds were opened or imported in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from conversations.clock import ManualClock
from conversations.commands import Command, parse
from conversations.errors import UserError
from models import checklists
from models.db import close_db, tortoise_config
from models.people import Person, Role, RoleKind
from models.programme import Programme
from models.round import Round, RoundStatus
from models.snapshot import previous_round
from render.i18n import text
from render.round_report import round_status_text
from service import rounds
from service.commands import HANDLERS
from service.comparisons import compile_comparison
from service.imports import import_round
from tests.matrix_support import SEED000_CSV, create_kol

NOW = datetime(2018, 6, 4, 10, tzinfo=UTC)  # a Monday
ROWS = b"milestone,unit,progress\n1.1,hovedstaden,reached\n1.1,midtjylland,started\n"


async def admin_of(programme: Programme) -> Person:
    admin = await Person.create(key="sekretariat", name="Sekretariatet")
    await Role.create(programme=programme, person=admin, kind=RoleKind.ADMIN)
    return admin


async def test_the_migration_dates_existing_rounds_by_deadline_else_opening(
    tmp_path: Path,
) -> None:
    """Rounds made before Round.date get their deadline's local day, else their opening's."""
    config = tortoise_config(f"sqlite://{tmp_path / 'old.sqlite3'}")
    await migrate(config=config, target="fremdrift.0001_initial")
    await Tortoise.init(config=config)
    try:
        client = connections.get("default")
        await client.execute_query(
            "INSERT INTO programme (key, title, subtitle, language, timezone, unit_label,"
            " steering_channel, source, settings, source_file, created_at, updated_at)"
            " VALUES ('k', 'K', '', 'da', 'Europe/Copenhagen', '', '', '', '{}', '',"
            " '2018-01-01 00:00:00+00:00', '2018-01-01 00:00:00+00:00')"
        )
        for name, opened, deadline in (
            ("12. møde", "2018-06-01 08:00:00+00:00", "'2018-06-19 22:30:00+00:00'"),
            ("11. møde", "2018-03-01 23:30:00+00:00", "NULL"),
        ):
            await client.execute_query(
                "INSERT INTO round (programme_id, name, status, opened_at, deadline,"
                f" deadline_text, imported) VALUES (1, '{name}', 'closed', '{opened}',"
                f" {deadline}, '', 0)"
            )
    finally:
        await close_db()
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        dated = dict(await Round.all().values_list("name", "date"))
    finally:
        await close_db()
    # 22:30 UTC on 19 June is 00:30 on 20 June in Copenhagen; 23:30 UTC on 1 March is 2 March.
    assert dated == {"12. møde": date(2018, 6, 20), "11. møde": date(2018, 3, 2)}


async def test_opening_dates_a_round_by_its_deadline_or_as_told(db: str) -> None:
    programme = await create_kol()
    admin = await admin_of(programme)
    # "fredag" is Friday 8 June, 23:59 in Copenhagen: 21:59 UTC, the same day.
    opened = await rounds.open_round(programme, "13. møde", "fredag", admin, NOW)
    assert opened.round.date == date(2018, 6, 8)
    await rounds.close(programme, admin, NOW)
    told = await rounds.open_round(
        programme, "14. møde", "fredag", admin, NOW, date_text="2018-06-20"
    )
    assert (await Round.get(id=told.round.id)).date == date(2018, 6, 20)
    await rounds.close(programme, admin, NOW)
    with pytest.raises(UserError) as caught:
        await rounds.open_round(programme, "15. møde", "fredag", admin, NOW, date_text="20/6")
    assert caught.value == UserError("round.date_unreadable", text="20/6")
    assert await Round.filter(programme=programme).count() == 2


async def test_a_round_saved_without_a_date_gets_its_deadlines_local_day(db: str) -> None:
    programme = await create_kol()
    round_ = await Round.create(
        programme=programme,
        name="x",
        opened_at=NOW,
        deadline=datetime(2018, 6, 14, 22, 30, tzinfo=UTC),
        status=RoundStatus.CLOSED,
    )
    assert round_.date == date(2018, 6, 15)


async def test_the_comparison_takes_the_latest_earlier_round_by_date(db: str) -> None:
    """«11. møde» imported after «13. møde»: 13 is compared with 12, 12 with 11."""
    await create_kol()
    thirteen = await import_round("kol-2018", "13. møde", ROWS, NOW, date_text="2018-09-20")
    eleven = await import_round("kol-2018", "11. møde", ROWS, NOW, date_text="2018-03-01")
    twelve = await import_round(
        "kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW, date_text="2018-06-20"
    )
    assert (await compile_comparison(thirteen.id)).previous == "12. møde"
    assert (await compile_comparison(twelve.id)).previous == "11. møde"
    assert (await compile_comparison(eleven.id)).previous is None
    before = await previous_round(thirteen.programme_id, thirteen.id)
    assert before is not None and before.id == twelve.id


@pytest.mark.parametrize(
    "order",
    [("11. møde", "12. møde", "13. møde"), ("13. møde", "11. møde", "12. møde")],
    ids=["in-order", "out-of-order"],
)
async def test_round_list_is_in_date_order_whatever_the_import_order(
    db: str, order: tuple[str, ...]
) -> None:
    programme = await create_kol()
    admin = await admin_of(programme)
    days = {"11. møde": "2018-03-01", "12. møde": "2018-06-20", "13. møde": "2018-09-20"}
    for name in order:
        await import_round("kol-2018", name, ROWS, NOW, date_text=days[name])
    opened = await rounds.open_round(programme, "14. møde", "fredag", admin, NOW)
    lines = await rounds.list_rounds(programme, admin)
    assert [(line.name, line.state, line.answers) for line in lines] == [
        ("11. møde", "imported", 2),
        ("14. møde", "open", 0),  # dated by its deadline: Friday 8 June 2018
        ("12. møde", "imported", 2),
        ("13. møde", "imported", 2),
    ]
    assert opened.round.date == date(2018, 6, 8)
    words = text("da", "round.cli.list", programme="kol-2018", rounds=[vars(x) for x in lines])
    assert words.splitlines() == [
        "2018-03-01  11. møde – importeret: 2 svar, 0 indsendte tjeklister",
        "2018-06-08  14. møde – åben: 0 svar, 0 indsendte tjeklister",
        "2018-06-20  12. møde – importeret: 2 svar, 0 indsendte tjeklister",
        "2018-09-20  13. møde – importeret: 2 svar, 0 indsendte tjeklister",
    ]


async def test_round_status_shows_the_latest_imported_round_when_none_was_run(db: str) -> None:
    programme = await create_kol()
    admin = await admin_of(programme)
    await import_round(
        "kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW, date_text="2018-06-20"
    )
    await import_round("kol-2018", "11. møde", ROWS, NOW, date_text="2018-03-01")
    report = await rounds.status(programme, admin, NOW)
    assert (report.name, report.status, report.date) == ("12. møde", "imported", date(2018, 6, 20))
    words = round_status_text(report, "da")
    assert words.head == (
        "12. møde (kol-2018) – importeret, dateret 20. juni 2018; importeret historik, "
        "ingen blev spurgt."
    )
    assert all(line.checklist for line in words.lines)  # nobody was asked: no people
    assert words.lines[0].text.startswith("Hovedstaden: 27 af 27 besvaret")  # FUT has 5
    with pytest.raises(UserError) as caught:
        await rounds.close(programme, admin, NOW)  # history is not run
    assert caught.value.key == "round.no_round"


def test_the_slash_command_reads_round_list_and_a_round_date() -> None:
    assert parse("round list") == Command("round.list")
    assert parse("kol-2018 round list", ["kol-2018"]) == Command("round.list", "kol-2018")
    opened = parse("round open 13. møde deadline fredag kl. 12 dato 2018-09-20")
    assert opened.args == {"name": "13. møde", "deadline": "fredag kl. 12", "date": "2018-09-20"}
    assert parse("round open 13. møde frist fredag").args == {
        "name": "13. møde",
        "deadline": "fredag",
    }
    for wrong in ("round list now", "round open 13. møde deadline fredag date"):
        with pytest.raises(UserError) as caught:
            parse(wrong)
        assert caught.value.key == "command.usage"


async def test_round_list_by_slash_command_is_for_admins(db: str) -> None:
    programme = await create_kol()
    admin = await admin_of(programme)
    await import_round("kol-2018", "11. møde", ROWS, NOW, date_text="2018-03-01")
    clock = ManualClock(NOW)
    reply = await HANDLERS["round.list"](Command("round.list"), admin, programme, clock)
    assert reply.key == "round.cli.list"
    listed = reply.params["rounds"]
    assert isinstance(listed, list)
    assert [line["name"] for line in listed] == ["11. møde"]
    lead = await Person.get(key="pl-syddanmark")
    with pytest.raises(UserError) as caught:
        await HANDLERS["round.list"](Command("round.list"), lead, programme, clock)
    assert caught.value.key == "round.not_admin"


async def test_the_checklist_shows_the_answers_of_the_round_before_by_date(db: str) -> None:
    """A lead's «last round» is the round the comparison uses, not the last one imported."""
    programme = await create_kol()
    admin = await admin_of(programme)
    await import_round("kol-2018", "13. møde", ROWS, NOW, date_text="2018-05-20")
    await import_round("kol-2018", "11. møde", ROWS, NOW, date_text="2018-01-10")
    opened = await rounds.open_round(programme, "14. møde", "fredag", admin, NOW)
    before = await checklists.previous_round(opened.round)
    assert before is not None and before.name == "13. møde"
    lead = await Person.get(key="pl-hovedstaden")
    context = await checklists.load_context(
        opened.round, checklists.Scope(checklists.UNIT, "hovedstaden"), lead, NOW
    )
    assert context.previous_round == "13. møde"
