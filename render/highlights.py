"""What a publication's summary points out, alike on every platform.

The cells of each colour, the units that flag milestones critical, and the changes since
the round before, each list capped to what one message can show with a count of what was
left out. Slack's summary (render/publication.py) and Teams' (render/teams/views.py) draw
the same lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reporting.comparison import Comparison
from reporting.matrix import Matrix

LIST_LIMIT = 12
CODES_LIMIT = 30
CHANGE_KINDS = (
    "worse",
    "better",
    "newly_stated",
    "no_longer_stated",
    "new_critical",
    "cleared_critical",
    "later_forecasts",
)


@dataclass(frozen=True, slots=True)
class Capped:
    """A list cut to what a message can show, and how many were left out."""

    kind: str
    items: tuple[Any, ...]
    count: int
    more: int


@dataclass(frozen=True, slots=True)
class CriticalUnit:
    name: str
    codes: tuple[str, ...]
    more: int


@dataclass(frozen=True, slots=True)
class UnreportedUnit:
    """A unit's cells nobody answered this round: all of them (`whole`), or these codes."""

    name: str
    codes: tuple[str, ...]
    count: int
    more: int
    whole: bool


def tally(matrix: Matrix) -> dict[str, int]:
    """How many cells of each colour, as the summary's sentences name them."""
    counts = {colour.value: count for colour, count in matrix.counts().items()}
    return {
        "green": counts["green"],
        "yellow": counts["yellow"],
        "red": counts["red"],
        "unstated": counts["none"],
        "not_reported": counts["not_reported"],
    }


def cap(kind: str, items: Sequence[Any], limit: int = LIST_LIMIT) -> Capped:
    return Capped(kind, tuple(items[:limit]), len(items), max(0, len(items) - limit))


def critical_units(matrix: Matrix) -> list[CriticalUnit]:
    """Each unit that flags a milestone critical, with the codes (the first CODES_LIMIT)."""
    found: dict[str, list[str]] = {unit.key: [] for unit in matrix.units}
    for cell in matrix.cells():
        if cell.critical:
            found[cell.unit].append(cell.milestone)
    return [
        CriticalUnit(
            unit.name,
            tuple(found[unit.key][:CODES_LIMIT]),
            max(0, len(found[unit.key]) - CODES_LIMIT),
        )
        for unit in matrix.units
        if found[unit.key]
    ]


def unreported_units(matrix: Matrix, comparison: Comparison) -> list[UnreportedUnit]:
    """Each unit with cells not reported this round, in the programme's order: `whole` when
    none of its milestones was answered, else its codes (the first CODES_LIMIT)."""
    rows = sum(len(group.rows) for group in matrix.groups)
    return [
        UnreportedUnit(
            matrix.unit_name(unit),
            codes[:CODES_LIMIT],
            len(codes),
            max(0, len(codes) - CODES_LIMIT),
            len(codes) == rows,
        )
        for unit, codes in comparison.not_reported_by_unit()
    ]


def changes(comparison: Comparison) -> list[Capped]:
    """The kinds of change there are, in the order the summary names them."""
    return [
        cap(kind, getattr(comparison, kind)) for kind in CHANGE_KINDS if getattr(comparison, kind)
    ]
