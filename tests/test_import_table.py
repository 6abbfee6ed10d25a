"""`round import` reads a round in table layout (issue 18, item 4): ØA20's CSV and JSON.

What `round export` writes for ØA20 (docs/formats.md, «A round in table layout») imports
again and exports the same — every column but who answered, which an import cannot know
(a name in a file is not a person). A live round is the source: two owners' answers to the
typed questions (status, economy), one late, one answer by the owner for every unit (the
one unit), the other topics not reported. Bad rows are refused, nothing stored, each
mistake named by its row (CSV) or item (JSON) and its field as the file calls it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conversations.context import AnswerData
from conversations.vocabulary import ALL_UNITS, RoundStatus
from models.answer import Answer
from models.checklists import REPORTER, Scope, store_answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from render.i18n import catalogue
from reporting.import_files import ImportFailed
from service.exports import Format, export_documents
from service.imports import import_round

OEA = Path(__file__).parent.parent / "programmes" / "oea-2020.yaml"
NOW = datetime(2019, 10, 20, 10, tzinfo=UTC)
STATUS = 'Omkostningsanalysen er igangsat.\nDen ventes "inden ØA21", jf. =SUM(A1).'


async def live_round() -> Round:
    """ØA20's round «Status oktober 2019»: AKJ and NPE answered, NPE after the deadline."""
    await load_programme_file(OEA)
    programme = await Programme.get(key="oea-2020")
    round_ = await Round.create(
        programme=programme,
        name="Status oktober 2019",
        status=RoundStatus.CLOSED,
        opened_at=NOW,
        closed_at=NOW,
    )
    answers = (
        ("AKJ", "ØA20.1", AnswerData(status=STATUS, economy="Mere end 100 mio. kr."), False),
        ("NPE", "ØA20.7", AnswerData(status="Mit overblik er udvidet."), True),
        ("SVO", "ØA20.2", AnswerData(economy="40 mio. kr. til 8 projekter."), False),
    )
    for owner, code, data, late in answers:
        person = await Person.get(key=owner)
        scope = Scope(REPORTER, owner)
        await store_answer(round_, scope, code, data, person, now=NOW, late=late, source="t")
    return round_


async def exports(name: str) -> tuple[bytes, bytes]:
    found_csv = await export_documents("oea-2020", name, Format.CSV, None)
    found_json = await export_documents("oea-2020", name, Format.JSON, None)
    return found_csv[0][1], found_json[0][1]


def without_people_csv(data: bytes) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return [{**row, "answered_by": ""} for row in rows]


def without_people_json(data: bytes) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(data)
    record["round"]["imported"] = None
    for item in record["items"]:
        for answer in item["answers"]:
            answer["answered_by"] = None
    return record


async def test_an_oea_export_imports_and_exports_the_same(db: str) -> None:
    live = await live_round()
    found_csv, found_json = await exports(live.name)
    assert found_csv.decode("utf-8-sig").startswith("code,group,title,reporter,unit,text_oea")
    assert json.loads(found_json)["layout"] == "table"

    await import_round("oea-2020", "kopi", found_csv, NOW, date_text=live.date.isoformat())
    copy_csv, _ = await exports("kopi")
    assert without_people_csv(copy_csv) == without_people_csv(found_csv)
    stored = await Answer.get(round__name="kopi", milestone__code="ØA20.1")
    assert (stored.scope, stored.status, stored.economy) == (
        ALL_UNITS,
        STATUS,
        "Mere end 100 mio. kr.",
    ), "the owner's answer for every unit is one again, its texts whole"
    assert await Answer.filter(round__name="kopi").count() == 3, "not reported stays so"
    late = await Answer.get(round__name="kopi", milestone__code="ØA20.7")
    assert late.late and late.answered_at == NOW

    await Round.filter(name=live.name).delete()
    await import_round("oea-2020", None, found_json, NOW)
    again_csv, again_json = await exports(live.name)
    assert without_people_json(again_json) == without_people_json(found_json)
    assert without_people_csv(again_csv) == without_people_csv(found_csv)


def told(failed: ImportFailed) -> list[str]:
    return [catalogue("da").error(error) for error in failed.errors]


async def test_bad_rows_of_a_table_csv_are_refused_naming_row_and_field(db: str) -> None:
    await load_programme_file(OEA)
    too_long = "x" * 3001
    bad = (
        "code,unit,status,economy,late,source\n"
        "ØA99.9,danske-regioner,Ukendt emne,,no,all\n"
        f"ØA20.1,danske-regioner,{too_long},,no,all\n"
        "ØA20.2,nordjylland,Godt,,no,unit\n"
        "ØA20.3,danske-regioner,Godt,,måske,unit\n"
        "ØA20.4,danske-regioner,Godt,,no,unit\n"
        "ØA20.4,danske-regioner,Igen,,no,unit\n"
    ).encode()
    with pytest.raises(ImportFailed) as caught:
        await import_round("oea-2020", "dårlig", bad, NOW, date_text="2019-10-20")
    assert told(caught.value) == [
        "Række 2, felt «code»: programmet har intet punkt med koden «ØA99.9».",
        "Række 3, felt «status»: højst 3000 tegn, men der er 3001.",
        "Række 4, felt «unit»: programmet har ingen enhed «nordjylland» (brug en enheds nøgle "
        "eller * for alle).",
        "Række 5, felt «late»: «måske» er hverken ja eller nej (yes eller no).",
        "Række 7, felt «unit»: «ØA20.4» for «danske-regioner» står allerede i række 6.",
    ]
    assert not await Round.exists(name="dårlig")
    with pytest.raises(ImportFailed) as caught:
        await import_round("oea-2020", "dårlig", b"code,unit,farve\nA,B,C\n", NOW)
    assert "«code,unit,farve»" in told(caught.value)[0]


async def test_bad_items_of_a_table_json_are_refused_naming_the_item(db: str) -> None:
    await load_programme_file(OEA)
    shape = {"format": 1, "layout": "table", "round": {"name": "dårlig", "date": "2019-10-20"}}
    items = [
        {"code": "ØA20.1", "answers": [{"unit": "danske-regioner", "farve": "grøn"}]},
        {"code": "ØA20.2", "answers": [{"unit": "danske-regioner", "status": "Godt"}]},
        {"code": "ØA20.3", "answers": "ingen"},
    ]
    data = json.dumps({**shape, "items": items}).encode()
    with pytest.raises(ImportFailed) as caught:
        await import_round("oea-2020", None, data, NOW)
    assert told(caught.value) == [
        "Punkt 1 i items, felt «farve»: det felt kender jeg ikke; se docs/formats.md.",
        "Punkt 3 i items: et punkt skal være et objekt med feltet code og listen answers, hvert "
        "svar et objekt.",
    ]
    with pytest.raises(ImportFailed) as caught:
        await import_round("oea-2020", None, json.dumps(shape).encode(), NOW)
    assert told(caught.value)[0].startswith("JSON-filen i tabelform skal have listen «items»")
    assert not await Round.exists(name="dårlig")
