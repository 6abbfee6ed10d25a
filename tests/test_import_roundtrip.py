"""Export → import → export gives the same file: seed 000's round, and a round using every
field (critical, forecasts read and kept as written, formula-like remarks, the answer for
every unit with one unit set apart, a unit's own items, cells nobody answered)."""

from __future__ import annotations

import io
import json
from csv import DictReader
from datetime import UTC, date, datetime
from typing import Any, cast

from conversations.vocabulary import ALL_UNITS, Delay, Progress
from models.answer import Answer
from models.people import Person
from models.programme import Milestone, Programme, Unit
from models.round import Round
from service.exports import Format, export_documents
from service.imports import import_round
from tests.matrix_support import SEED000_CSV, answer, close_round, create_kol, open_round

NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)
FORMULAS = ('=HYPERLINK("http://x")', "+45 12 34 56 78", "-3 uger", "@here", "'citat")


async def exports(name: str) -> tuple[bytes, bytes]:
    """The round's CSV and JSON, as `round export` writes them."""
    csv = await export_documents("kol-2018", name, Format.CSV, None)
    data = await export_documents("kol-2018", name, Format.JSON, None)
    return csv[0][1], data[0][1]


async def drop(name: str) -> None:
    await Round.filter(name=name).delete()


async def test_seed000_exports_imports_and_exports_the_same(db: str) -> None:
    await create_kol()
    await import_round(
        "kol-2018", "12. møde", SEED000_CSV.read_bytes(), NOW, date_text="2018-06-20"
    )
    csv, data = await exports("12. møde")
    assert len(json.loads(data)["cells"]) == 162  # 160 cells and Syddanmark's 2 own items

    await import_round("kol-2018", "kopi", csv, NOW, date_text="2018-06-20")
    assert (await exports("kopi"))[0] == csv

    await drop("12. møde")
    await import_round("kol-2018", None, data, NOW)  # its name and date come from the file
    assert await exports("12. møde") == (csv, data)


async def _answer_as_written(round_: Round, code: str, scope: str, **values: Any) -> None:
    """An answer the checklist stored with a forecast it could not read (no dates)."""
    milestone = await Milestone.get(programme_id=round_.programme_id, code=code)
    unit = await Unit.get(programme_id=round_.programme_id, key=scope)
    await Answer.create(
        round=round_, milestone=milestone, unit=unit, scope=scope, answered_at=NOW, **values
    )


async def every_field_round() -> Round:
    programme = await create_kol()
    round_ = await open_round(programme, "13. møde", datetime(2018, 9, 1, 8, tzinfo=UTC))
    lead = await Person.get(key="pl-syddanmark")
    fut = await Person.get(key="fut")
    await answer(round_, "6.1 A", ALL_UNITS, Progress.REACHED, remark="FUT", by=fut)
    await answer(round_, "6.1 A", "syddanmark", Progress.STARTED, Delay.UP_TO_3, by=fut)
    await answer(
        round_,
        "4.1",
        "syddanmark",
        Progress.STARTED,
        Delay.UP_TO_6,
        critical=True,
        forecast="Medio 2019",
        remark=FORMULAS[0],
        by=lead,
    )
    await _answer_as_written(
        round_,
        "4.2",
        "syddanmark",
        progress=Progress.EXPECTED,
        delay=Delay.UP_TO_3,
        forecast_text="når leverandøren har svaret",
        remark=FORMULAS[1],
        late=True,
    )
    for code, remark in zip(("5.1", "5.2", "5.3"), FORMULAS[2:], strict=True):
        await answer(round_, code, "hovedstaden", Progress.EXPECTED, remark=remark, by=lead)
    await answer(round_, "1.1", "midtjylland", Progress.NONE, by=lead)  # «Intet angivet»
    await answer(round_, "SYD-1", "syddanmark", Progress.REACHED, forecast="Februar 2018", by=lead)
    await close_round(round_, datetime(2018, 9, 15, 12, tzinfo=UTC))
    return await Round.get(id=round_.id)


