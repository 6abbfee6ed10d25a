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
The units' sheets are in render/documents/sheets.py; `RoundPdfs` writes a round's matrix
and sheets together, in a pool of processes when they are large (render/documents/html.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from conversations.vocabulary import Colour
from render.documents.html import Pdf, PdfBatch, PdfSource, render_template, write_pdf
from render.documents.overview import meeting, overview
from render.documents.sheets import (
    COMBINED_SHEETS_MAX_UNITS,
    SheetGroup,
    SheetLine,
    UnitSheet,
    render_sheet_pdf,
    render_sheets_zip,
    sheet_source,
    unit_sheet,
    zipped_sheets,
)
from render.documents.table_pdf import render_table_pdf, table_source
from render.documents.trend_page import trend_page
from render.nouns import nouns_of
from render.words import colour_name
from reporting.comparison import Comparison
from reporting.exports import is_table
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot, UnitInfo
from reporting.trend import Trend

MAX_UNITS_PER_TABLE = 6

__all__ = [
    "COMBINED_SHEETS_MAX_UNITS",
    "MAX_UNITS_PER_TABLE",
    "Pdf",
    "RoundPdfs",
    "SheetGroup",
    "SheetLine",
    "UnitSheet",
    "matrix_html",
    "render_matrix_pdf",
    "render_sheet_pdf",
    "render_sheets_zip",
    "sheet_source",
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


class RoundPdfs:
    """A round's matrix PDF (seed 004's table for a round in table layout) and its units'
    sheets — one PDF up to COMBINED_SHEETS_MAX_UNITS units, else a ZIP of a PDF per unit,
    none for a table — written together by one `PdfBatch` while the caller goes on (it
    writes the workbook meanwhile). A context manager, as `PdfBatch` is."""

    def __init__(
        self, snapshot: Snapshot, matrix: Matrix, comparison: Comparison, trend: Trend | None = None
    ) -> None:
        self.table = is_table(matrix)
        self.zipped = not self.table and len(matrix.units) > COMBINED_SHEETS_MAX_UNITS
        self._units = matrix.units
        if self.table:
            htmls: list[PdfSource] = [table_source(matrix, comparison)]
        else:
            per_unit = [[unit] for unit in matrix.units] if self.zipped else [matrix.units]
            htmls = [
                matrix_html(matrix, comparison, trend),
                *(sheet_source(snapshot, matrix, units) for units in per_unit),
            ]
        self._batch = PdfBatch(htmls)

    def results(self) -> tuple[bytes, bytes | None]:
        """The matrix PDF, and the sheets' PDF or ZIP (None for a round in table layout)."""
        matrix_pdf, *sheets = self._batch.results()
        if self.table:
            return matrix_pdf, None
        return matrix_pdf, zipped_sheets(self._units, sheets) if self.zipped else sheets[0]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._batch.__exit__(kind, error, trace)
