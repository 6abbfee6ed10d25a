"""The PDFs: the matrix posted to the steering group (seed 000) and the units' sheets (seed 001).

HTML from the autoescaped templates in render/templates/documents/, laid out by WeasyPrint
(render/documents/html.py). The matrix is A4 landscape: a first page for the reader in a
hurry (render/documents/overview.py), then one table per milestone group with the units as
columns; a programme with more than `MAX_UNITS_PER_TABLE` units gets each group's table in
several column slices so every cell stays readable. A group's table moves whole to the next
page rather than split (`break-inside: avoid`); one longer than a page splits between rows
and repeats its heading and units (WeasyPrint repeats <thead>). Every page carries the
programme's title and the round in its top margin, and the key of symbols in its bottom
margin. The full list of changes (changes.html.j2) flows after the matrix when there is an
earlier round or a cell nobody answered; otherwise the first page has said all there is.
The units' sheets are in render/documents/sheets.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from conversations.vocabulary import Colour
from render.documents.html import Pdf, render_template, write_pdf
from render.documents.overview import meeting, overview
from render.documents.sheets import (
    COMBINED_SHEETS_MAX_UNITS,
    SheetGroup,
    SheetLine,
    UnitSheet,
    render_sheet_pdf,
    render_sheets_zip,
    sheet_html,
    unit_sheet,
)
from render.documents.table_pdf import render_table_pdf
from render.documents.trend_page import trend_page
from render.nouns import nouns_of
from render.words import colour_name
from reporting.comparison import Comparison
from reporting.exports import is_table
from reporting.matrix import Matrix
from reporting.snapshot import UnitInfo
from reporting.trend import Trend

MAX_UNITS_PER_TABLE = 6

__all__ = [
    "COMBINED_SHEETS_MAX_UNITS",
    "MAX_UNITS_PER_TABLE",
    "Pdf",
    "SheetGroup",
    "SheetLine",
    "UnitSheet",
    "matrix_html",
    "render_matrix_pdf",
    "render_sheet_pdf",
    "render_sheets_zip",
    "sheet_html",
    "unit_chunks",
    "unit_sheet",
]


def unit_chunks(
    units: Sequence[UnitInfo], limit: int = MAX_UNITS_PER_TABLE
) -> list[list[UnitInfo]]:
    """Units split into as few, as even slices of at most `limit` as possible."""
    if not units:
        return [[]]
    parts = math.ceil(len(units) / limit)
    size = math.ceil(len(units) / parts)
    return [list(units[i : i + size]) for i in range(0, len(units), size)]


def matrix_html(matrix: Matrix, comparison: Comparison, trend: Trend | None = None) -> str:
    language = matrix.language
    chunks = unit_chunks(matrix.units)
    widest = max(len(chunk) for chunk in chunks)
    return render_template(
        "documents/matrix.html.j2",
        language,
        nouns=nouns_of(matrix.programme),
        programme=matrix.programme,
        round=matrix.round,
        meeting=meeting(matrix.round, language),
        steering_group=matrix.programme.steering_group,
        matrix=matrix,
        overview=overview(matrix, comparison),
        unit_chunks=chunks,
        label_width=34 if widest <= 5 else 28,
        comparison=comparison,
        full_changes=comparison.previous is not None or bool(comparison.not_reported),
        unit_name=matrix.unit_name,
        colour=lambda value: colour_name(language, Colour(value)),
        trend_page=trend_page(matrix, trend) if trend is not None and trend.rounds else None,
    )


def render_matrix_pdf(matrix: Matrix, comparison: Comparison, trend: Trend | None = None) -> Pdf:
    """Seed 000: title, meeting line, the first page, a table per group, source; changes;
    with its `trend`, the «Udvikling» page (render/documents/trend_page.py). A round in
    table layout (and every one-unit programme's) is seed 004's table instead."""
    if is_table(matrix):
        return render_table_pdf(matrix, comparison)
    return write_pdf(matrix_html(matrix, comparison, trend))
