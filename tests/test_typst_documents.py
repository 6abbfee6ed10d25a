"""The documents Typst lays out — the units' sheets (sheet.typ) and seed 004's table
(table.typ): typed text stays text, the running head names the unit of its page, a critical
cell is marked, and the page count the code reports is the one poppler reads."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from conversations.questions import Question
from render.documents.pdf import render_matrix_pdf
from render.documents.sheets import render_sheet_pdf, sheet_data, sheet_source
from render.documents.table_pdf import table_data
from render.documents.typst_pdf import page_count
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.exports import is_table
from reporting.snapshot import Snapshot, make_snapshot
from tests.test_pdf_layout import _asking, pages_text, render_page
from tests.test_publication import synthetic

TYPST_MARKUP = (
    "#set page(width: 1cm)",
    "#panic(1)",
    "*fed* _kursiv_",
    "$x^2$",
    "<etiket> @etiket",
    "] [",
    "a \\ b",
    "// ikke en kommentar",
    '#"streng"',
)
"""Typst's markup and code, typed by a person: each must print as written."""


def _marked_up(snapshot: Snapshot) -> Snapshot:
    """`snapshot` with Typst's markup in a unit's name, a group's and a milestone's title, a
    definition, a forecast, a remark and the round's name."""
    joined = " ".join(TYPST_MARKUP)
    first, *rest = snapshot.units
    group, *groups = snapshot.groups
    milestone, *milestones = group.milestones
    group = replace(
        group,
        title=f"Gruppe {TYPST_MARKUP[0]}",
        milestones=(replace(milestone, title=joined, definition=joined), *milestones),
    )
    answers = tuple(
        replace(answer, remark=joined, forecast_text=TYPST_MARKUP[3])
        if (answer.milestone, answer.scope) == (milestone.code, first.key)
        else answer
        for answer in snapshot.answers
    )
    return make_snapshot(
        snapshot.programme,
        replace(snapshot.round, name=f"Runde {TYPST_MARKUP[4]}"),
        (replace(first, name=f"Enhed {TYPST_MARKUP[2]}"), *rest),
        (group, *groups),
        answers,
    )


def test_typst_markup_in_typed_text_prints_as_written(tmp_path: Path) -> None:
    snapshot = _marked_up(synthetic(2, 3, seed=4))
    matrix = worded_matrix(snapshot)
    pdf = render_sheet_pdf(snapshot, matrix, "u000")
    text = " ".join(pages_text(pdf.content, tmp_path)).replace("\xad ", "").replace("‐ ", "")
    folded = text.replace(" ", "")
    for typed in TYPST_MARKUP:
        assert typed.replace(" ", "") in folded, typed
    assert text.count(TYPST_MARKUP[0]) >= 4  # title and definition, remark, group heading
    assert "Enhed *fed* _kursiv_" in text and "Runde <etiket> @etiket" in text
    assert "Forventet: $x^2$" in text


def test_the_page_count_is_the_one_poppler_reads(tmp_path: Path) -> None:
    snapshot = synthetic(3, 40, seed=2, size=15)
    pdf = render_sheet_pdf(snapshot, worded_matrix(snapshot))
    path = tmp_path / "sheets.pdf"
    path.write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    assert pdf.pages == int(pages.split()[1]) == page_count(pdf.content) > 3


def test_each_page_is_headed_by_its_own_unit(tmp_path: Path) -> None:
    snapshot = synthetic(3, 30, seed=6, size=15)
    matrix = worded_matrix(snapshot)
    pages = pages_text(render_sheet_pdf(snapshot, matrix).content, tmp_path)
    heads = [
        unit.name
        for page in pages
        for unit in matrix.units
        if page.startswith(f"Porteføljestyringsværktøj – {unit.name} ")
    ]
    assert len(heads) == len(pages) > len(matrix.units)
    assert heads == sorted(heads)  # each unit's pages together, in the units' order
    assert set(heads) == {unit.name for unit in matrix.units}
    for number, page in enumerate(pages):  # a unit's first page is where its head changes
        starts = number == 0 or heads[number] != heads[number - 1]
        assert (f"{heads[number]} Indsendt ved" in page) == starts, number
        assert f"Side {number + 1} af {len(pages)}" in page


def test_a_critical_cell_is_marked_and_its_status_carries_the_palette(tmp_path: Path) -> None:
    snapshot = synthetic(1, 20, seed=3)
    matrix = worded_matrix(snapshot)
    data = sheet_data(snapshot, matrix, matrix.units)
    statuses = [row[1] for table in data["units"][0]["tables"] for row in table["rows"]]
    critical = [status for status in statuses if status["critical"]]
    assert critical and len(critical) < len(statuses)
    assert {status["colour"] for status in statuses} <= set(data["swatches"])
    assert data["critical_marker"] == "⚠ Kritisk"
    text = " ".join(pages_text(render_sheet_pdf(snapshot, matrix).content, tmp_path))
    assert text.count("⚠ KRITISK") == len(critical)
    assert sheet_source(snapshot, matrix, matrix.units).template == "sheet.typ"


