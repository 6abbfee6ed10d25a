"""The workbook: the matrix with its colours, one sheet per unit like seed 001, every answer.

Any text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is
stored as a string cell: openpyxl turns a value starting with '=' into a formula unless
the cell's type is set back to string, which `_text` does for every piece of user text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from conversations.vocabulary import ALL_UNITS, Colour
from render.i18n import Catalogue, catalogue, format_moment
from render.words import colour_name, describer, sheet_status
from reporting.matrix import Matrix, local_cells
from reporting.snapshot import Snapshot
from reporting.tables import FORMULA_STARTS

FILLS = {
    Colour.GREEN: PatternFill("solid", fgColor="C6EFCE"),
    Colour.YELLOW: PatternFill("solid", fgColor="FFEB9C"),
    Colour.RED: PatternFill("solid", fgColor="FFC7CE"),
}
GROUP_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _text(ws: Worksheet, row: int, column: int, value: str) -> XlCell:
    """A string cell that stays a string, whatever it starts with."""
    cell: XlCell = ws.cell(row=row, column=column)
    cell.value = value
    if value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (≤31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("-", name).strip("'") or "-"
    candidate = base[:SHEET_NAME_MAX]
    number = 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def _matrix_sheet(ws: Worksheet, matrix: Matrix, words: Catalogue) -> None:
    programme = matrix.programme
    _text(ws, 1, 1, programme.title).font = Font(bold=True, size=14)
    _text(ws, 2, 1, words.text("documents.submitted", round=matrix.round.name))
    _text(ws, 3, 1, words.text("documents.legend"))
    header = 5
    _text(ws, header, 1, words.text("documents.workbook.milestone")).font = BOLD
    for column, unit in enumerate(matrix.units, start=2):
        cell = _text(ws, header, column, unit.name)
        cell.font = BOLD
        cell.alignment = WRAP
    row = header + 1
    for group in matrix.groups:
        cell = _text(
            ws, row, 1, words.text("documents.group", number=group.number, title=group.title)
        )
        cell.font = BOLD
        for column in range(1, len(matrix.units) + 2):
            ws.cell(row=row, column=column).fill = GROUP_FILL
        row += 1
        for line in group.rows:
            milestone = line.milestone
            label = words.text("documents.milestone", code=milestone.code, title=milestone.title)
            if milestone.reporter:
                label += " " + words.text("documents.answered_by", reporter=milestone.reporter)
            _text(ws, row, 1, label).alignment = WRAP
            for column, matrix_cell in enumerate(line.cells, start=2):
                cell = _text(ws, row, column, matrix_cell.text)
                cell.alignment = WRAP
                cell.border = BORDER
                if matrix_cell.colour in FILLS:
                    cell.fill = FILLS[matrix_cell.colour]
                if matrix_cell.critical:
                    cell.font = BOLD
            row += 1
    if programme.source:
        _text(ws, row + 1, 1, words.text("documents.source", source=programme.source))
    _widths(ws, [48, *([18] * len(matrix.units))])
    ws.freeze_panes = ws.cell(row=header + 1, column=2)


def _unit_sheet(
    ws: Worksheet, snapshot: Snapshot, matrix: Matrix, unit: str, words: Catalogue
) -> None:
    language = matrix.language
    columns = (
        "documents.workbook.milestone",
        "documents.workbook.definition",
        "documents.workbook.status",
        "documents.workbook.deadline",
        "documents.workbook.forecast",
        "documents.workbook.remark",
        "documents.workbook.answered_by",
    )
    for column, key in enumerate(columns, start=1):
        _text(ws, 1, column, words.text(key)).font = BOLD
    row = 2
    items = list(local_cells(snapshot, unit, describer(snapshot.programme.language)))
    for group in matrix.groups:
        for line in group.rows:
            items.append((line.milestone, matrix.cell(line.milestone.code, unit)))
    for milestone, cell in items:
        deadline = milestone.deadline_for(unit)
        values = (
            words.text("documents.milestone", code=milestone.code, title=milestone.title),
            milestone.definition,
            sheet_status(language, cell.progress)
            + ("" if cell.colour is Colour.GREEN or not cell.stated else f" – {cell.text}"),
            deadline.text if deadline else "",
            cell.forecast,
            cell.remark,
            milestone.reporter or cell.answered_by or "",
        )
        for column, value in enumerate(values, start=1):
            _text(ws, row, column, value).alignment = WRAP
        if cell.colour in FILLS:
            ws.cell(row=row, column=3).fill = FILLS[cell.colour]
        row += 1
    _widths(ws, [40, 50, 22, 18, 18, 50, 18])
    ws.freeze_panes = "B2"


def _answers_sheet(ws: Worksheet, snapshot: Snapshot, words: Catalogue) -> None:
    language, tz = snapshot.programme.language, snapshot.programme.timezone
    columns = (
        "milestone",
        "unit",
        "progress",
        "delay",
        "critical",
        "forecast",
        "remark",
        "answered_by",
        "answered_at",
        "late",
    )
    for column, key in enumerate(columns, start=1):
        _text(ws, 1, column, words.text(f"documents.workbook.{key}")).font = BOLD
    yes, no = words.text("documents.workbook.yes"), words.text("documents.workbook.no")
    names = {unit.key: unit.name for unit in snapshot.units}
    for row, answer in enumerate(snapshot.answers, start=2):
        unit = (
            words.text("documents.workbook.all_units")
            if answer.scope == ALL_UNITS
            else names.get(answer.scope, answer.scope)
        )
        values = (
            answer.milestone,
            unit,
            sheet_status(language, answer.progress),
            answer.delay.value,
            yes if answer.critical else no,
            answer.forecast_text,
            answer.remark,
            answer.answered_by or "",
            format_moment(answer.answered_at, language, tz),
            yes if answer.late else no,
        )
        for column, value in enumerate(values, start=1):
            _text(ws, row, column, value).alignment = WRAP
    _widths(ws, [12, 16, 16, 10, 8, 20, 50, 20, 22, 8])
    ws.freeze_panes = "A2"


def render_xlsx(snapshot: Snapshot, matrix: Matrix) -> bytes:
    """The workbook as bytes: Matrix, one sheet per unit, then every answer."""
    words = catalogue(matrix.language)
    book = Workbook()
    taken: set[str] = set()
    matrix_ws = book.active
    assert matrix_ws is not None
    matrix_ws.title = sheet_name(words.text("documents.workbook.matrix_sheet"), taken)
    _matrix_sheet(matrix_ws, matrix, words)
    answers_name = words.text("documents.workbook.answers_sheet")
    taken.add(answers_name.lower())
    for unit in matrix.units:
        ws = book.create_sheet(sheet_name(unit.name, taken))
        _unit_sheet(ws, snapshot, matrix, unit.key, words)
    taken.discard(answers_name.lower())
    _answers_sheet(book.create_sheet(sheet_name(answers_name, taken)), snapshot, words)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["colour_name", "render_xlsx", "sheet_name"]
