"""The workbook's page and column set-up: widths that fit the text, heights for wrapped
rows, filters, frozen panes, outline groups, and landscape A4 printing one page wide.

Widths are measured on the cells themselves (the longest line, within each column's
bounds; a column never narrower than its longest word), so Danish words such as
«Porteføljestyringsværktøj» are never cut. Row heights are set from the same estimate of
wrapped lines, so a row of wrapped text is as tall in LibreOffice as in Excel, whatever
either does about heights on opening. Header and footer text is escaped for Excel's
header codes (& starts one), so a programme called «A & B» prints as itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import Outline, PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from render.i18n import Catalogue

LINE_HEIGHT = 15.0
"""Points per line of 11 pt text (Excel's default row height)."""
HEADER_TEXT_MAX = 80
"""Characters of a title in the printed page header (Excel allows 255 for all of it)."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """A column's width bounds, in Excel's units (about one digit of the default font)."""

    least: float
    most: float


def _longest(value: object) -> tuple[int, int]:
    """(longest line, longest word) of a cell's text."""
    if value is None:
        return 0, 0
    return _measure(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=4096)
def _measure(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    words = text.split() or [""]
    return max(len(line) for line in lines), max(len(word) for word in words)


def fit_widths(ws: Worksheet, bounds: Sequence[Bounds], first_row: int = 1) -> list[float]:
    """Each column as wide as its longest line (plus a margin), within its bounds, and
    never narrower than its longest word; returns the widths set."""
    widths = []
    for index, bound in enumerate(bounds, start=1):
        line, word = 0, 0
        for (value,) in ws.iter_rows(
            min_row=first_row, min_col=index, max_col=index, values_only=True
        ):
            longest_line, longest_word = _longest(value)
            line, word = max(line, longest_line), max(word, longest_word)
        width = max(bound.least, min(bound.most, line + 2), word + 2)
        ws.column_dimensions[get_column_letter(index)].width = width
        widths.append(width)
    return widths


def wrapped_lines(value: object, width: float) -> int:
    """How many lines a wrapped cell's text takes in a column of `width` (an estimate that
    errs tall: a line holds a little less than `width` characters, whole words)."""
    if not isinstance(value, str) or value == "":
        return 1
    return _lines(value, max(4.0, width - 2.0))


@lru_cache(maxsize=4096)
def _lines(text: str, per_line: float) -> int:
    return sum(max(1, math.ceil(len(line) * 1.1 / per_line)) for line in text.splitlines())


def fit_heights(ws: Worksheet, widths: Sequence[float], first_row: int = 1) -> None:
    """Rows of wrapped text tall enough for their longest cell; one-line rows left alone.
    Every text cell of these sheets wraps, so the values alone decide (reading each
    cell's style back would cost as much as writing the sheet)."""
    for number, values in enumerate(
        ws.iter_rows(min_row=first_row, max_col=len(widths), values_only=True), start=first_row
    ):
        lines = max(
            (wrapped_lines(value, width) for value, width in zip(values, widths, strict=False)),
            default=1,
        )
        if lines > 1:
            ws.row_dimensions[number].height = lines * LINE_HEIGHT + 2


def outline(ws: Worksheet, rows: Sequence[int]) -> None:
    """Group `rows` one level under the heading row above them (collapsible in Excel)."""
    ws.sheet_properties.outlinePr = Outline(summaryBelow=False, summaryRight=False)
    for row in rows:
        ws.row_dimensions[row].outlineLevel = 1


def header_text(value: str) -> str:
    """Text for a printed header or footer: '&' doubled (Excel's codes start with it), and
    what XML cannot hold dropped, as in the cells (`xlsx._text`): a round's name from before
    text was normalised must not make a workbook that does not open."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    clipped = value if len(value) <= HEADER_TEXT_MAX else value[: HEADER_TEXT_MAX - 1] + "…"
    return clipped.replace("&", "&&")


def print_setup(
    ws: Worksheet,
    words: Catalogue,
    *,
    title: str,
    round_name: str,
    header_row: int,
    last_column: int,
) -> None:
    """Landscape A4, one page wide, the column headings on every page, a filter on the
    table, frozen headings, and the title, round and page numbers in the margins."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.print_title_rows = f"{header_row}:{header_row}"
    last = get_column_letter(last_column)
    ws.auto_filter.ref = f"A{header_row}:{last}{max(ws.max_row, header_row)}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.oddHeader.left.text = header_text(title)
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = header_text(round_name)
    ws.oddHeader.right.size = 9
    before = header_text(words.text("documents.page_before"))
    between = header_text(words.text("documents.page_between"))
    ws.oddFooter.right.text = f"{before} &P {between} &N"
    ws.oddFooter.right.size = 8
