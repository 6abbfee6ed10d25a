"""The units' sheets (seed 001): one unit's status, milestone by milestone, as a PDF.

Seed 001 is titled «Porteføljestyringsværktøj» and has six columns: the milestone with
its definition, its status, sub-milestones, when it is expected ready for the steering
committees (SKU/DAK), the deadline as written, and remarks. Sub-milestones and the SKU/DAK
date are questions a programme may ask (`OPTIONAL_FIELDS`, conversations/questions.py); a
sheet has their columns only when its programme asks them (`sheet_columns`), headed by the
programme's label for the question, else by seed 001's words. A unit's own items come
first, under «Egne punkter».

Each group is a table of its own whose head (the column headings, then the group's
heading) repeats on a continuation page; a group moves whole to the next page rather than
split, unless it is longer than a page, so a heading never stands alone at a page's foot.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from conversations.questions import Question
from conversations.vocabulary import Colour
from render.documents.html import Pdf, render_template, write_pdf, write_pdfs
from render.documents.overview import meeting
from render.i18n import catalogue
from render.nouns import nouns_of
from render.words import describer, own_nouns, sheet_status_of
from reporting.matrix import Cell, Matrix, local_cells, resolve
from reporting.snapshot import DeadlineInfo, MilestoneInfo, ProgrammeInfo, Snapshot, UnitInfo

COMBINED_SHEETS_MAX_UNITS = 12
"""Up to this many units, every sheet goes in one PDF; beyond, a ZIP of one PDF per unit,
so memory stays that of one unit's sheet (WeasyPrint holds a whole document's layout) and
the units' PDFs are written in parallel (render/documents/html.py)."""

SUB_MILESTONES = Question.SUB_MILESTONES.value
READY_FOR_STEERING = Question.READY.value
OPTIONAL_FIELDS = (SUB_MILESTONES, READY_FOR_STEERING)
"""Seed 001's two answer fields that a programme asks for, or not."""


@dataclass(frozen=True, slots=True)
class SheetColumn:
    field: str  # what the column shows: milestone, status, an optional field, deadline, remark
    heading: str  # its heading's catalogue key under documents.sheet
    width: int  # per cent of the table


_MILESTONE = SheetColumn("milestone", "milestone_column", 36)
_STATUS = SheetColumn("status", "status_column", 17)
_DEADLINE = SheetColumn("deadline", "deadline_column", 15)
_REMARK = SheetColumn("remark", "remark_column", 32)
_SIX = (
    SheetColumn("milestone", "milestone_column", 27),
    SheetColumn("status", "status_column", 14),
    SheetColumn(SUB_MILESTONES, "sub_milestones_column", 12),
    SheetColumn(READY_FOR_STEERING, "ready_column", 12),
    SheetColumn("deadline", "deadline_column", 12),
    SheetColumn("remark", "remark_column", 23),
)


def sheet_columns(asked: Collection[str] = ()) -> tuple[SheetColumn, ...]:
    """Seed 001's columns: all six when both optional fields are asked, else without those
    not asked (the freed width goes to the milestone and the remarks)."""
    if all(field in asked for field in OPTIONAL_FIELDS):
        return _SIX
    extra = tuple(
        column for column in _SIX if column.field in OPTIONAL_FIELDS and column.field in asked
    )
    if not extra:
        return (_MILESTONE, _STATUS, _DEADLINE, _REMARK)
    return (
        SheetColumn("milestone", "milestone_column", 32),
        SheetColumn("status", "status_column", 15),
        *extra,
        SheetColumn("deadline", "deadline_column", 13),
        SheetColumn("remark", "remark_column", 28),
    )


def asked_fields(programme: ProgrammeInfo) -> tuple[str, ...]:
    """The optional columns the programme asks for, in seed 001's order."""
    return tuple(field for field in OPTIONAL_FIELDS if field in programme.questions)


@dataclass(frozen=True, slots=True)
class SheetLine:
    milestone: MilestoneInfo
    cell: Cell
    status: str
    detail: str
    deadline: DeadlineInfo | None
    own: bool = False  # one of the unit's own items
    optional: tuple[tuple[str, str], ...] = ()  # (field, answer) of the questions asked


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


