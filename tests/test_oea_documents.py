"""ØA20's documents in seed 004's layout and words (issue 18, item 4 and the issue's check).

Through the CLI, as the issue asks: a round of ØA20 opened, closed and exported has a PDF
in seed 004's words — Emne, ØA tekst, Økonomi, «Ansvarlig: AKJ», the agreed economy — and
none of KOL's. In process: what an owner answered is in the table, the workbook, CSV, JSON
and the post, and a programme without a traffic light shows no colours anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from conversations.context import AnswerData
from models.checklists import REPORTER, Scope, store_answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.documents.palette import PALETTE
from render.documents.pdf import render_matrix_pdf
from render.documents.xlsx import render_xlsx
from render.publication import documents, messages
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.exports import csv_of, is_table, json_of
from tests.test_documents import pdf_text

ROOT = Path(__file__).parent.parent
FREMDRIFT = Path(sys.executable).parent / "fremdrift"
OEA = ROOT / "programmes" / "oea-2020.yaml"
KOL_WORDS = ("Milepæl", "indtastet af", "kritisk for hele projektet", "Landsdelsprogram")
STATUS = "Den decentrale omkostningsanalyse er igangsat og vurderes tilendebragt inden ØA21."
NOW = datetime(2019, 10, 20, 10, tzinfo=UTC)


def words(text: str) -> str:
    return " ".join(text.split())


def fremdrift(url: str, folder: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "FREMDRIFT_LANGUAGE": "da"}
    done = subprocess.run(
        [str(FREMDRIFT), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def test_an_oea_round_opened_closed_and_exported_through_the_cli_speaks_seed_004(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'oea.sqlite3'}"
    fremdrift(url, tmp_path, "db", "migrate")
    fremdrift(url, tmp_path, "programme", "load", "oea-2020")
    opened = fremdrift(
        url, tmp_path, "round", "open", "--programme", "oea-2020",
        "--name", "Status oktober 2019", "--deadline", "om 7 dage",
    )  # fmt: skip
    assert "Status oktober 2019" in opened
    fremdrift(url, tmp_path, "round", "close", "--programme", "oea-2020")
    for fmt in ("pdf", "xlsx", "csv", "json"):
        out = tmp_path / f"oea.{fmt}"
        fremdrift(
            url,
            tmp_path,
            "round",
            "export",
            "--programme",
            "oea-2020",
            "--format",
            fmt,
            "-o",
            str(out),
        )
    text = words(pdf_text((tmp_path / "oea.pdf").read_bytes(), tmp_path))
    for seed_004 in (
        "Økonomiaftale for 2020",
        "Emne",
        "ØA tekst",
        "Økonomi (aftalt økonomi og/eller skøn over regionale udgifter)",
        "Status og/eller bemærkninger",
        "Ansvarlig: AKJ",
        "mere end 100 mio. kr.",
        "Anskaffelsen løber op i ca. 68 mio. kr.",
        "Indberettet til Status oktober 2019, ",
        "Nordiske e-recepter",
    ):
        assert seed_004 in text, seed_004
    for kol in KOL_WORDS:
        assert kol not in text, kol
    rows = list(csv.DictReader(io.StringIO((tmp_path / "oea.csv").read_text("utf-8-sig"))))
    assert len(rows) == 29 and rows[0]["code"] == "ØA20.1" and rows[0]["reporter"] == "AKJ"
    assert "mere end 100 mio. kr." in rows[0]["text_economy"]
    assert "progress" not in rows[0] and rows[0]["status"] == ""
    exported = json.loads((tmp_path / "oea.json").read_text("utf-8"))
    assert exported["layout"] == "table" and len(exported["items"]) == 29
    sheet = load_workbook(tmp_path / "oea.xlsx").active
    assert sheet is not None and sheet.title == "Opfølgning"
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Ansvarlig: AKJ" in cells and "Milepæl" not in cells


async def answered_round() -> int:
    """ØA20 loaded, a round in which AKJ answered ØA20.1, closed."""
    await load_programme_file(OEA)
    programme = await Programme.get(key="oea-2020")
    round_ = await Round.create(
        programme=programme,
        name="Status oktober 2019",
        status=RoundStatus.CLOSED,
        opened_at=NOW,
        closed_at=NOW,
    )
    owner = await Person.get(key="AKJ")
    answer = AnswerData(status=STATUS, economy="Omkostningsanalysen ventes inden ØA21.")
    await store_answer(
        round_, Scope(REPORTER, "AKJ"), "ØA20.1", answer, owner, now=NOW, late=False, source="test"
    )
    return round_.id


async def test_what_an_owner_answered_is_in_every_document_without_colours(
    db: str, tmp_path: Path
) -> None:
    snapshot = await load_snapshot(await answered_round())
    matrix = worded_matrix(snapshot)
    comparison = compare(matrix, None, snapshot)
    assert is_table(matrix)
    text = words(pdf_text(render_matrix_pdf(matrix, comparison).content, tmp_path))
    assert STATUS in text and "Ikke indberettet" in text
    assert "1 af 29 emner har et svar." in text
    assert "Økonomi – nyt siden sidst (skøn over regionale udgifter): Omkostningsanalysen" in text
    for colour in ("🟢", "Grøn", "Følger tidsplanen", *KOL_WORDS):
        assert colour not in text, colour
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    sheet = book.active
    assert sheet is not None
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    colours = {swatch.argb for swatch in PALETTE.values()}
    filled = {cell.fill.fgColor.rgb for row in sheet.iter_rows() for cell in row}
    assert STATUS in values and not filled & colours, "no traffic light's colour in the sheet"
    record = json.loads(json_of(matrix))
    first = record["items"][0]
    assert first["answers"][0]["status"] == STATUS and first["texts"]["oea"].startswith("Danmarks")
    assert (
        csv_of(matrix)
        .decode("utf-8-sig")
        .splitlines()[0]
        .startswith("code,group,title,reporter,unit,text_oea,text_economy,status,economy,")
    )
    files = documents(snapshot, matrix, comparison)
    assert [f.kind for f in files] == ["matrix", "xlsx", "csv", "json"], "no sheets: one table"
    assert files[0].title == "Opfølgning – Status oktober 2019"
    posted = messages(matrix, comparison, published=NOW)
    blocks = json.dumps([m.blocks for m in posted], ensure_ascii=False)
    assert (
        "*ØA20.1 Fremtidssikring af den fællesoffentlige infrastruktur* – Ansvarlig: AKJ" in blocks
    )
    assert STATUS in blocks and "1 af 29 emner har et svar." in blocks
    assert not any(dot in blocks for dot in "🟢🟡🔴⚪"), "no colours in the post"
    assert all(len(m.blocks) <= 50 for m in posted)
