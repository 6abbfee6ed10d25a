"""The round's workbook in table layout (seed 004): one sheet, a row per item.

The same table as the PDF (`render.table_view.table_of`): the item with who answers it,
its standing texts, the status in colour where the programme has a traffic light, the typed
answers; then who answered when. Group headings are rows of their own with the items
outlined under them; the headings are frozen and filtered, and the sheet prints landscape
on A4 one page wide (render/documents/sheet_layout.py). Text that a spreadsheet would run
as a formula is stored as a string cell, as in the matrix's workbook.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from render.documents.palette import PALETTE
from render.documents.sheet_layout import Bounds, fit_heights, fit_widths, outline, print_setup
from render.i18n import catalogue
from render.table_view import LIGHT, Entry, Table, say, table_of
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.tables import FORMULA_STARTS, LocalItems

HEADER_ROW = 4
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
GROUP_FILL = PatternFill("solid", fgColor="D9E1F2")
FILLS = {colour: PatternFill("solid", fgColor=swatch.argb) for colour, swatch in PALETTE.items()}
MOMENT = "%Y-%m-%d %H:%M"  # when an answer was given, in the programme's time zone
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _text(ws: Worksheet, row: int, column: int, value: str) -> XlCell:
    """A string cell that stays a string, whatever it starts with."""
    cell: XlCell = ws.cell(row=row, column=column)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    cell.alignment = WRAP
    return cell


def _entry_text(table: Table, entry: Entry, said: Callable[..., str]) -> str:
    """A column's words in one row: its text, and an answer typed into it under its label."""
    if entry.not_reported:
        return table.not_reported
    added = [said("table.added", label=label, text=text) for label, text in entry.added]
    return "\n\n".join([entry.text, *added]) if added else entry.text


def render_table_xlsx(
    matrix: Matrix, comparison: Comparison | None = None, local: LocalItems = ()
) -> bytes:
    """The table as a workbook of one sheet."""
    table = table_of(matrix, comparison, local)
    language = matrix.language
    said = say(language, table.nouns)
    book = Workbook()
    ws = book.active
    assert ws is not None
    name = _BAD_SHEET_CHARS.sub(" ", table.nouns["document"]).strip()[:SHEET_NAME_MAX]
    ws.title = name or "1"
    _text(ws, 1, 1, table.title).font = Font(bold=True, size=14)
    _text(ws, 2, 1, table.round_name)
    answered = said("table.answered", answered=table.answered, total=table.total)
    _text(ws, 3, 1, answered)
    headings = [column.label for column in table.columns]
    headings += [said("table.code"), said("table.answered_by"), said("table.answered_at")]
    for index, heading in enumerate(headings, start=1):
        cell = _text(ws, HEADER_ROW, index, heading)
        cell.font, cell.fill = BOLD, HEAD_FILL
    number = HEADER_ROW
    zone = ZoneInfo(matrix.programme.timezone)
    outlined: list[int] = []
    answers = {
        (cell.milestone, matrix.unit_name(cell.unit) if len(matrix.units) > 1 else ""): cell
        for cell in matrix.cells()
    }
    for group in table.groups:
        if group.heading:
            number += 1
            cell = _text(ws, number, 1, group.heading)
            cell.font, cell.fill = BOLD, GROUP_FILL
        for row in group.rows:
            number += 1
            outlined.append(number)
            item = row.title + (f"\n{row.unit}" if row.unit else "")
            item += f"\n{row.reporter}" if row.reporter else ""
            _text(ws, number, 1, item)
            for index, (column, entry) in enumerate(
                zip(table.columns[1:], row.entries, strict=True)
            ):
                cell = _text(ws, number, index + 2, _entry_text(table, entry, said))
                if column.kind == LIGHT and entry.colour in FILLS:
                    cell.fill = FILLS[entry.colour]
            answer = answers.get((row.code, row.unit))
            last = len(table.columns)
            _text(ws, number, last + 1, row.code)
            _text(ws, number, last + 2, (answer.answered_by or "") if answer else "")
            moment = answer.answered_at if answer else None
            local_moment = moment.astimezone(zone).strftime(MOMENT) if moment else ""
            _text(ws, number, last + 3, local_moment)
    outline(ws, outlined)
    bounds = [Bounds(24, 40)] + [Bounds(30, 60)] * (len(table.columns) - 1)
    bounds += [Bounds(8, 12), Bounds(10, 24), Bounds(16, 18)]
    widths = fit_widths(ws, bounds, first_row=HEADER_ROW)
    fit_heights(ws, widths, first_row=HEADER_ROW + 1)
    print_setup(
        ws,
        catalogue(language),
        title=table.title,
        round_name=table.round_name,
        header_row=HEADER_ROW,
        last_column=len(headings),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
