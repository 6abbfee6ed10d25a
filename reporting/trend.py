"""The trend of every cell across a programme's rounds: "is it getting better or worse?".

Pure: the matrices of a programme's rounds, oldest first, in; a `Trend` out. The caller
orders the rounds by `Round.date` (service.history does): a round imported late is still
taken in its place by date, and matrices handed in out of date order are refused
(ValueError), never silently compared the wrong way round. `last` keeps only the last N.

The cells are the last round's: its milestones × units, in its order. A round whose matrix
has no such cell (a milestone added mid-history, a unit since added) has a point without a
cell; like a cell nobody answered, it has no status and is never compared.

Every flag is decided here, and nowhere else:
- **worsened** / **improved**: the colour against the round just before, by `COLOUR_RANK`,
  only when both rounds state a colour — a cell not reported or 'nothing stated' in either
  round is never better or worse (the same rule as the comparison, `reporting.comparison`).
- **slipping**: the forecast moved later (its latest day later than the round before's) in
  `SLIP_ROUNDS` or more consecutive rounds up to the last; a round without a forecast, or
  a reached milestone, ends the run.
- **past baseline**: answered on time (started or expected, no delay band) with a forecast
  whose earliest day is after the latest day the milestone's baseline deadline for that
  unit can mean (`MilestoneInfo.deadline_for`): on time by the lead's words, late by the
  plan's. The rule itself is the dialogue's (`conversations.baseline`): the checklist asks
  a lead to confirm such an answer, and the trend flags the cell by the same comparison.
- **critical**: critical in `CRITICAL_ROUNDS` or more consecutive rounds up to the last.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from conversations.baseline import IN_HAND
from conversations.baseline import past_baseline as answered_past_baseline
from conversations.vocabulary import COLOUR_RANK, Colour
from reporting.comparison import UNSTATED
from reporting.matrix import Cell, Matrix
from reporting.snapshot import DeadlineInfo, MilestoneInfo, RoundInfo, UnitInfo

SLIP_ROUNDS = 2
"""A forecast moved later in this many consecutive rounds or more is 'slipping'."""
CRITICAL_ROUNDS = 2
"""Critical in this many consecutive rounds or more is flagged: one round is the matrix's."""


class Change(StrEnum):
    """A colour against the round before."""

    BETTER = "better"
    WORSE = "worse"


class Flag(StrEnum):
    """What a cell's trend says, in the order it is told."""

    WORSENED = "worsened"
    SLIPPING = "slipping"
    PAST_BASELINE = "past_baseline"
    CRITICAL = "critical"
    IMPROVED = "improved"


@dataclass(frozen=True, slots=True)
class Point:
    """A cell in one round; `cell` None: the round's matrix had no such cell."""

    round: RoundInfo
    cell: Cell | None
    change: Change | None = None  # the colour against the round before
    later: bool = False  # the forecast moved later than the round before's
    past_baseline: bool = False

    @property
    def colour(self) -> Colour:
        return self.cell.colour if self.cell is not None else Colour.NOT_REPORTED

    @property
    def critical(self) -> bool:
        return self.cell is not None and self.cell.reported and self.cell.critical


@dataclass(frozen=True, slots=True)
class CellTrend:
    """One milestone × unit across the rounds, oldest first, and what its trend says."""

    milestone: MilestoneInfo
    unit: UnitInfo
    points: tuple[Point, ...]
    slipped: int  # rounds in a row, up to the last, whose forecast moved later
    critical_for: int  # rounds in a row, up to the last, the cell was critical

    @property
    def last(self) -> Point:
        return self.points[-1]

    @property
    def baseline(self) -> DeadlineInfo | None:
        return self.milestone.deadline_for(self.unit.key)

    @property
    def worsened(self) -> bool:
        return self.last.change is Change.WORSE

    @property
    def improved(self) -> bool:
        return self.last.change is Change.BETTER

    @property
    def slipping(self) -> bool:
        return self.slipped >= SLIP_ROUNDS

    @property
    def past_baseline(self) -> bool:
        return self.last.past_baseline

    @property
    def critical(self) -> bool:
        return self.critical_for >= CRITICAL_ROUNDS

    @property
    def flags(self) -> tuple[Flag, ...]:
        raised = {
            Flag.WORSENED: self.worsened,
            Flag.SLIPPING: self.slipping,
            Flag.PAST_BASELINE: self.past_baseline,
            Flag.CRITICAL: self.critical,
            Flag.IMPROVED: self.improved,
        }
        return tuple(flag for flag in Flag if raised[flag])


