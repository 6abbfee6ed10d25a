"""The matrix PDF's first page, for the reader in a hurry: counts, what needs attention, changes.

Plain data from the matrix and its comparison (`overview`), and that data in words from
the catalogue (`overview_words`) for the Typst template (render/templates/documents/
matrix_overview.typ), which holds no words of its own. Lists are capped so the first page
stays a page whatever the programme's size: what was left out is counted, and the full
picture is the matrix and the changes section after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.vocabulary import Colour
from render.documents.palette import CRITICAL_SYMBOL, PALETTE, Swatch
from render.i18n import format_day
from render.words import colour_name
from reporting.comparison import Comparison
from reporting.matrix import Cell, Matrix
from reporting.snapshot import MilestoneInfo, RoundInfo

ATTENTION_LIMIT = 12
"""Milestones listed on the first page (critical-and-late first, then late)."""
UNITS_LIMIT = 10
"""Units named per colour in one milestone's line; the rest are counted."""
CODES_LIMIT = 24
"""Codes of critical milestones on time named on the first page."""
CHANGE_ITEMS_LIMIT = 6
"""Cells named per kind of change on the first page."""
CHANGE_KINDS = (
    "worse",
    "better",
    "newly_stated",
    "no_longer_stated",
    "new_critical",
    "cleared_critical",
    "later_forecasts",
)
LATE = (Colour.RED.value, Colour.YELLOW.value)
"""Late colours, worst first."""

_DATED_NAME = re.compile(r"^(?P<meeting>.+?),\s*(?P<when>\d{1,2}\.?\s+\w+\.?\s+\d{4})$")


@dataclass(frozen=True, slots=True)
class Meeting:
    """A round's name read as seed 000's meeting line: '12. møde' and '20. juni 2018'."""

    name: str
    when: str


def meeting(round_: RoundInfo, language: str) -> Meeting:
    """The meeting and its day: '12. møde, 20. juni 2018' → ('12. møde', '20. juni 2018');
    a name without a day ('12. møde') takes the round's date, in the language's words.

    Seed 000 prints the steering group between the meeting and its day («Indsendt ved 12.
    møde i den fællesoffentlige porteføljestyregruppe … 20. juni 2018»), so a name that
    ends in ', <day> <month> <year>' is read as the two.
    """
    found = _DATED_NAME.match(round_.name.strip())
    if found is not None:
        return Meeting(found["meeting"], found["when"])
    when = format_day(round_.date, language) if round_.date is not None else ""
    return Meeting(round_.name, when)


def meeting_sentence(matrix: Matrix, t: Callable[..., str]) -> str:
    """«Indsendt ved 12. møde i <the steering group> 20. juni 2018.», as the matrix and the
    units' sheets print it under their title, the workbook on its matrix sheet."""
    met = meeting(matrix.round, matrix.language)
    return t(
        "documents.meeting",
        meeting=met.name,
        body=matrix.programme.steering_group,
        when=met.when,
    )


@dataclass(frozen=True, slots=True)
class StateCount:
    swatch: Swatch
    count: int


@dataclass(frozen=True, slots=True)
class UnitsInColour:
    """The units of one milestone in one late colour; `critical` names flagged critical."""

    swatch: Swatch
    names: tuple[str, ...]
    critical: frozenset[str]
    more: int


@dataclass(frozen=True, slots=True)
class Attention:
    """A milestone with late cells; `critical_late` when one of them is critical too."""

    milestone: MilestoneInfo
    critical_late: bool
    colours: tuple[UnitsInColour, ...]


@dataclass(frozen=True, slots=True)
class ChangeLine:
    kind: str
    count: int
    items: tuple[Any, ...]
    more: int


@dataclass(frozen=True, slots=True)
class Overview:
    counts: tuple[StateCount, ...]
    critical: int
    critical_late: tuple[Attention, ...]
    late: tuple[Attention, ...]
    left_out: int
    critical_on_time: tuple[str, ...]
    critical_on_time_more: int
    changes: tuple[ChangeLine, ...]


def _attention(matrix: Matrix, milestone: MilestoneInfo, cells: Sequence[Cell]) -> Attention:
    colours = []
    for colour in LATE:
        late = [cell for cell in cells if cell.colour.value == colour]
        if late:
            names = [matrix.unit_name(cell.unit) for cell in late]
            colours.append(
                UnitsInColour(
                    swatch=PALETTE[colour],
                    names=tuple(names[:UNITS_LIMIT]),
                    critical=frozenset(
                        matrix.unit_name(cell.unit) for cell in late[:UNITS_LIMIT] if cell.critical
                    ),
                    more=max(0, len(names) - UNITS_LIMIT),
                )
            )
    return Attention(
        milestone=milestone,
        critical_late=any(cell.critical for cell in cells if cell.colour.value in LATE),
        colours=tuple(colours),
    )


def overview(matrix: Matrix, comparison: Comparison) -> Overview:
    """The first page's content: every state counted, late milestones, changes in brief."""
    counted = matrix.counts()
    counts = tuple(
        StateCount(swatch, counted.get(Colour(colour), 0)) for colour, swatch in PALETTE.items()
    )
    critical_late: list[Attention] = []
    late: list[Attention] = []
    on_time: list[str] = []
    for group in matrix.groups:
        for row in group.rows:
            late_cells = [cell for cell in row.cells if cell.colour.value in LATE]
            if late_cells:
                found = _attention(matrix, row.milestone, late_cells)
                (critical_late if found.critical_late else late).append(found)
            elif any(cell.critical for cell in row.cells):
                on_time.append(row.milestone.code)
    # Red before yellow within each list; the programme's order otherwise (a stable sort).
    for found_list in (critical_late, late):
        found_list.sort(key=lambda item: item.colours[0].swatch.colour != Colour.RED.value)
    shown_critical = critical_late[:ATTENTION_LIMIT]
    shown_late = late[: max(0, ATTENTION_LIMIT - len(shown_critical))]
    return Overview(
        counts=counts,
        critical=sum(1 for cell in matrix.cells() if cell.critical),
        critical_late=tuple(shown_critical),
        late=tuple(shown_late),
        left_out=len(critical_late) + len(late) - len(shown_critical) - len(shown_late),
        critical_on_time=tuple(on_time[:CODES_LIMIT]),
        critical_on_time_more=max(0, len(on_time) - CODES_LIMIT),
        changes=changes(comparison),
    )


