"""A matrix round's typed answers survive export → import → export: KOL's programme file asks
«Evt. delmilepæle» (`sub_milestones`) and «Forventes at være klar til fremlæggelse for
SKU/DAK» (`ready`) besides seed 000's five questions, and `round export` writes a column
(CSV) and a field (JSON) for each, named as the question, which `round import` reads back
with the chat's limits and normalisation. A bad value is refused naming row and field, and
nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from conversations.context import AnswerData
from conversations.vocabulary import Delay, Progress, RoundStatus
from models.answer import Answer
from models.checklists import UNIT, Scope, store_answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from render.i18n import catalogue
from reporting.import_files import ImportFailed
from reporting.tables import CSV_COLUMNS
from service.exports import Format, export_documents
from service.imports import import_round

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"
NOW = datetime(2018, 9, 15, 12, tzinfo=UTC)
SUB = "- Kontrakt underskrevet\n- Første borgere i gang\n=SUM(A1)"


async def live_round() -> Round:
    """KOL's «13. møde»: two leads answered sub-milestones and ready, one of them late."""
    await load_programme_file(KOL)
    programme = await Programme.get(key="kol-2018")
    round_ = await Round.create(
        programme=programme,
        name="13. møde",
        status=RoundStatus.CLOSED,
        opened_at=datetime(2018, 9, 1, 8, tzinfo=UTC),
        closed_at=NOW,
    )
    answers = (
        (
            "hovedstaden",
            "4.1",
            AnswerData(
                progress=Progress.STARTED,
                delay=Delay.UP_TO_3,
                remark="Lidt bagud",
                sub_milestones=SUB,
                ready_text="Q3 2019",
                ready_earliest=date(2019, 7, 1),
                ready_latest=date(2019, 9, 30),
            ),
            False,
        ),
        (
            "syddanmark",
            "5.1",
            AnswerData(progress=Progress.EXPECTED, ready_text="når leverandøren er klar"),
            True,
        ),
    )
    for unit, code, data, late in answers:
        lead = await Person.get(key=f"pl-{unit}")
        await store_answer(
            round_, Scope(UNIT, unit), code, data, lead, now=NOW, late=late, source="t"
        )
    return round_


async def exports(name: str) -> tuple[bytes, bytes]:
    found_csv = await export_documents("kol-2018", name, Format.CSV, None)
    found_json = await export_documents("kol-2018", name, Format.JSON, None)
    return found_csv[0][1], found_json[0][1]


def without_people(data: bytes) -> dict[str, Any]:
    """A JSON export without what an import cannot know: who answered, and that it is one."""
    record: dict[str, Any] = json.loads(data)
    record["round"]["imported"] = None
    for cell in record["cells"]:
        cell["answered_by"] = None
    return record


async def test_kol_typed_answers_export_import_and_export_the_same(db: str) -> None:
    live = await live_round()
    found_csv, found_json = await exports(live.name)
    rows = list(csv.DictReader(io.StringIO(found_csv.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == (*CSV_COLUMNS, "sub_milestones", "ready")
    row = next(r for r in rows if (r["milestone"], r["unit"]) == ("4.1", "hovedstaden"))
    assert (row["sub_milestones"], row["ready"]) == ("'" + SUB, "Q3 2019")  # formula guarded
    cells = {(c["milestone"], c["unit"]): c for c in json.loads(found_json)["cells"]}
    assert cells[("5.1", "syddanmark")]["ready"] == "når leverandøren er klar"
    assert cells[("4.1", "hovedstaden")]["sub_milestones"] == SUB
    assert "status" not in cells[("4.1", "hovedstaden")], "KOL does not ask for a status"

    await import_round("kol-2018", "kopi", found_csv, NOW, date_text=live.date.isoformat())
    copy_csv, _ = await exports("kopi")
    assert copy_csv == found_csv
    stored = await Answer.get(round__name="kopi", milestone__code="4.1", scope="hovedstaden")
    assert (stored.sub_milestones, stored.ready_text) == (SUB, "Q3 2019")
    assert (stored.ready_earliest, stored.ready_latest) == (date(2019, 7, 1), date(2019, 9, 30))

    await Round.filter(name=live.name).delete()
    await import_round("kol-2018", None, found_json, NOW)
    again_csv, again_json = await exports(live.name)
    assert again_csv == found_csv
    assert without_people(again_json) == without_people(found_json)

    await Round.filter(name=live.name).delete()
    await import_round("kol-2018", None, again_json, NOW)
    assert await exports(live.name) == (again_csv, again_json)


def told(failed: ImportFailed) -> list[str]:
    return [catalogue("da").error(error) for error in failed.errors]


async def test_bad_typed_answers_are_refused_naming_row_and_field(db: str) -> None:
    await load_programme_file(KOL)
    bad_csv = (
        "milestone,unit,progress,sub_milestones,ready\n"
        "4.1,hovedstaden,started,Godt,Q3 2019\n"
        f"4.2,hovedstaden,started,{'x' * 3001},\n"
        f"4.3,hovedstaden,started,,{'y' * 201}\n"
    ).encode()
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", "dårlig", bad_csv, NOW, date_text="2018-09-15")
    assert told(caught.value) == [
        "Række 3, felt «sub_milestones»: højst 3000 tegn, men der er 3001.",
        "Række 4, felt «ready»: højst 200 tegn, men der er 201.",
    ]
    bad_json = json.dumps(
        {
            "format": 1,
            "round": {"name": "dårlig", "date": "2018-09-15"},
            "cells": [
                {"milestone": "4.1", "unit": "hovedstaden", "progress": "started", "ready": 3},
                {"milestone": "4.2", "unit": "hovedstaden", "progress": "started"}
                | {"sub_milestones": "\ud800"},
            ],
        }
    ).encode()
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", None, bad_json, NOW)
    assert [text.split(":")[0] for text in told(caught.value)] == [
        "Celle 1, felt «ready»",
        "Celle 2, felt «sub_milestones»",
    ]
    assert not await Round.exists(name="dårlig")
    assert await Answer.all().count() == 0


async def test_an_answer_to_a_question_the_programme_does_not_ask_is_refused(
    db: str, tmp_path: Path
) -> None:
    """Stored, it would be shown nowhere — not in the checklist, the documents or an export."""
    text = KOL.read_text("utf-8")
    asked_less = text.replace("  - ask: sub_milestones", "  # sub_milestones not asked")
    assert asked_less != text
    file = tmp_path / "kol.yaml"
    file.write_text(asked_less, "utf-8")
    await load_programme_file(file)
    csv_data = (
        b"milestone,unit,progress,sub_milestones,economy,ready\n"
        b"4.1,hovedstaden,started,,,Q3 2019\n"  # empty columns of questions not asked: fine
        b"4.2,hovedstaden,started,Kontrakt,,\n"
        b"4.3,hovedstaden,started,,10 mio. kr.,\n"
    )
    with pytest.raises(ImportFailed) as caught:
        await import_round("kol-2018", "dårlig", csv_data, NOW, date_text="2018-09-15")
    said = told(caught.value)
    assert [text.split(":")[0] for text in said] == [
        "Række 3, felt «sub_milestones»",
        "Række 4, felt «economy»",
    ]
    assert "programmet stiller ikke det spørgsmål" in said[0]
    assert not await Round.exists(name="dårlig")
    assert await Answer.all().count() == 0
    good = csv_data.replace(b"Kontrakt", b"").replace(b"10 mio. kr.", b"")
    await import_round("kol-2018", "god", good, NOW, date_text="2018-09-15")
    assert await Answer.all().count() == 3
