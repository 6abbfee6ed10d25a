"""A programme's history as plain data: the rounds of the picker, a round with its trend,
and a cell's answer revision by revision with what each revision changed.

`service.history` fills these from the database; `render.history` words them. What a
revision changed is decided here (`mark_changes`), against the revision before it: the
status (progress, delay band and critical flag, which the matrix words as one text), the
forecast as written, the remark. The first revision changes everything it states.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from conversations.vocabulary import Delay, Progress, RoundStatus
from reporting.matrix import Cell, Matrix
from reporting.trend import CellTrend, Trend


class Changed:
    """The parts of an answer a revision can change."""

    STATUS = "status"
    FORECAST = "forecast"
    REMARK = "remark"


@dataclass(frozen=True, slots=True)
class HistoryRound:
    """A round in the picker."""

    id: int
    name: str
    date: date
    status: RoundStatus


@dataclass(frozen=True, slots=True)
class Revision:
    """An answer's values after one change, who made it and when, and what it changed."""

    number: int
    changed_at: datetime
    changed_by: str | None  # None: imported, or the person has since been removed
    source: str  # slack, teams, try, import …
    progress: Progress
    delay: Delay
    critical: bool
    forecast: str
    remark: str
    changed: frozenset[str] = frozenset()

    def parts(self) -> dict[str, object]:
        return {
            Changed.STATUS: (self.progress, self.delay, self.critical),
            Changed.FORECAST: self.forecast,
            Changed.REMARK: self.remark,
        }


def mark_changes(revisions: Iterable[Revision]) -> tuple[Revision, ...]:
    """Each revision (oldest first) with what it changed against the one before; the first
    with its status and whatever else it states."""
    marked: list[Revision] = []
    for revision in revisions:
        parts = revision.parts()
        if not marked:
            changed = {Changed.STATUS} | {name for name, value in parts.items() if value}
        else:
            before = marked[-1].parts()
            changed = {name for name, value in parts.items() if before[name] != value}
        marked.append(replace(revision, changed=frozenset(changed)))
    return tuple(marked)


@dataclass(frozen=True, slots=True)
class RoundHistory:
    """A round's matrix, every round of the history for the picker, the trend up to it."""

    rounds: tuple[HistoryRound, ...]
    matrix: Matrix
    trend: Trend


@dataclass(frozen=True, slots=True)
class CellHistory:
    """One cell of a round: as the matrix shows it, its trend, its answer's revisions."""

    round: RoundHistory
    cell: Cell
    trend: CellTrend
    revisions: tuple[Revision, ...]
