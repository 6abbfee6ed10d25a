"""The matrix PDF's «Udvikling» (Trend) page: is it getting better or worse?

Plain data (`trend_page`), and in words (`trend_words`) for the Typst template
render/templates/documents/matrix_trend.typ, from the trend of the round's
cells over the programme's last rounds (reporting/trend.py decides every flag; this only
orders and caps). First the cells to watch — worse than the round before, a forecast moved
later round after round, answered on time with a forecast past the baseline, critical
round after round — each named with its milestone and unit, its flags, and its colour and
forecast round by round, the worst news first (worse, slipping, past the baseline,
critical); then the rest in short: per milestone, how many of its other
cells were in each colour, round by round. Both lists are capped so a large programme's
page stays a few pages; what is left out is counted, and the workbook's «Udvikling» sheet
(render/documents/trend_sheet.py) has every cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from render.documents.palette import CRITICAL_SYMBOL, PALETTE, Swatch
from render.i18n import format_day
from reporting.matrix import Matrix
from reporting.snapshot import MilestoneInfo
from reporting.trend import CellTrend, Flag, Point, Trend

WATCH = (Flag.WORSENED, Flag.SLIPPING, Flag.PAST_BASELINE, Flag.CRITICAL)
"""The flags that put a cell among those to watch; a cell only improved is with the rest."""
FLAGGED_LIMIT = 60
"""Cells to watch named on the page; the rest of them are counted."""
REST_LIMIT = 40
"""Milestones in the short list of the rest; the others are counted."""
LATER_SYMBOL = "↗"
"""Beside a forecast that moved later than the round before's."""


@dataclass(frozen=True, slots=True)
class RoundHead:
    name: str
    day: str


@dataclass(frozen=True, slots=True)
class Step:
    """A cell in one round: its colour (a palette key), symbol and forecast; `exists` False
    when the round had no such cell; `later` when its forecast moved later then."""

    colour: str
    symbol: str
    forecast: str
    exists: bool
    later: bool
    critical: bool


@dataclass(frozen=True, slots=True)
class Mark:
    """A flag with what its words need: the run's length (slipping, critical)."""

    kind: str
    rounds: int


