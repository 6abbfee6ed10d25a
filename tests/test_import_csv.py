"""`round import`: a whole round from CSV, or nothing — each mistake named by row and field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.round_export import import_round, render_error
from conversations.errors import UserError
from conversations.vocabulary import Delay, Progress
from models.answer import Answer, AnswerRevision
from models.round import Round, RoundStatus
from reporting.import_rows import ImportFailed
from tests.matrix_support import FIXTURES, SEED000_CSV, create_kol

IMPORTS = FIXTURES / "imports"
NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)

# file → (message key, row, field) of its one mistake; row is the line in the file.
BAD_FILES: dict[str, tuple[str, int | None, str | None]] = {
    "wrong_header.csv": ("import.header", None, None),
    "unknown_milestone.csv": ("import.unknown_milestone", 3, "milestone"),
    "unknown_unit.csv": ("import.unknown_unit", 2, "unit"),
    "bad_progress.csv": ("import.progress", 2, "progress"),
    "bad_delay.csv": ("import.delay", 2, "delay"),
    "delay_not_allowed.csv": ("import.delay_not_allowed", 2, "delay"),
    "bad_critical.csv": ("import.critical", 2, "critical"),
    "unreadable_forecast.csv": ("import.forecast", 2, "forecast"),
    "forecast_without_year.csv": ("import.forecast", 2, "forecast"),
    "duplicate.csv": ("import.duplicate", 4, "unit"),
    "too_few_fields.csv": ("import.columns", 2, None),
    "empty.csv": ("import.empty", None, None),
    "header_only.csv": ("import.no_rows", None, None),
    "not_utf8.csv": ("import.unreadable", None, None),
    "other_units_item.csv": ("import.other_units_item", 2, "unit"),
}


def test_the_catalogue_covers_every_file() -> None:
    files = {path.name for path in IMPORTS.glob("*.csv")}
    assert files == set(BAD_FILES) | {"several_mistakes.csv"}
    assert len(BAD_FILES) >= 10


@pytest.mark.parametrize("name", sorted(BAD_FILES))
async def test_a_bad_file_is_refused_and_nothing_is_stored(db: str, name: str) -> None:
    await create_kol()
    key, row, field = BAD_FILES[name]
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", "Gammel runde", (IMPORTS / name).read_bytes(), NOW)
    errors = caught.value.errors
    assert [error.key for error in errors] == [key]
    error = errors[0]
    assert error.params.get("row") == row
    assert error.params.get("field") == field
    for language in ("da", "en"):
        message = render_error(language, error)
        if row is not None:
            assert str(row) in message
        if field is not None:
            assert field in message
    assert await Round.all().count() == 0
    assert await Answer.all().count() == 0
    assert await AnswerRevision.all().count() == 0


async def test_every_mistake_is_told_at_once(db: str) -> None:
    await create_kol()
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", "x", (IMPORTS / "several_mistakes.csv").read_bytes(), NOW)
    found = [(e.key, e.params.get("row"), e.params.get("field")) for e in caught.value.errors]
    assert found == [
        ("import.progress", 3, "progress"),
        ("import.critical", 3, "critical"),
        ("import.unknown_unit", 4, "unit"),
    ]
    assert await Answer.all().count() == 0


async def test_an_unreadable_forecast_says_why_in_words(db: str) -> None:
    await create_kol()
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", "x", (IMPORTS / "unreadable_forecast.csv").read_bytes(), NOW)
    message = render_error("da", caught.value.errors[0])
    assert message.startswith("Række 2, felt «forecast»: Jeg kan ikke læse «snart» som en deadline")


async def test_seed000_imports_as_a_closed_round_with_one_revision_per_answer(db: str) -> None:
    await create_kol()
    round_ = await import_round("kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW)
    stored = await Round.get(id=round_.id)
    assert (stored.status, stored.imported, stored.open_slot) == (RoundStatus.CLOSED, True, None)
    assert stored.closed_at is not None
    assert await Answer.filter(round_id=round_.id).count() == 160
    revisions = await AnswerRevision.filter(answer__round_id=round_.id).values("number", "source")
    assert len(revisions) == 160
    assert {(r["number"], r["source"]) for r in revisions} == {(1, "import")}
    answer = await Answer.get(round_id=round_.id, milestone__code="11.4", scope="hovedstaden")
    assert (answer.progress, answer.delay, answer.critical) == (
        Progress.EXPECTED,
        Delay.UP_TO_6,
        False,
    )
    forecast = await Answer.get(round_id=round_.id, milestone__code="4.1", scope="syddanmark")
    assert forecast.forecast_text == "Medio 2019"
    assert forecast.forecast_latest is not None


async def test_a_round_name_is_not_imported_twice(db: str) -> None:
    await create_kol()
    await import_round("kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW)
    with pytest.raises(UserError) as caught:
        await import_round("kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW)
    assert caught.value.key == "import.round_exists"
    assert await Round.all().count() == 1


async def test_an_unknown_programme_is_named(db: str) -> None:
    with pytest.raises(UserError) as caught:
        await import_round("nope", "x", SEED000_CSV.read_bytes(), NOW)
    assert caught.value == UserError("import.unknown_programme", value="nope")


async def test_the_answer_for_every_unit_imports_with_scope_star(db: str, tmp_path: Path) -> None:
    await create_kol()
    data = b"milestone,unit,progress,delay,critical,forecast,remark\n6.1 A,*,reached,,,,FUT\n"
    round_ = await import_round("kol-2018", "x", data, NOW)
    answer = await Answer.get(round_id=round_.id)
    assert (answer.scope, answer.unit_id, answer.remark) == ("*", None, "FUT")
