"""The documents of seed 000's round: matrix PDF, sheets, workbook, CSV and JSON."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conversations.vocabulary import Colour
from models.snapshot import load_snapshot
from render.documents.palette import PALETTE
from render.documents.pdf import (
    matrix_pdf_source,
    render_matrix_pdf,
    render_sheet_pdf,
    unit_chunks,
)
from render.documents.xlsx import render_xlsx, sheet_name
from render.words import worded_matrix
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot
from reporting.tables import CSV_COLUMNS, cell_record, read_csv, render_csv, render_json
from service.comparisons import compile_comparison
from service.imports import import_round
from tests.matrix_support import ROUND_NAME, SEED000_CSV, UNITS, create_kol
from tests.test_matrix_comparison import two_rounds


async def seed000(language: str = "da") -> tuple[Snapshot, Matrix, Comparison]:
    await create_kol(language)
    round_ = await import_round("kol-2018", ROUND_NAME, SEED000_CSV.read_bytes(), _now())
    snapshot = await load_snapshot(round_.id)
    return snapshot, worded_matrix(snapshot), await compile_comparison(round_.id)


def _now() -> datetime:
    return datetime(2018, 6, 20, 12, tzinfo=UTC)


def matrix_data(matrix: Matrix, comparison: Comparison) -> dict[str, Any]:
    """The data the matrix PDF's Typst template lays out: everything it shows."""
    data: dict[str, Any] = json.loads(matrix_pdf_source(matrix, comparison).data)
    return data


def matrix_words(matrix: Matrix, comparison: Comparison) -> str:
    """Every string the matrix PDF's template is given to show, a line each: what the
    PDF says, before Typst wraps and hyphenates it."""

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            return [found for item in value for found in strings(item)]
        return []

    return "\n".join(strings(matrix_data(matrix, comparison)))


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    """The PDF's pages by poppler's pdfinfo, to check `Pdf.pages` against."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The PDF's text by poppler's pdftotext (required: .ci/run installs poppler-utils)."""
    assert shutil.which("pdftotext") is not None, "apt-get install poppler-utils"
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


async def test_the_matrix_pdf_reads_like_seed000(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await seed000()
    pdf = render_matrix_pdf(matrix, comparison)
    assert pdf.content.startswith(b"%PDF")
    assert pdf.pages == 5  # a first page, then the groups; as laid out today
    assert pdf_pages(pdf.content, tmp_path) == pdf.pages
    tables = matrix_data(matrix, comparison)["matrix"]["tables"]
    assert len(tables) == 11  # a table per group (five units: one slice)
    assert len({table["heading"] for table in tables}) == 11
    assert all(table["units"] == [name for _, name in UNITS] for table in tables)
    words = matrix_words(matrix, comparison)
    text = pdf_text(pdf.content, tmp_path)
    for expected in (
        "Fremdrift på tværs af landsdelsprogrammerne",
        "Indsendt ved 12. møde i den fællesoffentlige porteføljestyregruppe for landsdækkende"
        " udbredelse af telemedicinsk hjemmemonitorering til borgere med KOL 20. juni 2018.",
        "Grøn markering angiver, at milepælen overholder tidsplanen.",
        "Milepæl 6: Teknisk løsning er indkøbt og klar til drift",
        "Kilde: Landsdelsprogrammerne",
        "Ændringer siden sidste runde",
    ):
        assert expected in words and expected in text, expected
    # A label in its narrow column wraps (and may hyphenate): the words given to Typst.
    label = (
        "Milepæl 6.1 A – Bekendtgørelse af udbud af telemedicinsk infrastruktur (indtastet af FUT)"
    )
    assert label in words.splitlines()
    assert "Milepæl 6.1 A – Bekendtgørelse" in text
    assert "Side 1 af 5" in text
    assert "Side 5 af 5" in text
    assert "✕ 3-6 måneder" in text
    assert "◐ Milepæl igangsat, men 0-3" in text


def page_one_png(content: bytes, folder: Path) -> bytes:
    """Page 1 of a PDF as PNG, by poppler's pdftoppm."""
    path = folder / "matrix.pdf"
    path.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(folder / "p")],
        check=True,
    )
    return next(folder.glob("p*.png")).read_bytes()


