"""The channel summary's short «slipping» list: cells whose forecast moved later round after
round (reporting/trend.py decides which), a handful named with their forecasts, the rest
counted — the same list for Slack's summary and Teams' card.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reporting.trend import CellTrend

SLIPPING_LIMIT = 5
"""Slipping cells named in the summary; the rest are counted ("and N more")."""


@dataclass(frozen=True, slots=True)
class Slip:
    """A slipping cell as the summary names it: its forecasts over the run, oldest first."""

    code: str
    unit: str
    rounds: int
    forecasts: tuple[str, ...]


def slips(
    cells: Sequence[CellTrend], unit_name: Callable[[str], str], limit: int = SLIPPING_LIMIT
) -> tuple[tuple[Slip, ...], int]:
    """The first `limit` slipping cells, in the matrix's order, and how many more there are."""
    named = []
    for cell in cells[:limit]:
        run = cell.points[-(cell.slipped + 1) :]
        forecasts = tuple(point.cell.forecast for point in run if point.cell is not None)
        named.append(Slip(cell.milestone.code, unit_name(cell.unit.key), cell.slipped, forecasts))
    return tuple(named), max(0, len(cells) - limit)