@dataclass(frozen=True, slots=True)
class Watched:
    milestone: MilestoneInfo
    unit: str
    baseline: str
    marks: tuple[Mark, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """How many cells were in one colour in one round."""

    swatch: Swatch
    count: int


@dataclass(frozen=True, slots=True)
class RestLine:
    milestone: MilestoneInfo
    cells: int
    rounds: tuple[tuple[Tally, ...], ...]


@dataclass(frozen=True, slots=True)
class TrendPage:
    rounds: tuple[RoundHead, ...]
    previous: str  # the round before the last, for 'worse than at …'
    watched: tuple[Watched, ...]
    watched_more: int
    rest: tuple[RestLine, ...]
    rest_more: int
    rest_cells: int


def _step(point: Point) -> Step:
    colour = point.colour.value
    cell = point.cell
    return Step(
        colour=colour,
        symbol=PALETTE[colour].symbol,
        forecast=cell.forecast if cell is not None and cell.reported else "",
        exists=cell is not None,
        later=point.later,
        critical=point.critical,
    )


def _marks(cell: CellTrend) -> tuple[Mark, ...]:
    runs = {Flag.SLIPPING: cell.slipped, Flag.CRITICAL: cell.critical_for}
    return tuple(Mark(flag.value, runs.get(flag, 0)) for flag in cell.flags)


def _rest(matrix: Matrix, cells: list[CellTrend], rounds: int) -> RestLine:
    tallies = []
    for position in range(rounds):
        counted: dict[str, int] = {}
        for cell in cells:
            colour = cell.points[position].colour.value
            counted[colour] = counted.get(colour, 0) + 1
        tallies.append(
            tuple(Tally(swatch, counted[key]) for key, swatch in PALETTE.items() if key in counted)
        )
    return RestLine(cells[0].milestone, len(cells), tuple(tallies))


def trend_page(matrix: Matrix, trend: Trend) -> TrendPage:
    """The page's content: the cells to watch, then the rest per milestone, both capped."""
    language = matrix.language
    watched: list[Watched] = []
    rest: dict[str, list[CellTrend]] = {}
    for cell in trend.cells:
        if set(WATCH).intersection(cell.flags):
            watched.append(
                Watched(
                    milestone=cell.milestone,
                    unit=matrix.unit_name(cell.unit.key),
                    baseline=cell.baseline.text if cell.baseline is not None else "",
                    marks=_marks(cell),
                    steps=tuple(_step(point) for point in cell.points),
                )
            )
        else:
            rest.setdefault(cell.milestone.code, []).append(cell)
    # The worst news first: by the first flag each has, in WATCH's order; the matrix's
    # order among those alike (a stable sort).
    watched.sort(
        key=lambda found: min(
            WATCH.index(Flag(mark.kind)) for mark in found.marks if Flag(mark.kind) in WATCH
        )
    )
    lines = [_rest(matrix, cells, len(trend.rounds)) for cells in rest.values()]
    return TrendPage(
        rounds=tuple(
            RoundHead(r.name, format_day(r.date, language) if r.date is not None else "")
            for r in trend.rounds
        ),
        previous=trend.rounds[-2].name if len(trend.rounds) > 1 else "",
        watched=tuple(watched[:FLAGGED_LIMIT]),
        watched_more=max(0, len(watched) - FLAGGED_LIMIT),
        rest=tuple(lines[:REST_LIMIT]),
        rest_more=max(0, len(lines) - REST_LIMIT),
        rest_cells=sum(line.cells for line in lines),
    )


def trend_words(page: TrendPage, t: Callable[..., str]) -> dict[str, Any]:
    """The page as the Typst template's data (render/templates/documents/matrix_trend.typ):
    every word already in the programme's language and nouns."""
    count = len(page.rounds)
    if count > 1:
        first, last = page.rounds[0].name, page.rounds[-1].name
        span = t("documents.trend.span", count=count, first=first, last=last)
    else:
        span = t("documents.trend.first")
    watched = page.watched
    return {
        "title": t("documents.trend.title"),
        "span": span,
        "rounds": [{"name": r.name, "day": r.day} for r in page.rounds],
        "item-column": t("documents.trend.item_column"),
        "unit-column": t("documents.trend.unit_column"),
        "flags-column": t("documents.trend.flags_column"),
        "not-there": t("documents.trend.not_there"),
        "critical": CRITICAL_SYMBOL,
        "later": LATER_SYMBOL,
        "watch-title": t("documents.trend.watch_title", count=len(watched) + page.watched_more),
        "watch-legend": t("documents.trend.watch_legend"),
        "watch-none": t("documents.trend.watch_none"),
        "watched": [_watched_words(cell, page, t) for cell in watched],
        "watch-more": t("documents.trend.watch_more", count=page.watched_more)
        if page.watched_more
        else "",
        "rest-title": t("documents.trend.rest_title", count=page.rest_cells),
        "rest-legend": t("documents.trend.rest_legend"),
        "rest": [
            {
                "label": _label(line.milestone, t),
                "rounds": [
                    [
                        {"colour": c.swatch.colour, "symbol": c.swatch.symbol, "count": c.count}
                        for c in tallies
                    ]
                    for tallies in line.rounds
                ],
            }
            for line in page.rest
        ],
        "rest-more": t("documents.trend.rest_more", count=page.rest_more) if page.rest_more else "",
    }


def _label(milestone: MilestoneInfo, t: Callable[..., str]) -> str:
    return t("documents.milestone", code=milestone.code, title=milestone.title)


def _watched_words(cell: Watched, page: TrendPage, t: Callable[..., str]) -> dict[str, Any]:
    flags = [
        t(
            f"documents.trend.flag.{mark.kind}",
            rounds=mark.rounds,
            previous=page.previous,
            baseline=cell.baseline,
        )
        for mark in cell.marks
    ]
    return {
        "label": _label(cell.milestone, t),
        "unit": cell.unit,
        "flags": flags,
        "steps": [
            {
                "colour": step.colour,
                "symbol": step.symbol,
                "forecast": step.forecast,
                "later": step.later,
                "critical": step.critical,
            }
            if step.exists
            else None
            for step in cell.steps
        ],
    }
