"""The workbook of seed 000's round as a spreadsheet user meets it.

«kritisk» on every critical cell of every sheet, a Kritisk column on the units' sheets,
answer times as dates, group rows, filters, frozen headings, landscape A4 one page wide,
and columns wide enough for Danish words.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from conversations.questions import Question
from models.snapshot import load_snapshot
from render.documents.palette import PALETTE
from render.documents.sheet_layout import header_text, wrapped_lines
from render.documents.xlsx import render_xlsx
from render.words import worded_matrix
from service.comparisons import compile_comparison
from tests.matrix_support import UNITS
from tests.test_documents import seed000
from tests.test_matrix_comparison import two_rounds
from tests.test_publication import synthetic

UNIT_HEADINGS = [
    "Milepæl",
    "Definition",
    "Status",
    "Kritisk",
    "Deadline",
    "Forventet",
    "Bemærkning",
    "Besvaret af",
    "Besvaret",
]


def rows(ws: Worksheet, first: int = 1) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(min_row=first, values_only=True)]


async def test_every_critical_cell_says_kritisk_on_every_sheet(db: str) -> None:
    snapshot, matrix, _ = await seed000()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    critical = {(cell.milestone, cell.unit) for cell in matrix.cells() if cell.critical}
    assert len(critical) == 24
    matrix_ws = book["Matrix"]
    labels = {
        row.milestone.code: f"Milepæl {row.milestone.code} – {row.milestone.title}"
        for group in matrix.groups
        for row in group.rows
    }
    by_label = {str(row[0]).removesuffix(" (indtastet af FUT)"): row for row in rows(matrix_ws, 6)}
    found = 0
    for column, (unit, _) in enumerate(UNITS, start=1):
        sheet = {str(row[0]): row for row in rows(book.worksheets[column], 2)}
        for code, label in labels.items():
            status, flag = sheet[label][2], sheet[label][3]
            on_matrix = str(by_label[label][column])
            if (code, unit) in critical:
                assert "kritisk" in on_matrix, (code, unit)
                assert "kritisk" in str(status), (code, unit, status)
                assert flag == "ja"
                found += 1
            else:
                assert "kritisk" not in on_matrix and "kritisk" not in str(status)
                assert flag is None
    assert found == 24
    answers = book["Svar"]
    flagged = [row for row in rows(answers, 2) if row[4] == "ja"]
    assert {row[0] for row in flagged} == {code for code, _ in critical}


async def test_units_sheets_have_a_kritisk_column_group_rows_and_dates(db: str) -> None:
    snapshot, matrix, _ = await seed000()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    syd = book["Syddanmark"]
    assert [cell.value for cell in syd[1]] == UNIT_HEADINGS
    headings = [
        row for row in range(2, syd.max_row + 1) if syd.cell(row, 1).fill.fgColor.rgb == "00D9E1F2"
    ]
    assert [syd.cell(row, 1).value for row in headings][:2] == [
        "Egne punkter",
        "Milepæl 1: Etablering af styregruppe for landsdelsprogram, herunder udpegning af"
        " projektleder, samt evt. etablering af sekretariat",
    ]
    assert len(headings) == 12
    assert all(syd.row_dimensions[row].outlineLevel == 0 for row in headings)
    members = [row for row in range(2, syd.max_row + 1) if row not in headings]
    assert all(syd.row_dimensions[row].outlineLevel == 1 for row in members)
    assert syd.sheet_properties.outlinePr.summaryBelow is False
    answered = syd.cell(members[2], 9)  # 1.1: imported at 12:00 UTC, 14:00 in Copenhagen
    assert answered.value == datetime(2018, 6, 20, 14, 0)
    assert answered.is_date and answered.number_format == "dd-mm-yyyy hh:mm"
    answers = book["Svar"]
    assert answers.cell(1, 9).value == "Besvaret"
    assert answers.cell(2, 9).value == datetime(2018, 6, 20, 14, 0)
    assert answers.cell(2, 9).is_date


async def test_every_sheet_is_filtered_frozen_and_prints_landscape_a4_one_page_wide(
    db: str,
) -> None:
    snapshot, matrix, _ = await seed000()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    for ws in book.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", ws.PAPERSIZE_A4)
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.auto_filter.ref, ws.title
        assert ws.freeze_panes in ("B6", "B2", "A2"), ws.title
        assert ws.print_title_rows, ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
    assert book["Matrix"].auto_filter.ref == "A5:F48"
    assert book["Matrix"].oddHeader.left.text == "Fremdrift på tværs af landsdelsprogrammerne"
    assert book["Syddanmark"].oddHeader.left.text == "Porteføljestyringsværktøj – Syddanmark"
    assert book["Syddanmark"].auto_filter.ref == "A1:I47"
    assert book["Svar"].freeze_panes == "A2"


async def test_columns_fit_danish_words_and_rows_fit_wrapped_text(db: str) -> None:
    snapshot, matrix, _ = await seed000()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    for ws in book.worksheets:
        first = 5 if ws.title == "Matrix" else 1
        for row in ws.iter_rows(min_row=first):
            for cell in row:
                if isinstance(cell.value, str) and cell.alignment.wrap_text:
                    width = ws.column_dimensions[cell.column_letter].width
                    longest = max(len(word) for word in cell.value.split() or [""])
                    assert width >= longest + 1, (ws.title, cell.coordinate, cell.value)
                    lines = wrapped_lines(cell.value, width)
                    if lines > 1:
                        assert ws.row_dimensions[cell.row].height >= 15 * lines
    matrix_ws = book["Matrix"]
    assert matrix_ws.cell(4, 5).value == "? Ikke indberettet"  # the key, with its swatch
    assert matrix_ws.cell(4, 5).fill.fgColor.rgb == PALETTE["not_reported"].argb


async def test_cells_nobody_answered_are_grey_on_every_sheet(db: str) -> None:
    _, june = await two_rounds()
    snapshot = await load_snapshot(june.id)
    await compile_comparison(june.id)
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, worded_matrix(snapshot))))
    silent = book["Matrix"].cell(7, 2)  # 1.1, Hovedstaden: nobody answered
    assert silent.value == "Ikke indberettet"
    assert silent.fill.fgColor.rgb == PALETTE["not_reported"].argb
    own = book["Hovedstaden"].cell(3, 3)
    assert own.value == "Ikke indberettet"
    assert own.fill.fgColor.rgb == PALETTE["not_reported"].argb


def test_header_text_escapes_excels_codes() -> None:
    assert header_text("A & B") == "A && B"
    assert header_text("x" * 100) == "x" * 79 + "…"


def test_units_sheets_have_seed001s_optional_columns_when_asked() -> None:
    from tests.test_pdf_layout import _asking

    plain = synthetic(2, 3, seed=1)
    asking = _asking(plain, Question.SUB_MILESTONES, Question.READY)
    book = load_workbook(io.BytesIO(render_xlsx(asking, worded_matrix(asking))))
    sheet = book.worksheets[1]
    headings = [cell.value for cell in sheet[1]]
    assert headings == [
        *UNIT_HEADINGS[:4],
        "Evt. delmilepæle",
        "Klar til SKU/DAK",
        *UNIT_HEADINGS[4:],
    ]
    first = [cell.value for cell in sheet[3]]
    assert first[4:6] == ["Delmilepæl A nået", "Marts 2019"]
    assert isinstance(first[-1], datetime)
    plain_book = load_workbook(io.BytesIO(render_xlsx(plain, worded_matrix(plain))))
    assert [cell.value for cell in plain_book.worksheets[1][1]] == UNIT_HEADINGS
