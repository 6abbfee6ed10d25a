"""Answers → the units × milestones matrix of seed 000: one cell per unit and milestone.

Pure: a `Snapshot` in, a `Matrix` out, no I/O. A cell is the unit's own answer, else the
answer given for every unit ('*', a reporter's), else not reported (`Colour.NOT_REPORTED`,
apart from a lead's explicit "nothing stated": `Progress.NONE`, `Colour.NONE`). Local items
stay out of the matrix (they belong to their unit's sheet). The words of a cell come from
the `describe` function the caller passes (`render.words.describer`, the catalogue's) and
its colour from `conversations.vocabulary.colour_of`, so the rules live in one place;
`render.words.worded_matrix` compiles a snapshot in its programme's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from conversations.vocabulary import ALL_UNITS, Colour, Delay, Progress, colour_of, effective_delay
from reporting.snapshot import (
    AnswerInfo,
    MilestoneInfo,
    ProgrammeInfo,
    RoundInfo,
    Snapshot,
    UnitInfo,
)

Describe = Callable[[Progress | None, Delay, bool], str]
"""A cell's words from its progress, delay band and critical flag; progress None: not reported."""


class Source(StrEnum):
    """Where a cell's answer came from."""

    UNIT = "unit"  # the unit's own answer
    ALL = "all"  # the answer for every unit (a reporter's)
    NONE = "none"  # nothing stored: the cell is not reported


@dataclass(frozen=True, slots=True)
class Cell:
    milestone: str
    unit: str
    progress: Progress
    delay: Delay
    critical: bool
    forecast: str
    forecast_earliest: date | None
    forecast_latest: date | None
    remark: str
    colour: Colour
    text: str
    source: Source
    answered_by: str | None
    answered_at: datetime | None
    late: bool
    status: str = ""  # the typed answers to a programme's own questions (reporting.snapshot)
    economy: str = ""
    sub_milestones: str = ""
    ready: str = ""
    ready_earliest: date | None = None
    ready_latest: date | None = None

    @property
    def stated(self) -> bool:
        """Someone answered with a status (not 'nothing stated', not unreported)."""
        return self.progress is not Progress.NONE

    @property
    def reported(self) -> bool:
        """Someone answered at all; a cell nobody answered is never compared as a change."""
        return self.source is not Source.NONE


@dataclass(frozen=True, slots=True)
class Row:
    """One milestone with its cells in the units' order."""

    milestone: MilestoneInfo
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class MatrixGroup:
    number: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    programme: ProgrammeInfo
    round: RoundInfo
    units: tuple[UnitInfo, ...]
    groups: tuple[MatrixGroup, ...]
    _index: Mapping[tuple[str, str], Cell]
    _names: Mapping[str, str]

    @property
    def language(self) -> str:
        return self.programme.language

    def cell(self, milestone: str, unit: str) -> Cell:
        """The cell for a milestone code and unit key; KeyError when there is none."""
        return self._index[(milestone, unit)]

    def get(self, milestone: str, unit: str) -> Cell | None:
        return self._index.get((milestone, unit))

    def cells(self) -> Iterator[Cell]:
        """Every cell, group by group, row by row, unit by unit."""
        for group in self.groups:
            for row in group.rows:
                yield from row.cells

    def counts(self) -> dict[Colour, int]:
        """How many cells of each colour (every colour present, zero included); not reported
        is a colour of its own, counted apart from 'nothing stated'."""
        counted = Counter(cell.colour for cell in self.cells())
        return {colour: counted.get(colour, 0) for colour in Colour}

    def unit_name(self, key: str) -> str:
        """The unit's name; its key when the programme no longer has it."""
        return self._names.get(key, key)


def resolve(snapshot: Snapshot, milestone: str, unit: str) -> tuple[AnswerInfo | None, Source]:
    """The answer that holds for a unit: its own, else the one for every unit, else none."""
    own = snapshot.answer(milestone, unit)
    if own is not None:
        return own, Source.UNIT
    common = snapshot.answer(milestone, ALL_UNITS)
    if common is not None:
        return common, Source.ALL
    return None, Source.NONE


def make_cell(
    describe: Describe, milestone: str, unit: str, answer: AnswerInfo | None, source: Source
) -> Cell:
    """A cell from the answer that holds for it (None: nobody answered, not reported)."""
    if answer is None:
        return Cell(
            milestone=milestone,
            unit=unit,
            progress=Progress.NONE,
            delay=Delay.ON_TIME,
            critical=False,
            forecast="",
            forecast_earliest=None,
            forecast_latest=None,
            remark="",
            colour=Colour.NOT_REPORTED,
            text=describe(None, Delay.ON_TIME, False),
            source=source,
            answered_by=None,
            answered_at=None,
            late=False,
        )
    delay = effective_delay(answer.progress, answer.delay)
    return Cell(
        milestone=milestone,
        unit=unit,
        progress=answer.progress,
        delay=delay,
        critical=answer.critical,
        forecast=answer.forecast_text,
        forecast_earliest=answer.forecast_earliest,
        forecast_latest=answer.forecast_latest,
        remark=answer.remark,
        colour=colour_of(answer.progress, delay),
        text=describe(answer.progress, delay, answer.critical),
        source=source,
        answered_by=answer.answered_by,
        answered_at=answer.answered_at,
        late=answer.late,
        status=answer.status,
        economy=answer.economy,
        sub_milestones=answer.sub_milestones,
        ready=answer.ready_text,
        ready_earliest=answer.ready_earliest,
        ready_latest=answer.ready_latest,
    )


def compile_matrix(snapshot: Snapshot, describe: Describe) -> Matrix:
    """The matrix of a round: groups and units in the programme's order."""
    index: dict[tuple[str, str], Cell] = {}
    groups = []
    for group in snapshot.groups:
        rows = []
        for milestone in group.milestones:
            cells = []
            for unit in snapshot.units:
                answer, source = resolve(snapshot, milestone.code, unit.key)
                cell = make_cell(describe, milestone.code, unit.key, answer, source)
                index[(milestone.code, unit.key)] = cell
                cells.append(cell)
            rows.append(Row(milestone, tuple(cells)))
        groups.append(MatrixGroup(group.number, group.title, tuple(rows)))
    return Matrix(
        programme=snapshot.programme,
        round=snapshot.round,
        units=snapshot.units,
        groups=tuple(groups),
        _index=MappingProxyType(index),
        _names=MappingProxyType({unit.key: unit.name for unit in snapshot.units}),
    )


def local_cells(
    snapshot: Snapshot, unit: str, describe: Describe
) -> tuple[tuple[MilestoneInfo, Cell], ...]:
    """A unit's local items with their cells, for its sheet (never part of the matrix)."""
    return tuple(
        (item, make_cell(describe, item.code, unit, *resolve(snapshot, item.code, unit)))
        for item in snapshot.local_items.get(unit, ())
    )