def optional_answers(snapshot: Snapshot, code: str, unit: str) -> dict[str, str]:
    """The answers to seed 001's optional questions that hold for a unit's item (its own
    answer, else the one for every unit), by field; '' where none is given."""
    answer, _ = resolve(snapshot, code, unit)
    if answer is None:
        return {SUB_MILESTONES: "", READY_FOR_STEERING: ""}
    return {SUB_MILESTONES: answer.sub_milestones, READY_FOR_STEERING: answer.ready_text}


def _line(
    snapshot: Snapshot, milestone: MilestoneInfo, cell: Cell, unit: str, own: bool = False
) -> SheetLine:
    language = snapshot.programme.language
    late_or_critical = cell.stated and (cell.colour is not Colour.GREEN or cell.critical)
    answers = optional_answers(snapshot, milestone.code, unit)
    return SheetLine(
        milestone=milestone,
        cell=cell,
        status=sheet_status_of(language, cell),
        detail=cell.text if late_or_critical else "",
        deadline=milestone.deadline_for(unit),
        own=own,
        optional=tuple((field, answers[field]) for field in asked_fields(snapshot.programme)),
    )


def unit_sheet(snapshot: Snapshot, matrix: Matrix, unit: UnitInfo) -> UnitSheet:
    """What seed 001 shows for one unit: its own items first, then every milestone."""
    describe = describer(matrix.language, own_nouns(matrix.programme))
    return UnitSheet(
        unit=unit,
        local=tuple(
            _line(snapshot, item, cell, unit.key, own=True)
            for item, cell in local_cells(snapshot, unit.key, describe)
        ),
        groups=tuple(
            SheetGroup(
                group.number,
                group.title,
                tuple(
                    _line(
                        snapshot, row.milestone, matrix.cell(row.milestone.code, unit.key), unit.key
                    )
                    for row in group.rows
                ),
            )
            for group in matrix.groups
        ),
    )


def _heading(programme: ProgrammeInfo, column: SheetColumn, language: str) -> str:
    """An optional column's heading is the programme's label for its question, if any."""
    label = programme.label_of(column.field, language) if column.field in OPTIONAL_FIELDS else None
    return label or catalogue(language).text(f"documents.sheet.{column.heading}")


def sheet_html(
    snapshot: Snapshot,
    matrix: Matrix,
    units: Sequence[UnitInfo],
    asked: Collection[str] | None = None,
) -> str:
    """The sheets' HTML; `asked`: the optional columns, by default those the programme asks."""
    language = matrix.language
    programme = matrix.programme
    columns = sheet_columns(asked_fields(programme) if asked is None else asked)
    return render_template(
        "documents/sheet.html.j2",
        language,
        nouns=nouns_of(programme),
        programme=matrix.programme,
        round=matrix.round,
        meeting=meeting(matrix.round, language),
        steering_group=matrix.programme.steering_group,
        columns=columns,
        headings=[_heading(programme, column, language) for column in columns],
        sheets=[unit_sheet(snapshot, matrix, unit) for unit in units],
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
    return write_pdf(sheet_html(snapshot, matrix, units))


def render_sheets_zip(snapshot: Snapshot, matrix: Matrix, workers: int | None = None) -> bytes:
    """Every unit's sheet as its own PDF (named by the unit's key) in one ZIP archive,
    written by `workers` processes (default: one per core; 1: in this process)."""
    htmls = [sheet_html(snapshot, matrix, [unit]) for unit in matrix.units]
    return zipped_sheets(matrix.units, write_pdfs(htmls, workers))


def zipped_sheets(units: Sequence[UnitInfo], contents: Sequence[bytes]) -> bytes:
    """The units' sheet PDFs, in the units' order, in one ZIP archive named by unit key."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for unit, content in zip(units, contents, strict=True):
            archive.writestr(f"{unit.key}.pdf", content)
    return out.getvalue()