async def test_page_one_renders_as_a_landscape_image(db: str, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; apt-get install poppler-utils")
    _, matrix, comparison = await seed000()
    png = page_one_png(render_matrix_pdf(matrix, comparison).content, tmp_path)
    assert png.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", png[16:24])
    assert width > height


async def test_the_sheet_reads_like_seed001(db: str, tmp_path: Path) -> None:
    snapshot, matrix, _ = await seed000()
    sheet = render_sheet_pdf(snapshot, matrix, "syddanmark")
    assert sheet.content.startswith(b"%PDF")
    assert sheet.pages >= 3
    every = render_sheet_pdf(snapshot, matrix)
    assert every.pages >= 5 * 3  # each unit from a new page
    with pytest.raises(KeyError):
        render_sheet_pdf(snapshot, matrix, "bornholm")
    flat = pdf_text(sheet.content, tmp_path)
    assert "Porteføljestyringsværktøj" in flat
    assert "Landsdelsprogram Syddanmark" in flat
    assert flat.index("SYD-1") < flat.index("Milepæl 1.1")
    assert "Ej igangsat" in flat and "Igangsat" in flat and "Afsluttet" in flat
    assert "Medio 2019" in flat
    assert "(indtastet af FUT)" in flat
    assert "Det er centralt besluttet" in flat


async def test_english_documents_speak_english(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await seed000("en")
    words = matrix_words(matrix, comparison)
    text = pdf_text(render_matrix_pdf(matrix, comparison).content, tmp_path)
    for expected in (
        "Source: Landsdelsprogrammerne",
        "Milestone started, but 0–3 months late",
        "Changes since the last round",
    ):
        assert expected in words, expected
    assert "Source: Landsdelsprogrammerne" in text and "Page 1 of " in text
    assert "Kilde" not in words and "Kilde" not in text
    assert "Side" not in text


async def test_the_workbook_has_colours_frozen_panes_and_a_sheet_per_unit(db: str) -> None:
    snapshot, matrix, _ = await seed000()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    assert book.sheetnames == ["Matrix", *[name for _, name in UNITS], "Svar"]
    ws = book["Matrix"]
    assert ws.freeze_panes == "B6"
    assert 40 <= ws.column_dimensions["A"].width <= 60
    cells = {
        (ws.cell(row, 1).value, ws.cell(5, column).value): ws.cell(row, column)
        for row in range(6, ws.max_row + 1)
        for column in range(2, 7)
    }
    label = "Milepæl 11.4 – Mindst 95 pct. af relevante borgere er inkluderet i hvert "
    red = cells[(label + "landsdelsprogram", "Hovedstaden")]
    assert red.value == "3-6 måneder forsinket"
    assert red.fill.fgColor.rgb == PALETTE["red"].argb
    assert red.font.color.rgb == PALETTE["red"].ink_argb  # white on dark red
    unstated = cells[
        (
            "Milepæl 6.3 – Landsdelsprogram har indgået aftale med leverandør på rammeaftale",
            "Syddanmark",
        )
    ]
    assert unstated.value == "Intet angivet"
    assert unstated.fill.fill_type is None
    critical = cells[
        ("Milepæl 4.1 – Behandlingstilbud indskrevet i Sundhedsaftalen", "Midtjylland")
    ]
    assert critical.font.bold and critical.alignment.wrap_text
    assert critical.fill.fgColor.rgb == PALETTE["green"].argb
    syd = book["Syddanmark"]
    assert [syd.cell(row, 1).value for row in (2, 3, 4)] == [
        "Egne punkter",
        "SYD-1 – Leveranceplan for 2018",
        "SYD-2 – Leverancebeskrivelser til relevante følgegrupper",
    ]
    assert syd.max_row == 1 + (1 + 2) + (11 + 32)  # headings, own items, groups, milestones
    answers = book["Svar"]
    assert answers.max_row == 1 + 160


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("Region: Syd/Øst [test]", taken) == "Region- Syd-Øst -test-"
    long = "x" * 40
    assert sheet_name(long, taken) == "x" * 31
    assert sheet_name(long, taken) == "x" * 27 + " (2)"


async def test_csv_and_json_hold_every_cell_and_read_back(db: str) -> None:
    _, matrix, _ = await seed000()
    records = [cell_record(cell) for cell in matrix.cells()]
    data = json.loads(render_json(matrix))
    assert data["programme"]["key"] == "kol-2018"
    assert data["round"]["name"] == ROUND_NAME and data["round"]["imported"] is True
    assert data["cells"] == records
    first = next(
        c for c in data["cells"] if c["milestone"] == "6.1 B" and c["unit"] == "midtjylland"
    )
    assert {k: first[k] for k in ("progress", "delay", "critical", "text", "colour")} == {
        "progress": "expected",
        "delay": "0",
        "critical": True,
        "text": "Forventer at nå milepæl (milepælen er kritisk for hele projektet)",
        "colour": "green",
    }
    raw = render_csv(matrix)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(raw)
    assert len(rows) == 160
    assert tuple(rows[0]) == CSV_COLUMNS
    for row, record in zip(rows, records, strict=True):
        expected = {column: record[column] for column in CSV_COLUMNS}
        expected["critical"] = "yes" if record["critical"] else "no"
        assert row == expected
    everyone_answered = {c.value for c in Colour} - {Colour.NOT_REPORTED.value}
    assert {row["colour"] for row in rows} == everyone_answered  # seed 000 has every cell


async def test_the_changes_page_lists_what_changed(db: str, tmp_path: Path) -> None:
    _, june = await two_rounds()
    snapshot = await load_snapshot(june.id)
    matrix = worded_matrix(snapshot)
    comparison = await compile_comparison(june.id)
    changes = matrix_data(matrix, comparison)["changes"]
    assert changes["intro"] == ["Sammenlignet med 11. møde."]
    items = {section["title"]: section["items"] for section in changes["sections"]}
    assert "3.1, Midtjylland: Gul → Grøn" in items["Bedre (1)"]
    assert "4.1, Hovedstaden: Grøn → Rød" in items["Værre (1)"]
    assert "4.1, Syddanmark: Medio 2019 → Ultimo 2019" in items["Forventet dato rykket senere (1)"]
    assert "Sjælland (ansvarlig: Projektleder Sjælland)" in items["Har ikke svaret"]
    text = pdf_text(render_matrix_pdf(matrix, comparison).content, tmp_path)
    after = text.split("Ændringer siden sidste runde", 1)[1]  # the full list after the matrix
    for expected in (
        "Sammenlignet med 11. møde.",
        "3.1, Midtjylland: Gul → Grøn",
        "4.1, Hovedstaden: Grøn → Rød",
        "4.1, Syddanmark: Medio 2019 → Ultimo 2019",
        "Sjælland (ansvarlig: Projektleder Sjælland)",
    ):
        assert expected in after, expected


def test_wide_programmes_are_cut_into_even_column_slices() -> None:
    from reporting.snapshot import UnitInfo

    units = [UnitInfo(f"u{i}", f"U{i}") for i in range(20)]
    assert [len(chunk) for chunk in unit_chunks(units)] == [5, 5, 5, 5]
    assert [len(chunk) for chunk in unit_chunks(units[:7])] == [4, 3]
    assert [len(chunk) for chunk in unit_chunks(units[:5])] == [5]


def test_many_units_get_their_sheets_as_a_zip_of_pdfs() -> None:
    import zipfile

    from render import publication
    from render.documents.pdf import COMBINED_SHEETS_MAX_UNITS, render_sheets_zip
    from reporting.comparison import compare
    from tests.test_publication import synthetic

    snapshot = synthetic(COMBINED_SHEETS_MAX_UNITS + 1, 2, seed=5)
    matrix = worded_matrix(snapshot)
    archive = zipfile.ZipFile(io.BytesIO(render_sheets_zip(snapshot, matrix)))
    names = archive.namelist()
    assert names == [f"{unit.key}.pdf" for unit in matrix.units]
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    files = publication.documents(snapshot, matrix, compare(matrix, None, snapshot))
    assert [f.mimetype for f in files][:2] == ["application/pdf", "application/zip"]
    published = zipfile.ZipFile(io.BytesIO(files[1].content))
    assert published.namelist() == names  # the same archive, its PDFs written in a pool
    assert all(published.read(name).startswith(b"%PDF") for name in names)


def test_sheets_are_written_by_a_process_per_core_only_when_it_pays() -> None:
    from render.documents.pool import PARALLEL_MIN_DOCUMENTS, worker_count

    assert worker_count(PARALLEL_MIN_DOCUMENTS - 1) == 1  # a worker costs a second to start
    assert worker_count(100, 2) == 2
    assert worker_count(3, 8) == 3  # never more processes than documents
    assert worker_count(100, 0) == 1
