"""The workbook: the matrix with its colours, one sheet per unit like seed 001, every answer.

Every sheet prints landscape on A4 one page wide, with its headings frozen and repeated,
a filter on its table, and columns as wide as their text (render/documents/sheet_layout.py).
Colours are the PDF's (render/documents/palette.py), so they also part in greyscale. A
critical cell says «kritisk» on every sheet: its words on the matrix, its status and the
Kritisk column on a unit's sheet, the Kritisk column of the answers. Answer times are
date cells in the programme's time zone (spreadsheets hold no zone), not text.

Any text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is
stored as a string cell: openpyxl turns a value starting with '=' into a formula unless
the cell's type is set back to string, which `_text` does for every piece of user text.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from conversations.vocabulary import ALL_UNITS, Colour
from render.documents.overview import meeting_sentence
from render.documents.palette import PALETTE
from render.documents.sheet_layout import Bounds, fit_heights, fit_widths, outline, print_setup
from render.documents.sheets import (
    READY_FOR_STEERING,
    SUB_MILESTONES,
    asked_fields,
    optional_answers,
)
from render.documents.table_xlsx import render_table_xlsx
from render.i18n import Catalogue, catalogue
from render.nouns import nouns_of
from render.words import colour_name, describer, own_nouns, sheet_status, sheet_status_of
from reporting.exports import is_table
from reporting.matrix import Cell, Matrix, local_cells
from reporting.snapshot import MilestoneInfo, Snapshot
from reporting.tables import FORMULA_STARTS, local_items
from reporting.trend import Trend

FILLS = {
    colour: PatternFill("solid", fgColor=swatch.argb)
    for colour, swatch in PALETTE.items()
    if colour != Colour.NONE.value
}
"""Cell fills by colour value; 'nothing stated' stays white, as in seed 000."""
FONTS = {
    (colour, bold): Font(bold=bold, color=swatch.ink_argb)
    for colour, swatch in PALETTE.items()
    for bold in (False, True)
}
"""A state's ink, plain and bold (critical), built once: openpyxl hashes every style it is
given, and a new Font per cell doubled the workbook's cost."""
GROUP_FILL = PatternFill("solid", fgColor="D9E1F2")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHEET_NAME_MAX = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MATRIX_HEADER_ROW = 5


def _text(ws: Worksheet, row: int, column: int, value: str) -> XlCell:
    """A string cell that stays a string, whatever it starts with. Characters XML cannot
    hold (openpyxl refuses them) are dropped: text is normalised where it comes in
    (conversations/text.py), so this is the last line of defence, e.g. for older rows."""
    cell: XlCell = ws.cell(row=row, column=column)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


def _moment(
    ws: Worksheet, row: int, column: int, value: datetime | None, tz: str, fmt: str
) -> XlCell:
    """A date cell: the moment in the programme's time zone, without a zone (as
    spreadsheets hold dates), shown in the language's format."""
    cell: XlCell = ws.cell(row=row, column=column)
    if value is not None:
        cell.value = value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        cell.number_format = fmt
    cell.alignment = WRAP
    return cell


def _colour(cell: XlCell, colour: Colour, bold: bool = False) -> None:
    """A cell in a state's fill and ink (bold for a critical one)."""
    if colour.value in FILLS:
        cell.fill = FILLS[colour.value]
    cell.font = FONTS[(colour.value, bold)]


def _headings(ws: Worksheet, row: int, texts: list[str]) -> None:
    for column, text in enumerate(texts, start=1):
        cell = _text(ws, row, column, text)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = WRAP
        cell.border = BORDER


