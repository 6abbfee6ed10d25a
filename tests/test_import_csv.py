"""`round import`: a whole round from CSV or JSON, or nothing — each mistake named by row and
field; spreadsheets' CSV (semicolons, BOM, CRLF) and the words people read are understood."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS, Delay, Progress
from models.answer import Answer, AnswerRevision
from models.round import Round, RoundStatus
from render.i18n import catalogue
from reporting.import_rows import ImportFailed, ImportVocabulary
from service.imports import import_round
from tests.matrix_support import FIXTURES, SEED000_CSV, create_kol

IMPORTS = FIXTURES / "imports"
NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)

# file → (message key, row, field) of its one mistake; row is the line (CSV) or cell (JSON).
BAD_FILES: dict[str, tuple[str, int | None, str | None]] = {
    "wrong_header.csv": ("import.header", None, None),
    "unknown_column.csv": ("import.header", None, None),
    "unknown_milestone.csv": ("import.unknown_milestone", 3, "milestone"),
    "unknown_unit.csv": ("import.unknown_unit", 2, "unit"),
    "bad_progress.csv": ("import.progress", 2, "progress"),
    "bad_delay.csv": ("import.delay", 2, "delay"),
    "delay_not_allowed.csv": ("import.delay_not_allowed", 2, "delay"),
    "bad_critical.csv": ("import.critical", 2, "critical"),
    "bad_source.csv": ("import.source", 2, "source"),
    "forecast_too_long.csv": ("import.too_long", 2, "forecast"),
    "duplicate.csv": ("import.duplicate", 4, "unit"),
    "too_few_fields.csv": ("import.columns", 2, None),
    "empty.csv": ("import.empty", None, None),
    "header_only.csv": ("import.no_rows", None, None),
    "not_utf8.csv": ("import.unreadable", None, None),
    "other_units_item.csv": ("import.other_units_item", 2, "unit"),
    "json_malformed.json": ("import.json_malformed", 3, None),
    "json_no_cells.json": ("import.json_cells", None, None),
    "json_format.json": ("import.json_format", None, None),
    "json_cell_not_object.json": ("import.json_cell", 1, None),
    "json_unknown_field.json": ("import.unknown_field", 2, "remarks"),
    "json_wrong_type.json": ("import.json_type", 1, "progress"),
    "json_missing_field.json": ("import.missing_field", 1, "unit"),
    "json_bad_date.json": ("import.json_type", 1, "forecast_earliest"),
}
KEPT_AS_WRITTEN = {"unreadable_forecast.csv": "snart", "forecast_without_year.csv": "juni"}


def test_the_catalogue_covers_every_file() -> None:
    files = {path.name for path in IMPORTS.iterdir() if path.suffix in (".csv", ".json")}
    assert files == set(BAD_FILES) | set(KEPT_AS_WRITTEN) | {"several_mistakes.csv"}
    assert len(BAD_FILES) >= 20


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
        message = catalogue(language).error(error)
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


@pytest.mark.parametrize("name", sorted(KEPT_AS_WRITTEN))
async def test_a_forecast_that_cannot_be_read_is_kept_as_written(db: str, name: str) -> None:
    await create_kol()
    round_ = await import_round("kol-2018", "x", (IMPORTS / name).read_bytes(), NOW)
    answer = await Answer.get(round_id=round_.id)
    assert answer.forecast_text == KEPT_AS_WRITTEN[name]
    assert (answer.forecast_earliest, answer.forecast_latest) == (None, None)


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


async def _answers(round_: Round) -> dict[tuple[str, str], Answer]:
    found = await Answer.filter(round_id=round_.id).prefetch_related("milestone")
    return {(answer.milestone.code, answer.scope): answer for answer in found}


async def test_a_danish_excel_csv_with_semicolons_bom_crlf_and_danish_words(db: str) -> None:
    await create_kol()
    lines = [
        "milestone;unit;progress;delay;critical;forecast;remark",
        "1.1;hovedstaden;Milepæl nået;;nej;;",
        "1.1;midtjylland;Igangsat;0-3 måneder forsinket;ja;Medio 2019;Venter på «FUT»; se note",
        "1.1;nordjylland;Ej igangsat;Over 6 mdr. forsinket;JA;2. kvartal 2019;",
        "1.1;sjaelland;Milepæl nået (Afsluttet);0;Nej;;",
        "1.1;syddanmark;Intet angivet;;;;",
        "2.1;hovedstaden;Forventer at nå milepæl;3–6 måneder;ja;;",
    ]
    lines[2] = lines[2].replace("Venter på «FUT»; se note", '"Venter på «FUT»; se note"')
    data = "\r\n".join(lines).encode("utf-8-sig") + b"\r\n"
    round_ = await import_round("kol-2018", "11. møde", data, NOW, date_text="2018-03-01")
    answers = await _answers(round_)
    found = {
        key: (a.progress, a.delay, a.critical, a.forecast_text, a.remark)
        for key, a in answers.items()
    }
    assert found == {
        ("1.1", "hovedstaden"): (Progress.REACHED, Delay.ON_TIME, False, "", ""),
        ("1.1", "midtjylland"): (
            Progress.STARTED,
            Delay.UP_TO_3,
            True,
            "Medio 2019",
            "Venter på «FUT»; se note",
        ),
        ("1.1", "nordjylland"): (Progress.EXPECTED, Delay.OVER_6, True, "2. kvartal 2019", ""),
        ("1.1", "sjaelland"): (Progress.REACHED, Delay.ON_TIME, False, "", ""),
        ("1.1", "syddanmark"): (Progress.NONE, Delay.ON_TIME, False, "", ""),
        ("2.1", "hovedstaden"): (Progress.EXPECTED, Delay.UP_TO_6, True, "", ""),
    }
    medio = answers[("1.1", "midtjylland")]
    assert (medio.forecast_earliest, medio.forecast_latest) == (
        date(2019, 5, 1),
        date(2019, 8, 31),
    )
    assert (await Round.get(id=round_.id)).date == date(2018, 3, 1)


async def test_english_words_columns_in_any_order_and_optional_columns_left_out(db: str) -> None:
    await create_kol()
    data = (
        b"unit,progress,milestone,critical\n"
        b"hovedstaden,Milestone reached,1.1,yes\n"
        b"midtjylland,Not started,1.1,false\n"
    )
    round_ = await import_round("kol-2018", "x", data, NOW)
    answers = await _answers(round_)
    assert answers[("1.1", "hovedstaden")].progress is Progress.REACHED
    assert answers[("1.1", "hovedstaden")].critical is True
    assert answers[("1.1", "midtjylland")].progress is Progress.EXPECTED


async def test_the_formula_guard_is_taken_off_once(db: str) -> None:
    await create_kol()
    data = (
        b"milestone,unit,progress,remark\n"
        b"1.1,hovedstaden,started,'=SUM(A1:A9)\n"
        b"1.1,midtjylland,started,''citat\n"
        b"1.1,nordjylland,started,-3 uger\n"
    )
    round_ = await import_round("kol-2018", "x", data, NOW)
    remarks = {key[1]: a.remark for key, a in (await _answers(round_)).items()}
    assert remarks == {
        "hovedstaden": "=SUM(A1:A9)",
        "midtjylland": "'citat",
        "nordjylland": "-3 uger",  # as Excel saves it: without the guard
    }


async def test_not_reported_cells_stay_unanswered_and_a_common_answer_is_one_again(
    db: str,
) -> None:
    await create_kol()
    units = ("hovedstaden", "midtjylland", "nordjylland", "sjaelland", "syddanmark")
    rows = ["milestone,unit,progress,delay,critical,forecast,remark,text,colour,source"]
    rows += [f"6.1 A,{unit},reached,0,no,,FUT,Milepæl nået,green,all" for unit in units]
    rows += [f"6.2 A,{unit},reached,0,no,,,x,green,all" for unit in units[:4]]
    rows.append("6.2 A,syddanmark,started,0,no,,,x,green,unit")
    rows += [f"6.3,{unit},none,0,no,,,Ikke indberettet,not_reported,none" for unit in units]
    rows[-1] = "6.3,syddanmark,started,0,no,,sent svar,x,green,none"
    rows += [f"6.4,{unit},started,0,no,,,x,green,all" for unit in units[:4]]  # one unit short
    round_ = await import_round("kol-2018", "x", "\n".join(rows).encode(), NOW)
    answers = await _answers(round_)
    assert answers[("6.1 A", ALL_UNITS)].remark == "FUT"
    assert not any(code == "6.1 A" and scope != ALL_UNITS for code, scope in answers)
    assert answers[("6.2 A", ALL_UNITS)].progress is Progress.REACHED
    assert answers[("6.2 A", "syddanmark")].progress is Progress.STARTED
    assert [scope for code, scope in answers if code == "6.3"] == ["syddanmark"]
    assert sorted(scope for code, scope in answers if code == "6.4") == sorted(units[:4])


async def test_a_json_export_gives_the_name_and_date_unless_they_are_given(db: str) -> None:
    await create_kol()
    data = (
        b'{"format": 1, "round": {"name": "10. m\\u00f8de", "date": "2018-01-15"},'
        b' "cells": [{"milestone": "1.1", "unit": "hovedstaden", "progress": "reached"}]}'
    )
    named = await import_round("kol-2018", None, data, NOW)
    assert (named.name, named.date) == ("10. møde", date(2018, 1, 15))
    other = await import_round("kol-2018", "9. møde", data, NOW, date_text="2017-11-01")
    assert (other.name, other.date) == ("9. møde", date(2017, 11, 1))


async def test_a_csv_needs_a_name_and_a_date_must_be_a_day(db: str) -> None:
    await create_kol()
    data = b"milestone,unit,progress\n1.1,hovedstaden,reached\n"
    with pytest.raises(UserError) as missing:
        await import_round("kol-2018", None, data, NOW)
    assert missing.value.key == "import.name_missing"
    for bad in ("2018-02-30", "20-06-2018", "snart"):
        with pytest.raises(UserError) as caught:
            await import_round("kol-2018", "x", data, NOW, date_text=bad)
        assert caught.value.key == "round.date_unreadable"
    assert await Round.all().count() == 0
    today = await import_round("kol-2018", "x", data, NOW)
    assert today.date == date(2018, 6, 20)  # no date given: today, in the programme's zone


def test_a_word_that_would_mean_two_values_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="igangsat"):
        ImportVocabulary.of(progress=[("Igangsat", Progress.STARTED), ("igangsat", Progress.NONE)])
    words = ImportVocabulary.of(progress=[("Afsluttet", Progress.REACHED)])
    assert words.read_progress("  AFSLUTTET ") is Progress.REACHED
    assert words.read_progress("reached (Afsluttet)") is Progress.REACHED
    assert words.read_progress("started (Afsluttet)") is None
