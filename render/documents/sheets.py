"""The units' sheets (seed 001): one unit's status, milestone by milestone, as a PDF.

Seed 001 is titled «Porteføljestyringsværktøj» and has six columns: the milestone with
its definition, its status, sub-milestones, when it is expected ready for the steering
committees (SKU/DAK), the deadline as written, and remarks. Sub-milestones and the SKU/DAK
date are questions a programme may ask (`OPTIONAL_FIELDS`, conversations/questions.py); a
sheet has their columns only when its programme asks them (`sheet_columns`), headed by the
programme's label for the question, else by seed 001's words. A unit's own items come
first, under «Egne punkter».

Each group is a table of its own whose head (the column headings, then the group's
heading) repeats on a continuation page; a row is never split, and a head never stands
alone at a page's foot. Typst lays the sheets out (render/templates/documents/sheet.typ, a
tenth of WeasyPrint's CPU for a 300-row sheet, issue 19): `sheet_data` gives it every word
already translated and every answer as typed, which it shows as text, never as markup.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.questions import Question
from conversations.vocabulary import Colour
from render.documents.overview import meeting_sentence
from render.documents.page_words import page_data
from render.documents.palette import CRITICAL_SYMBOL
from render.documents.pool import Pdf, translator, write_pdfs
from render.documents.typst_pdf import TypstSource, page_count, write_typst
from render.i18n import catalogue
from render.nouns import nouns_of
from render.words import describer, own_nouns, sheet_status_of
from reporting.matrix import Cell, Matrix, local_cells, resolve
from reporting.snapshot import DeadlineInfo, MilestoneInfo, ProgrammeInfo, Snapshot, UnitInfo

COMBINED_SHEETS_MAX_UNITS = 12
"""Up to this many units, every sheet goes in one PDF; beyond, a ZIP of one PDF per unit,
so memory stays that of one unit's sheet (a layout engine holds a whole document's layout)
and the units' PDFs are written in parallel (render/documents/pool.py)."""

SHEET_TEMPLATE = "sheet.typ"

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


def sheet_data(
    snapshot: Snapshot,
    matrix: Matrix,
    units: Sequence[UnitInfo],
    asked: Collection[str] | None = None,
) -> dict[str, Any]:
    """What sheet.typ lays out: every word already translated, every answer as typed;
    `asked`: the optional columns, by default those the programme asks."""
    language = matrix.language
    programme = matrix.programme
    t = translator(language, nouns_of(programme))
    columns = sheet_columns(asked_fields(programme) if asked is None else asked)
    return {
        "lang": language,
        "title": t("documents.sheet.title"),
        "round": matrix.round.name,
        "programme": programme.title,
        "meeting": meeting_sentence(matrix, t),
        **page_data(t),
        "critical_marker": f"{CRITICAL_SYMBOL} {t('documents.critical_marker')}",
        "widths": [column.width for column in columns],
        "headings": [_heading(programme, column, language) for column in columns],
        "units": [
            _unit_data(unit_sheet(snapshot, matrix, unit), programme, columns, t) for unit in units
        ],
    }


def _unit_data(
    sheet: UnitSheet,
    programme: ProgrammeInfo,
    columns: Sequence[SheetColumn],
    t: Callable[..., str],
) -> dict[str, Any]:
    tables: list[tuple[str, Sequence[SheetLine]]] = (
        [(t("documents.sheet.local_items"), sheet.local)] if sheet.local else []
    )
    tables += [
        (t("documents.group", number=group.number, title=group.title), group.lines)
        for group in sheet.groups
    ]
    return {
        "running": t("documents.sheet.running", unit=sheet.unit.name),
        "heading": t(
            "documents.sheet.unit_heading", label=programme.unit_label, unit=sheet.unit.name
        ),
        "tables": [
            {
                "heading": heading,
                "rows": [[_cell(line, column, t) for column in columns] for line in lines],
            }
            for heading, lines in tables
        ],
    }


def _cell(line: SheetLine, column: SheetColumn, t: Callable[..., str]) -> str | dict[str, Any]:
    """One cell of a line, as sheet.typ's `cell-of` reads it: a string, or a dictionary
    for the milestone (label, definition), the status and a deadline with a forecast."""
    milestone, cell = line.milestone, line.cell
    if column.field == "milestone":
        key = "documents.sheet.own_item" if line.own else "documents.milestone"
        return {
            "label": t(key, code=milestone.code, title=milestone.title),
            "definition": milestone.definition,
        }
    if column.field == "status":
        notes = [line.detail] if line.detail else []
        if milestone.reporter:
            notes.append(t("documents.answered_by", reporter=milestone.reporter))
        return {
            "colour": cell.colour.value,
            "critical": cell.critical,
            "text": line.status,
            "notes": notes,
        }
    if column.field == "deadline":
        deadline = line.deadline.text if line.deadline else ""
        if cell.forecast and (line.deadline is None or cell.forecast != deadline):
            return {
                "text": deadline,
                "notes": [t("documents.sheet.forecast", forecast=cell.forecast)],
            }
        return deadline
    if column.field == "remark":
        return cell.remark
    return next((answer for field, answer in line.optional if field == column.field), "")


def sheet_source(
    snapshot: Snapshot,
    matrix: Matrix,
    units: Sequence[UnitInfo],
    asked: Collection[str] | None = None,
) -> TypstSource:
    """The sheets of `units` as a Typst source (sheet.typ and its data), for a `PdfBatch`."""
    return TypstSource.of(SHEET_TEMPLATE, sheet_data(snapshot, matrix, units, asked))


def sheet_pdf(source: TypstSource) -> Pdf:
    """A sheet's PDF and its page count, read from the PDF's page tree (`page_count`)."""
    content = write_typst(source)
    return Pdf(content=content, pages=page_count(content))


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
    return sheet_pdf(sheet_source(snapshot, matrix, units))


def render_sheets_zip(snapshot: Snapshot, matrix: Matrix, workers: int | None = None) -> bytes:
    """Every unit's sheet as its own PDF (named by the unit's key) in one ZIP archive,
    written by `workers` processes (default: one per core; 1: in this process)."""
    sources = [sheet_source(snapshot, matrix, [unit]) for unit in matrix.units]
    return zipped_sheets(matrix.units, write_pdfs(sources, workers))


def zipped_sheets(units: Sequence[UnitInfo], contents: Sequence[bytes]) -> bytes:
    """The units' sheet PDFs, in the units' order, in one ZIP archive named by unit key."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for unit, content in zip(units, contents, strict=True):
            archive.writestr(f"{unit.key}.pdf", content)
    return out.getvalue()
