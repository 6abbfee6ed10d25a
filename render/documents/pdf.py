"""The PDFs: the matrix posted to the steering group (seed 000) and the units' sheets (seed 001).

HTML from the autoescaped templates in render/templates/documents/, laid out by WeasyPrint.
The matrix is A4 landscape, one table per milestone group with the units as columns; a
programme with more than `MAX_UNITS_PER_TABLE` units gets each group's table in several
column slices so every cell stays readable. Rows never split across pages and each
table's header repeats on the next page (WeasyPrint repeats <thead>).
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from weasyprint import HTML

from conversations.vocabulary import Colour
from render.i18n import catalogue
from render.templating import document_environment
from render.words import colour_name, describer, sheet_status
from reporting.comparison import Comparison
from reporting.matrix import Cell, Matrix, local_cells
from reporting.snapshot import DeadlineInfo, MilestoneInfo, Snapshot, UnitInfo

MAX_UNITS_PER_TABLE = 6
COMBINED_SHEETS_MAX_UNITS = 12
"""Up to this many units, every sheet goes in one PDF; beyond, a ZIP of one PDF per unit,
so memory stays that of one unit's sheet (WeasyPrint holds a whole document's layout)."""


@dataclass(frozen=True, slots=True)
class Pdf:
    content: bytes
    pages: int


@dataclass(frozen=True, slots=True)
class SheetLine:
    milestone: MilestoneInfo
    cell: Cell
    status: str
    detail: str
    deadline: DeadlineInfo | None


@dataclass(frozen=True, slots=True)
class SheetGroup:
    number: str
    title: str
    lines: tuple[SheetLine, ...]


@dataclass(frozen=True, slots=True)
class UnitSheet:
    unit: UnitInfo
    local: tuple[SheetLine, ...]
    groups: tuple[SheetGroup, ...]


def unit_chunks(
    units: Sequence[UnitInfo], limit: int = MAX_UNITS_PER_TABLE
) -> list[list[UnitInfo]]:
    """Units split into as few, as even slices of at most `limit` as possible."""
    if not units:
        return [[]]
    parts = math.ceil(len(units) / limit)
    size = math.ceil(len(units) / parts)
    return [list(units[i : i + size]) for i in range(0, len(units), size)]


def _write(html: str) -> Pdf:
    document = HTML(string=html).render()
    return Pdf(content=document.write_pdf(), pages=len(document.pages))


def _translator(language: str) -> Callable[..., str]:
    words = catalogue(language)

    def t(key: str, /, **params: object) -> str:
        return words.text(key, **params)

    return t


def matrix_html(matrix: Matrix, comparison: Comparison) -> str:
    language = matrix.language
    chunks = unit_chunks(matrix.units)
    widest = max(len(chunk) for chunk in chunks)
    return (
        document_environment()
        .get_template("documents/matrix.html.j2")
        .render(
            language=language,
            orientation="landscape",
            t=_translator(language),
            programme=matrix.programme,
            round=matrix.round,
            matrix=matrix,
            unit_chunks=chunks,
            label_width=34 if widest <= 5 else 28,
            comparison=comparison,
            unit_name=matrix.unit_name,
            colour=lambda value: colour_name(language, Colour(value)),
        )
    )


def render_matrix_pdf(matrix: Matrix, comparison: Comparison) -> Pdf:
    """Seed 000: title, meeting line, legend, a table per group, source; then the changes."""
    return _write(matrix_html(matrix, comparison))


def _line(language: str, milestone: MilestoneInfo, cell: Cell, unit: str) -> SheetLine:
    late_or_critical = cell.stated and (cell.colour is not Colour.GREEN or cell.critical)
    return SheetLine(
        milestone=milestone,
        cell=cell,
        status=sheet_status(language, cell.progress),
        detail=cell.text if late_or_critical else "",
        deadline=milestone.deadline_for(unit),
    )


def unit_sheet(snapshot: Snapshot, matrix: Matrix, unit: UnitInfo) -> UnitSheet:
    """What seed 001 shows for one unit: its own items first, then every milestone."""
    language = matrix.language
    return UnitSheet(
        unit=unit,
        local=tuple(
            _line(language, item, cell, unit.key)
            for item, cell in local_cells(snapshot, unit.key, describer(language))
        ),
        groups=tuple(
            SheetGroup(
                group.number,
                group.title,
                tuple(
                    _line(
                        language, row.milestone, matrix.cell(row.milestone.code, unit.key), unit.key
                    )
                    for row in group.rows
                ),
            )
            for group in matrix.groups
        ),
    )


def sheet_html(snapshot: Snapshot, matrix: Matrix, units: Sequence[UnitInfo]) -> str:
    language = matrix.language
    return (
        document_environment()
        .get_template("documents/sheet.html.j2")
        .render(
            language=language,
            orientation="landscape",
            t=_translator(language),
            programme=matrix.programme,
            round=matrix.round,
            sheets=[unit_sheet(snapshot, matrix, unit) for unit in units],
        )
    )


def render_sheet_pdf(snapshot: Snapshot, matrix: Matrix, unit: str | None = None) -> Pdf:
    """Seed 001 for one unit (its key), or for every unit, each from a new page.

    Raises KeyError for a unit key the programme does not have.
    """
    if unit is None:
        units: Sequence[UnitInfo] = matrix.units
    else:
        found = [candidate for candidate in matrix.units if candidate.key == unit]
        if not found:
            raise KeyError(unit)
        units = found
    return _write(sheet_html(snapshot, matrix, units))


def render_sheets_zip(snapshot: Snapshot, matrix: Matrix) -> bytes:
    """Every unit's sheet as its own PDF (named by the unit's key) in one ZIP archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for unit in matrix.units:
            content = _write(sheet_html(snapshot, matrix, [unit])).content
            archive.writestr(f"{unit.key}.pdf", content)
    return out.getvalue()
