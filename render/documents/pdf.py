"""The PDFs: the matrix posted to the steering group (seed 000) and the units' sheets (seed 001).

The matrix is a Typst template, render/templates/documents/matrix.typ, with its data from
render/documents/matrix_typst.py (every word from the catalogue); Typst lays out a 100 ×
300 matrix in a tenth of WeasyPrint's time. It is A4 landscape: a first page for the reader
in a hurry (render/documents/overview.py), then one table per milestone group with the
units as columns; a programme with more than `MAX_UNITS_PER_TABLE` units gets each group's
table in several column slices so every cell stays readable. A group's table moves whole to
the next page rather than split; one longer than a page splits between rows and repeats its
heading and units. Every page carries the programme's title and the round in its top
margin, and the key of symbols in its bottom margin. The full list of changes flows after
the matrix when there is an earlier round or a cell nobody answered; otherwise the first
page has said all there is. The units' sheets are in render/documents/sheets.py;
`RoundPdfs` writes a round's matrix and sheets together, in a pool of processes when they
are large (render/documents/pool.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from render.documents.matrix_typst import matrix_source
from render.documents.pool import Pdf, PdfBatch
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
from render.documents.typst_pdf import TypstSource, page_count, write_typst
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
    "matrix_pdf_source",
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


def matrix_pdf_source(
    matrix: Matrix, comparison: Comparison, trend: Trend | None = None
) -> TypstSource:
    """The matrix PDF's Typst template and data: the units in `unit_chunks`; with a `trend`
    of earlier rounds, the «Udvikling» page (render/documents/trend_page.py)."""
    return matrix_source(matrix, comparison, unit_chunks(matrix.units), trend)


def render_matrix_pdf(matrix: Matrix, comparison: Comparison, trend: Trend | None = None) -> Pdf:
    """Seed 000: title, meeting line, the first page, a table per group, source; changes;
    with its `trend`, the «Udvikling» page (render/documents/trend_page.py). A round in
    table layout (and every one-unit programme's) is seed 004's table instead."""
    if is_table(matrix):
        return render_table_pdf(matrix, comparison)
    content = write_typst(matrix_pdf_source(matrix, comparison, trend))
    return Pdf(content=content, pages=page_count(content))


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
            sources: list[TypstSource] = [table_source(matrix, comparison)]
        else:
            per_unit = [[unit] for unit in matrix.units] if self.zipped else [matrix.units]
            sources = [
                matrix_pdf_source(matrix, comparison, trend),
                *(sheet_source(snapshot, matrix, units) for units in per_unit),
            ]
        self._batch = PdfBatch(sources)

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