def _group_row(ws: Worksheet, row: int, text: str, columns: int) -> None:
    heading = _text(ws, row, 1, text)
    heading.font = BOLD
    heading.alignment = WRAP
    for column in range(1, columns + 1):
        ws.cell(row=row, column=column).fill = GROUP_FILL


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
    _text(ws, 2, 1, meeting_sentence(matrix, words.text))
    _text(ws, 3, 1, words.text("documents.legend"))
    for column, (colour, swatch) in enumerate(PALETTE.items(), start=1):
        key = _text(ws, 4, column, f"{swatch.symbol} {words.text(f'documents.key.{colour}')}")
        _colour(key, Colour(colour))
        key.border = BORDER
        key.alignment = WRAP
    critical = _text(ws, 4, len(PALETTE) + 1, "⚠ " + words.text("documents.key.critical"))
    critical.font = BOLD
    header = MATRIX_HEADER_ROW
    columns = len(matrix.units) + 1
    _headings(
        ws, header, [words.text("documents.workbook.milestone")] + [u.name for u in matrix.units]
    )
    row = header + 1
    for group in matrix.groups:
        _group_row(
            ws, row, words.text("documents.group", number=group.number, title=group.title), columns
        )
        row += 1
        members = []
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
                _colour(cell, matrix_cell.colour, bold=matrix_cell.critical)
            members.append(row)
            row += 1
        outline(ws, members)
    if programme.source:
        _text(ws, row + 1, 1, words.text("documents.source", source=programme.source))
    bounds = [Bounds(40, 60), *([Bounds(14, 22)] * len(matrix.units))]
    bounds += [Bounds(18, 18)] * max(0, len(PALETTE) + 1 - len(bounds))  # the key's cells
    widths = fit_widths(ws, bounds, header)
    fit_heights(ws, widths, 4)
    print_setup(
        ws,
        words,
        title=programme.title,
        round_name=matrix.round.name,
        header_row=header,
        last_column=max(columns, len(PALETTE) + 1),
    )
    ws.auto_filter.ref = f"A{header}:{ws.cell(row=header, column=columns).column_letter}{row - 1}"


UNIT_COLUMNS = (
    "milestone",
    "definition",
    "status",
    "critical",
    "deadline",
    "forecast",
    "remark",
    "answered_by",
    "answered_at",
)
UNIT_BOUNDS = (
    Bounds(30, 55),
    Bounds(20, 60),
    Bounds(14, 40),
    Bounds(8, 9),
    Bounds(12, 24),
    Bounds(12, 24),
    Bounds(20, 60),
    Bounds(12, 24),
    Bounds(17, 17),
)
OPTIONAL_BOUNDS = {SUB_MILESTONES: Bounds(16, 50), READY_FOR_STEERING: Bounds(12, 24)}
"""Seed 001's optional columns, after Kritisk, when the programme asks them."""


def _status(language: str, cell: Cell) -> str:
    """Seed 001's status word, and the matrix's words when late or critical (they say
    «kritisk»)."""
    status = sheet_status_of(language, cell)
    if cell.stated and (cell.colour is not Colour.GREEN or cell.critical):
        return f"{status} – {cell.text}"
    return status


def _unit_sheet(
    ws: Worksheet, snapshot: Snapshot, matrix: Matrix, unit: str, unit_name: str, words: Catalogue
) -> None:
    language, tz = matrix.language, snapshot.programme.timezone
    date_format = words.text("documents.workbook.date_format")
    yes = words.text("documents.workbook.yes")
    asked = asked_fields(matrix.programme)
    keys = [*UNIT_COLUMNS[:4], *asked, *UNIT_COLUMNS[4:]]
    _headings(ws, 1, [words.text(f"documents.workbook.{key}") for key in keys])
    sections: list[tuple[str, list[tuple[str, MilestoneInfo, Cell]]]] = []
    own = local_cells(snapshot, unit, describer(language, own_nouns(matrix.programme)))
    if own:
        sections.append(
            (
                words.text("documents.sheet.local_items"),
                [
                    (
                        words.text("documents.sheet.own_item", code=item.code, title=item.title),
                        item,
                        cell,
                    )
                    for item, cell in own
                ],
            )
        )
    for group in matrix.groups:
        sections.append(
            (
                words.text("documents.group", number=group.number, title=group.title),
                [
                    (
                        words.text(
                            "documents.milestone",
                            code=line.milestone.code,
                            title=line.milestone.title,
                        ),
                        line.milestone,
                        matrix.cell(line.milestone.code, unit),
                    )
                    for line in group.rows
                ],
            )
        )
    row = 2
    for heading, items in sections:
        _group_row(ws, row, heading, len(keys))
        row += 1
        members = []
        for label, milestone, cell in items:
            deadline = milestone.deadline_for(unit)
            values = (
                label,
                milestone.definition,
                _status(language, cell),
                yes if cell.critical else "",
                *(optional_answers(snapshot, milestone.code, unit)[field] for field in asked),
                deadline.text if deadline else "",
                cell.forecast,
                cell.remark,
                milestone.reporter or cell.answered_by or "",
            )
            for column, value in enumerate(values, start=1):
                _text(ws, row, column, value).alignment = WRAP
            _colour(ws.cell(row=row, column=3), cell.colour, bold=cell.critical)
            if cell.critical:
                ws.cell(row=row, column=4).font = BOLD
            _moment(ws, row, len(values) + 1, cell.answered_at, tz, date_format)
            members.append(row)
            row += 1
        outline(ws, members)
    bounds = [*UNIT_BOUNDS[:4], *(OPTIONAL_BOUNDS[field] for field in asked), *UNIT_BOUNDS[4:]]
    widths = fit_widths(ws, bounds)
    fit_heights(ws, widths)
    print_setup(
        ws,
        words,
        title=words.text("documents.sheet.running", unit=unit_name),
        round_name=matrix.round.name,
        header_row=1,
        last_column=len(keys),
    )