def _without_people(data: bytes) -> dict[str, Any]:
    """A JSON export without what an import cannot know: who answered, and that it is one."""
    record: dict[str, Any] = json.loads(data)
    record["round"]["imported"] = None
    for cell in record["cells"]:
        cell["answered_by"] = None
    return record


async def test_a_round_using_every_field_exports_imports_and_exports_the_same(db: str) -> None:
    live = await every_field_round()
    csv, data = await exports(live.name)
    cells = {(c["milestone"], c["unit"]): c for c in json.loads(data)["cells"]}
    assert cells[("4.2", "syddanmark")]["forecast_earliest"] is None
    assert cells[("4.1", "syddanmark")]["forecast_latest"] == "2019-08-31"
    assert cells[("6.1 A", "hovedstaden")]["source"] == "all"
    assert cells[("SYD-1", "syddanmark")]["local"] is True
    assert cells[("1.1", "hovedstaden")]["source"] == "none"
    written = {row["remark"] for row in DictReader(io.StringIO(csv.decode("utf-8-sig")))}
    assert {f"'{formula}" for formula in FORMULAS} <= written  # guarded once

    await import_round("kol-2018", "kopi", csv, NOW, date_text=live.date.isoformat())
    copy, _ = await exports("kopi")
    assert copy == csv
    stored = cast(
        list[str],
        await Answer.filter(round__name="kopi", milestone__code="6.1 A").values_list(
            "scope", flat=True
        ),
    )
    assert sorted(stored) == [ALL_UNITS, "syddanmark"]  # the common answer is one again

    await drop(live.name)
    await import_round("kol-2018", None, data, NOW)
    again_csv, again = await exports(live.name)
    assert again_csv == csv
    assert _without_people(again) == _without_people(data)
    imported = await Round.get(name=live.name)
    assert (imported.imported, imported.date, imported.opened_at) == (
        True,
        live.date,
        live.opened_at,
    )

    await drop(live.name)
    await import_round("kol-2018", None, again, NOW)
    assert await exports(live.name) == (again_csv, again)
    assert await Programme.filter(key="kol-2018").count() == 1


SEVEN = ("progress", "delay", "critical", "forecast", "remark", "sub_milestones", "ready")
"""The questions kol-2018.yaml asks: seed 000's five and seed 001's two."""


async def test_ready_keeps_the_days_it_was_read_as_through_json(db: str) -> None:
    programme = await create_kol()
    programme.questions = [{"ask": question} for question in SEVEN]
    await programme.save()
    round_ = await open_round(programme, "13. møde", datetime(2018, 9, 1, 8, tzinfo=UTC))
    await _answer_as_written(  # read in 2019, as 2019's third quarter; an import today (2018)
        round_,  # would read «3. kvartal» as 2018's, so only days taken as written pass
        "3.1",
        "nordjylland",
        progress=Progress.STARTED,
        ready_text="3. kvartal",
        ready_earliest=date(2019, 7, 1),
        ready_latest=date(2019, 9, 30),
    )
    await _answer_as_written(
        round_, "2.1", "nordjylland", progress=Progress.STARTED, ready_text="når vi er klar"
    )
    await close_round(round_, datetime(2018, 9, 15, 12, tzinfo=UTC))
    csv, data = await exports("13. møde")
    cells = {(c["milestone"], c["unit"]): c for c in json.loads(data)["cells"]}
    ready = cells[("3.1", "nordjylland")]
    assert (ready["ready"], ready["ready_earliest"], ready["ready_latest"]) == (
        "3. kvartal",
        "2019-07-01",
        "2019-09-30",
    )
    assert cells[("2.1", "nordjylland")]["ready_earliest"] is None  # kept as written
    assert "ready_earliest" not in csv.decode("utf-8-sig")  # the CSV has the words only

    await drop("13. møde")
    await import_round("kol-2018", None, data, NOW)
    again_csv, again = await exports("13. møde")
    assert again_csv == csv
    assert _without_people(again) == _without_people(data)
    stored = await Answer.get(round__name="13. møde", milestone__code="3.1", scope="nordjylland")
    assert (stored.ready_earliest, stored.ready_latest) == (date(2019, 7, 1), date(2019, 9, 30))
