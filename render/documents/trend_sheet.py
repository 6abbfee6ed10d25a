"""The workbook's «Udvikling» (Trend) sheet: every milestone × unit, a column per round.

A row per cell of the round, in the matrix's order (groups, milestones, units): the
milestone, the unit, the trend's flags in words (reporting/trend.py decides them), then
the cell as each round had it — its words and forecast, filled in its colour from the
matrix's palette (render/documents/palette.py), so the sheet reads like the matrix turned
on its side. A round that had no such cell says so on the not-reported grey. Every cell is
here; the PDF's «Udvikling» page names the ones to watch and counts the rest.
"""

from __future__ import annotations

from openpyxl.styles import Font, NamedStyle
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from conversations.vocabulary import Colour
from render.documents.palette import PALETTE
from render.documents.sheet_layout import Bounds, fit_heights, fit_widths, print_setup
from render.documents.xlsx import BOLD, BORDER, FILLS, FONTS, WRAP, _headings, _text
from render.i18n import Catalogue
from render.nouns import nouns_of
from reporting.matrix import Matrix
from reporting.trend import CellTrend, Point, Trend

HEADER_ROW = 3
STYLE_PREFIX = "fremdrift-trend-"
"""The sheet's cells are styled by named styles, one per look: a round's cells number
rows × rounds (180,000 in a 100 × 300 programme over six rounds), and setting a font, fill,
border and alignment on each hashed every style object again — half a minute."""


def _named_styles(book: Workbook) -> dict[tuple[str, bool], str]:
    """The named style of each state (plain and critical), and of labels ('', False) and
    flags ('', True); added to the workbook once."""
    looks: dict[tuple[str, bool], NamedStyle] = {
        ("", False): NamedStyle(STYLE_PREFIX + "label", alignment=WRAP),
        ("", True): NamedStyle(STYLE_PREFIX + "flags", font=BOLD, alignment=WRAP),
    }
    for colour in PALETTE:
        for critical in (False, True):
            name = f"{STYLE_PREFIX}{colour}{'-critical' if critical else ''}"
            looks[(colour, critical)] = NamedStyle(
                name, font=FONTS[(colour, critical)], border=BORDER, alignment=WRAP
            )
            if colour in FILLS:
                looks[(colour, critical)].fill = FILLS[colour]
    known = set(book.named_styles)
    for style in looks.values():
        if style.name not in known:
            book.add_named_style(style)
    return {key: style.name for key, style in looks.items()}


def _flags(cell: CellTrend, trend: Trend, words: Catalogue) -> str:
    previous = trend.rounds[-2].name if len(trend.rounds) > 1 else ""
    runs = {"slipping": cell.slipped, "critical": cell.critical_for}
    baseline = cell.baseline.text if cell.baseline is not None else ""
    return "\n".join(
        words.text(
            f"documents.trend.flag.{flag.value}",
            rounds=runs.get(flag.value, 0),
            previous=previous,
            baseline=baseline,
        )
        for flag in cell.flags
    )


def _point_text(point: Point, words: Catalogue) -> str:
    cell = point.cell
    if cell is None:
        return words.text("documents.trend.not_there")
    if cell.reported and cell.forecast:
        return f"{cell.text}\n{words.text('documents.sheet.forecast', forecast=cell.forecast)}"
    return cell.text


def trend_sheet(ws: Worksheet, matrix: Matrix, trend: Trend, words: Catalogue) -> None:
    """Fill `ws` with the trend of the round's cells over `trend.rounds`."""
    noun = nouns_of(matrix.programme)
    _text(
        ws, 1, 1, f"{matrix.programme.title} – {words.text('documents.trend.title')}"
    ).font = Font(bold=True, size=14)
    count = len(trend.rounds)
    if count > 1:
        span = words.text(
            "documents.trend.span",
            count=count,
            first=trend.rounds[0].name,
            last=trend.rounds[-1].name,
        )
    else:
        span = words.text("documents.trend.first")
    _text(ws, 2, 1, span)
    headings = [
        words.text("documents.trend.item_column", noun=noun),
        words.text("documents.trend.unit_column", noun=noun),
        words.text("documents.trend.flags_column"),
        *(round_.name for round_ in trend.rounds),
    ]
    _headings(ws, HEADER_ROW, headings)
    assert ws.parent is not None
    styles = _named_styles(ws.parent)
    label_style, flags_style = styles[("", False)], styles[("", True)]
    labels: dict[str, str] = {}  # a milestone's label, worded once for all its units
    row = HEADER_ROW + 1
    for cell in trend.cells:
        milestone = cell.milestone
        label = labels.get(milestone.code)
        if label is None:
            label = labels[milestone.code] = words.text(
                "documents.milestone", code=milestone.code, title=milestone.title, noun=noun
            )
        _text(ws, row, 1, label).style = label_style
        _text(ws, row, 2, matrix.unit_name(cell.unit.key)).style = label_style
        _text(ws, row, 3, _flags(cell, trend, words)).style = flags_style
        for column, point in enumerate(cell.points, start=4):
            shown = _text(ws, row, column, _point_text(point, words))
            colour = point.colour if point.cell is not None else Colour.NOT_REPORTED
            shown.style = styles[(colour.value, point.critical)]
        row += 1
    bounds = [Bounds(30, 50), Bounds(12, 20), Bounds(16, 30), *([Bounds(16, 26)] * count)]
    widths = fit_widths(ws, bounds, HEADER_ROW)
    fit_heights(ws, widths, HEADER_ROW)
    print_setup(
        ws,
        words,
        title=matrix.programme.title,
        round_name=matrix.round.name,
        header_row=HEADER_ROW,
        last_column=len(headings),
    )
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=4)
    last = ws.cell(row=HEADER_ROW, column=len(headings)).column_letter
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row - 1, HEADER_ROW)}"