def test_typst_markup_in_a_tables_text_prints_as_written(tmp_path: Path) -> None:
    """Seed 004's table (table.typ) of a one-unit programme: typed text stays text there too,
    a paragraph per line; its page count is poppler's."""
    snapshot = _marked_up(synthetic(1, 12, seed=4))
    matrix = worded_matrix(snapshot)
    assert is_table(matrix)
    data = table_data(matrix, compare(matrix, None, snapshot))
    first = data["groups"][0]["rows"][0]
    assert first[0]["title"] == " ".join(TYPST_MARKUP)
    pdf = render_matrix_pdf(matrix, compare(matrix, None, snapshot))
    text = " ".join(pages_text(pdf.content, tmp_path))
    folded = text.replace(" ", "")
    for typed in TYPST_MARKUP:
        assert typed.replace(" ", "") in folded, typed
    assert "Runde <etiket> @etiket" in text and "Gruppe #set page(width: 1cm)" in text
    assert "✓ Følger tidsplanen" in text  # a programme with a light has the key
    path = tmp_path / "table.pdf"
    path.write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    assert f"Pages:           {pdf.pages}\n" in info.stdout


def test_a_long_sheet_stays_as_small_as_weasyprints(tmp_path: Path) -> None:
    """A 100-row sheet is about 65 KB untagged, like WeasyPrint's; Typst's PDF tags, a
    structure element per cell, make it 195 KB, and a round's ZIP of sheets as much bigger."""
    snapshot = synthetic(1, 100, seed=8)
    pdf = render_sheet_pdf(snapshot, worded_matrix(snapshot))
    assert len(pdf.content) < 90_000, len(pdf.content)


def test_the_same_round_gives_the_same_bytes() -> None:
    """No creation date in a Typst PDF (WeasyPrint's had none either): two replicas that
    publish a round at once, or one that publishes it again, make the same documents."""
    snapshot = synthetic(1, 4, seed=5)
    matrix = worded_matrix(snapshot)
    sheet = render_sheet_pdf(snapshot, matrix).content
    table = render_matrix_pdf(matrix, compare(matrix, None, snapshot)).content
    units = synthetic(3, 4, seed=5)
    worded = worded_matrix(units)
    matrix_pdf = render_matrix_pdf(worded, compare(worded, None, units)).content
    for content in (sheet, table, matrix_pdf):
        assert b"/CreationDate" not in content and b"/ModDate" not in content
    assert render_sheet_pdf(snapshot, matrix).content == sheet
    assert render_matrix_pdf(worded, compare(worded, None, units)).content == matrix_pdf


def test_documents_are_written_in_two_threads_at_once() -> None:
    """Two publications compile side by side in threads of one process; a Typst compiler
    may not be used by two threads at once, so each thread has its own."""
    snapshots = [synthetic(1, 60, seed=seed) for seed in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        pdfs = list(pool.map(lambda s: render_sheet_pdf(s, worded_matrix(s)), snapshots))
    assert all(pdf.content.startswith(b"%PDF") and pdf.pages >= 2 for pdf in pdfs)


def test_a_long_web_address_breaks_inside_its_cell(tmp_path: Path) -> None:
    """A run no line can hold (a web address in a remark, a path in a title) breaks
    anywhere, as CSS's overflow-wrap let it, rather than run off the page; its text is
    still the address as typed."""
    address = "https://eksempel.dk/" + "abcdefghij" * 12
    snapshot = synthetic(1, 3, seed=4)
    group, *groups = snapshot.groups
    first, *rest = group.milestones
    group = replace(group, milestones=(replace(first, title=f"Se {address}"), *rest))
    answers = tuple(replace(answer, remark=f"Se {address} og mere") for answer in snapshot.answers)
    snapshot = make_snapshot(
        snapshot.programme, snapshot.round, snapshot.units, (group, *groups), answers
    )
    matrix = worded_matrix(snapshot)
    for number, content in enumerate(
        (
            render_sheet_pdf(snapshot, matrix).content,
            render_matrix_pdf(matrix, compare(matrix, None, snapshot)).content,
        )
    ):
        text = " ".join(pages_text(content, tmp_path))
        assert text.replace(" ", "").count(address) >= 3
        folder = tmp_path / str(number)
        folder.mkdir()
        page = render_page(content, folder, 1, 40, gray=True)
        width, height = page.size
        margin = int(width * (297 - 11) / 297)  # the right margin, less a millimetre
        pixels = page.tobytes()
        inked = [
            x for y in range(height) for x in range(margin, width) if pixels[y * width + x] < 200
        ]
        assert inked == [], "text beyond the right margin"


def test_a_row_taller_than_a_page_splits_rather_than_lose_its_end(tmp_path: Path) -> None:
    """Rows are kept whole, but a remark at its limit (3,000 characters) in seed 001's
    narrow remark column, or a long title in the table, is taller than a page: that row
    splits, as WeasyPrint split it, and its last words are printed."""
    words = " ".join(f"Bemærkning nummer {n} om fremdriften." for n in range(100))
    snapshot = _asking(synthetic(1, 3, seed=4), Question.SUB_MILESTONES, Question.READY)
    group, *groups = snapshot.groups
    first, *rest = group.milestones
    group = replace(group, milestones=(replace(first, title=words[:1990] + " TITELSLUT"), *rest))
    answers = tuple(replace(answer, remark=words[:2990] + " SLUT") for answer in snapshot.answers)
    snapshot = make_snapshot(
        snapshot.programme, snapshot.round, snapshot.units, (group, *groups), answers
    )
    matrix = worded_matrix(snapshot)
    assert is_table(matrix)  # one unit: the matrix is seed 004's table
    for pdf in (
        render_sheet_pdf(snapshot, matrix),
        render_matrix_pdf(matrix, compare(matrix, None, snapshot)),
    ):
        text = " ".join(pages_text(pdf.content, tmp_path))
        assert text.count(" SLUT") == 3 and "TITELSLUT" in text