def changes(comparison: Comparison) -> tuple[ChangeLine, ...]:
    """Each kind of change there is, with its count and its first cells."""
    lines = []
    for kind in CHANGE_KINDS:
        items: tuple[Any, ...] = getattr(comparison, kind)
        if items:
            lines.append(
                ChangeLine(
                    kind,
                    len(items),
                    items[:CHANGE_ITEMS_LIMIT],
                    max(0, len(items) - CHANGE_ITEMS_LIMIT),
                )
            )
    return tuple(lines)


COLOUR_MOVES = ("worse", "better", "newly_stated", "no_longer_stated")
"""The kinds of change whose items say the colour before and after."""


def change_item(kind: str, item: Any, t: Callable[..., str], matrix: Matrix) -> str:
    """One changed cell in words: its milestone and unit, and what moved (colour, forecast)."""
    words = t("documents.changes.cell", code=item.milestone, unit=matrix.unit_name(item.unit))
    if kind in COLOUR_MOVES:
        language = matrix.language
        before, after = (colour_name(language, Colour(v)) for v in (item.before, item.after))
        return f"{words}: {t('documents.changes.colour_move', before=before, after=after)}"
    if kind == "later_forecasts":
        moved = t("documents.changes.forecast_move", before=item.before, after=item.after)
        return f"{words}: {moved}"
    return words


def missing_words(comparison: Comparison, t: Callable[..., str]) -> list[str]:
    """Who did not answer, each with the leads of a unit."""
    return [
        f"{item.name} {t('documents.changes.leads', names=', '.join(item.leads))}"
        if item.leads and item.kind.value == "unit"
        else item.name
        for item in comparison.missing
    ]


def overview_words(
    matrix: Matrix, comparison: Comparison, t: Callable[..., str], full_changes: bool
) -> dict[str, Any]:
    """The first page as the Typst template's data (render/templates/documents/
    matrix_overview.typ): every word already in the programme's language and nouns."""
    found = overview(matrix, comparison)
    marker = t("documents.critical_marker").upper()
    attention: list[dict[str, Any]] = [
        {
            "title": t(f"documents.overview.{key}"),
            "items": [_attention_words(item, t) for item in items],
        }
        for key, items in (("critical_late", found.critical_late), ("late", found.late))
        if items
    ]
    if not attention:
        late = t("documents.overview.late")
        attention.append({"title": late, "items": [], "text": t("documents.overview.nothing_late")})
    on_time = ""
    if found.critical_on_time:
        codes = ", ".join(found.critical_on_time)
        on_time = f"{CRITICAL_SYMBOL} {t('documents.overview.critical_on_time', codes=codes)}"
        if found.critical_on_time_more:
            count = found.critical_on_time_more
            on_time += f" {t('documents.overview.codes_more', count=count)}"
    changes: dict[str, Any]
    if comparison.previous is None:
        first = [t("documents.changes.first")]
        changes = {"title": t("documents.changes.title"), "lines": [], "text": first}
    else:
        changes = {
            "title": t("documents.overview.changes", previous=comparison.previous),
            "lines": [_change_line(line, t, matrix) for line in found.changes],
            "text": [] if found.changes else [t("documents.changes.nothing")],
        }
    missing = missing_words(comparison, t)
    return {
        "counts": [
            {
                "colour": state.swatch.colour,
                "count": f"{state.swatch.symbol} {state.count}",
                "label": t(f"documents.key.{state.swatch.colour}"),
            }
            for state in found.counts
        ],
        "critical": {
            "count": f"{CRITICAL_SYMBOL} {found.critical}",
            "label": f"{marker}: {t('documents.key.critical')}",
        },
        "legend": t("documents.legend"),
        "attention": attention,
        "left-out": t("documents.overview.left_out", count=found.left_out)
        if found.left_out
        else "",
        "critical-on-time": on_time,
        "changes": changes,
        "missing": {
            "label": t("documents.changes.missing"),
            "text": "; ".join(missing) if missing else t("documents.changes.everyone"),
        },
        "see-changes": t("documents.overview.see_changes") if full_changes else "",
    }


def _attention_words(item: Attention, t: Callable[..., str]) -> dict[str, Any]:
    return {
        "label": t("documents.milestone", code=item.milestone.code, title=item.milestone.title),
        "colours": [
            {
                "colour": found.swatch.colour,
                "symbol": found.swatch.symbol,
                "names": ", ".join(
                    f"{name} {CRITICAL_SYMBOL}" if name in found.critical else name
                    for name in found.names
                ),
                "more": t("documents.overview.units_more", count=found.more) if found.more else "",
            }
            for found in item.colours
        ],
    }


def _change_line(line: ChangeLine, t: Callable[..., str], matrix: Matrix) -> dict[str, str]:
    return {
        "kind": f"{t(f'documents.changes.{line.kind}')} ({line.count})",
        "items": "; ".join(change_item(line.kind, item, t, matrix) for item in line.items),
        "more": t("documents.overview.more", count=line.more) if line.more else "",
    }