ANSWER_COLUMNS = (
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
ANSWER_BOUNDS = (
    Bounds(10, 14),
    Bounds(12, 24),
    Bounds(12, 24),
    Bounds(10, 12),
    Bounds(8, 9),
    Bounds(14, 24),
    Bounds(20, 60),
    Bounds(14, 24),
    Bounds(17, 17),
    Bounds(8, 9),
)


def _answers_sheet(ws: Worksheet, snapshot: Snapshot, words: Catalogue) -> None:
    language, tz = snapshot.programme.language, snapshot.programme.timezone
    date_format = words.text("documents.workbook.date_format")
    _headings(ws, 1, [words.text(f"documents.workbook.{key}") for key in ANSWER_COLUMNS])
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
        )
        for column, value in enumerate(values, start=1):
            _text(ws, row, column, value).alignment = WRAP
        _moment(ws, row, 9, answer.answered_at, tz, date_format)
        _text(ws, row, 10, yes if answer.late else no)
    widths = fit_widths(ws, ANSWER_BOUNDS)
    fit_heights(ws, widths)
    print_setup(
        ws,
        words,
        title=snapshot.programme.title,
        round_name=snapshot.round.name,
        header_row=1,
        last_column=len(ANSWER_COLUMNS),
    )
    ws.freeze_panes = "A2"


def render_xlsx(snapshot: Snapshot, matrix: Matrix, trend: Trend | None = None) -> bytes:
    """The workbook as bytes: Matrix, (with its `trend`) Udvikling, one sheet per unit,
    then every answer; a round in table layout (every one-unit programme's too) is seed
    004's table, one sheet."""
    if is_table(matrix):
        nouns = own_nouns(matrix.programme)
        return render_table_xlsx(
            matrix, local=local_items(snapshot, describer(matrix.language, nouns))
        )
    words = catalogue(matrix.language).speaking(nouns_of(matrix.programme))  # «Emne 1.1 – …»
    book = Workbook()
    taken: set[str] = set()
    matrix_ws = book.active
    assert matrix_ws is not None
    matrix_ws.title = sheet_name(words.text("documents.workbook.matrix_sheet"), taken)
    _matrix_sheet(matrix_ws, matrix, words)
    if trend is not None and trend.rounds:
        from render.documents.trend_sheet import trend_sheet  # it builds on this module

        trend_name = sheet_name(words.text("documents.trend.sheet"), taken)
        trend_sheet(book.create_sheet(trend_name), matrix, trend, words)
    answers_name = words.text("documents.workbook.answers_sheet")
    taken.add(answers_name.lower())
    for unit in matrix.units:
        ws = book.create_sheet(sheet_name(unit.name, taken))
        _unit_sheet(ws, snapshot, matrix, unit.key, unit.name, words)
    taken.discard(answers_name.lower())
    _answers_sheet(book.create_sheet(sheet_name(answers_name, taken)), snapshot, words)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["colour_name", "render_xlsx", "sheet_name"]