@dataclass(frozen=True, slots=True)
class Trend:
    """Every cell of the last round across `rounds`, oldest first."""

    rounds: tuple[RoundInfo, ...]
    cells: tuple[CellTrend, ...]
    _index: Mapping[tuple[str, str], CellTrend]

    def cell(self, milestone: str, unit: str) -> CellTrend:
        """The trend of a milestone code and unit key; KeyError when there is none."""
        return self._index[(milestone, unit)]

    def get(self, milestone: str, unit: str) -> CellTrend | None:
        return self._index.get((milestone, unit))

    def flagged(self, *flags: Flag) -> tuple[CellTrend, ...]:
        """The cells with any of `flags` (any flag at all when none is named), in order."""
        wanted = set(flags or Flag)
        return tuple(cell for cell in self.cells if wanted.intersection(cell.flags))


def change(before: Cell | None, after: Cell | None) -> Change | None:
    """Better or worse; None when either round states no colour (not reported, nothing
    stated, no such cell) or the colour is the same."""
    if before is None or after is None or before.colour in UNSTATED or after.colour in UNSTATED:
        return None
    if COLOUR_RANK[after.colour] < COLOUR_RANK[before.colour]:
        return Change.BETTER
    if COLOUR_RANK[after.colour] > COLOUR_RANK[before.colour]:
        return Change.WORSE
    return None


def moved_later(before: Cell | None, after: Cell | None) -> bool:
    """Both rounds answered with a readable forecast, the work is still in hand, and the
    latest day the forecast can mean is now later."""
    return (
        before is not None
        and after is not None
        and before.reported
        and after.reported
        and after.progress in IN_HAND
        and before.forecast_latest is not None
        and after.forecast_latest is not None
        and after.forecast_latest > before.forecast_latest
    )


def past_baseline(cell: Cell | None, baseline: DeadlineInfo | None) -> bool:
    """An answered cell on time by its answer and late by its baseline deadline: the
    dialogue's rule (`conversations.baseline`), which the checklist asks a lead about."""
    return (
        cell is not None
        and baseline is not None
        and cell.reported
        and answered_past_baseline(
            cell.progress, cell.delay, cell.forecast_earliest, baseline.latest
        )
    )


def trend(matrices: Sequence[Matrix], last: int | None = None) -> Trend:
    """The trend of the last matrix's cells across `matrices` (oldest first; only the
    `last` N when given). ValueError when they are of different programmes or not in date
    order; no matrices, no trend (no rounds, no cells)."""
    if last is not None and last < 1:
        raise ValueError(f"last must be at least 1, not {last}")
    _check_order(matrices)
    kept = tuple(matrices[-last:] if last is not None else matrices)
    if not kept:
        return Trend((), (), MappingProxyType({}))
    rows = tuple(_milestones(matrix) for matrix in kept)
    cells = []
    current = kept[-1]
    for group in current.groups:
        for row in group.rows:
            for unit in current.units:
                cells.append(_cell_trend(kept, rows, row.milestone, unit))
    index = {(cell.milestone.code, cell.unit.key): cell for cell in cells}
    return Trend(tuple(m.round for m in kept), tuple(cells), MappingProxyType(index))


def _check_order(matrices: Sequence[Matrix]) -> None:
    for before, after in pairwise(matrices):
        if before.programme.key != after.programme.key:
            raise ValueError(
                f"rounds of two programmes: {before.programme.key}, {after.programme.key}"
            )
        earlier, later = before.round.date, after.round.date
        if earlier is not None and later is not None and later < earlier:
            raise ValueError(
                f"rounds not in date order: {after.round.name} ({later}) after"
                f" {before.round.name} ({earlier})"
            )


def _milestones(matrix: Matrix) -> Mapping[str, MilestoneInfo]:
    return {row.milestone.code: row.milestone for group in matrix.groups for row in group.rows}


def _cell_trend(
    matrices: tuple[Matrix, ...],
    rows: tuple[Mapping[str, MilestoneInfo], ...],
    milestone: MilestoneInfo,
    unit: UnitInfo,
) -> CellTrend:
    points: list[Point] = []
    before: Cell | None = None
    for matrix, milestones in zip(matrices, rows, strict=True):
        cell = matrix.get(milestone.code, unit.key)
        known = milestones.get(milestone.code)
        baseline = known.deadline_for(unit.key) if known is not None else None
        points.append(
            Point(
                round=matrix.round,
                cell=cell,
                change=change(before, cell) if points else None,
                later=moved_later(before, cell) if points else False,
                past_baseline=past_baseline(cell, baseline),
            )
        )
        before = cell
    return CellTrend(
        milestone=milestone,
        unit=unit,
        points=tuple(points),
        slipped=_run(point.later for point in reversed(points)),
        critical_for=_run(point.critical for point in reversed(points)),
    )


def _run(newest_first: Iterator[bool]) -> int:
    """How many in a row are true, from the newest back."""
    count = 0
    for true in newest_first:
        if not true:
            break
        count += 1
    return count
