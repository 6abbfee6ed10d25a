"""What changed since the last round, and who did not answer: plain data that keeps as JSON.

Pure: two matrices (the previous may be None) and the round's snapshot in, a `Comparison`
out. Cells are matched by milestone code and unit key, so a milestone new since the last
round compares as 'nothing stated' before. A colour going from none to a colour is
'newly stated', from a colour to none 'no longer stated'; otherwise better or worse by
`COLOUR_RANK`. A forecast 'moved later' when both rounds give one and the latest day it
can mean is now later.

Silence is no status: a cell nobody answered this round (`Colour.NOT_REPORTED`) is never
compared, so a region that stays silent never reads as better, worse, no longer stated or
no longer critical; this round's unreported cells are listed apart in `not_reported` (unit
by unit in the programme's order, whether or not there is a previous round). A cell nobody
answered last round had no status then, so an answer now is 'newly stated' from it.
Stored in `Round.comparison` at publication (service.comparisons).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from conversations.vocabulary import COLOUR_RANK, Colour
from reporting.matrix import Matrix
from reporting.snapshot import REPORTER_SCOPE, UNIT_SCOPE, Snapshot

UNSTATED = (Colour.NONE, Colour.NOT_REPORTED)
"""No status to compare with: nothing stated, or nobody answered."""
FORMAT_VERSION = 2
"""2 added `not_reported`; a stored version 1 reads as having none."""


class MissingKind(StrEnum):
    UNIT = "unit"
    REPORTER = "reporter"


@dataclass(frozen=True, slots=True)
class ColourChange:
    milestone: str
    unit: str
    before: Colour
    after: Colour


@dataclass(frozen=True, slots=True)
class CellRef:
    milestone: str
    unit: str


@dataclass(frozen=True, slots=True)
class ForecastMove:
    milestone: str
    unit: str
    before: str
    before_latest: date
    after: str
    after_latest: date


@dataclass(frozen=True, slots=True)
class Missing:
    """A unit or reporter without a submission; `leads` are the people to chase."""

    kind: MissingKind
    key: str
    name: str
    leads: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    round: str
    previous: str | None
    better: tuple[ColourChange, ...] = ()
    worse: tuple[ColourChange, ...] = ()
    newly_stated: tuple[ColourChange, ...] = ()
    no_longer_stated: tuple[ColourChange, ...] = ()
    new_critical: tuple[CellRef, ...] = ()
    cleared_critical: tuple[CellRef, ...] = ()
    later_forecasts: tuple[ForecastMove, ...] = ()
    missing: tuple[Missing, ...] = ()
    not_reported: tuple[CellRef, ...] = ()

    @property
    def changed(self) -> bool:
        """Anything to tell beside who did not answer and what was not reported."""
        return any(
            (
                self.better,
                self.worse,
                self.newly_stated,
                self.no_longer_stated,
                self.new_critical,
                self.cleared_critical,
                self.later_forecasts,
            )
        )

    def not_reported_by_unit(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """This round's unreported cells as (unit key, milestone codes), in their order."""
        units: dict[str, list[str]] = {}
        for ref in self.not_reported:
            units.setdefault(ref.unit, []).append(ref.milestone)
        return tuple((unit, tuple(codes)) for unit, codes in units.items())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = FORMAT_VERSION
        return json.loads(json.dumps(data, default=_encode))  # type: ignore[no-any-return]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        def colours(items: list[dict[str, Any]]) -> tuple[ColourChange, ...]:
            return tuple(
                ColourChange(i["milestone"], i["unit"], Colour(i["before"]), Colour(i["after"]))
                for i in items
            )

        def refs(items: list[dict[str, Any]]) -> tuple[CellRef, ...]:
            return tuple(CellRef(i["milestone"], i["unit"]) for i in items)

        return cls(
            round=data["round"],
            previous=data["previous"],
            better=colours(data["better"]),
            worse=colours(data["worse"]),
            newly_stated=colours(data["newly_stated"]),
            no_longer_stated=colours(data["no_longer_stated"]),
            new_critical=refs(data["new_critical"]),
            cleared_critical=refs(data["cleared_critical"]),
            later_forecasts=tuple(
                ForecastMove(
                    i["milestone"],
                    i["unit"],
                    i["before"],
                    date.fromisoformat(i["before_latest"]),
                    i["after"],
                    date.fromisoformat(i["after_latest"]),
                )
                for i in data["later_forecasts"]
            ),
            missing=tuple(
                Missing(MissingKind(i["kind"]), i["key"], i["name"], tuple(i["leads"]))
                for i in data["missing"]
            ),
            not_reported=refs(data.get("not_reported", [])),
        )

    @classmethod
    def from_json(cls, text: str) -> Comparison:
        return cls.from_dict(json.loads(text))


def _encode(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a comparison")


def missing(snapshot: Snapshot) -> tuple[Missing, ...]:
    """Units and reporters without a submission, in the programme's order.

    An imported round has no submissions: there a unit or reporter counts as having
    answered when the import stated at least one answer in its scope.
    """
    submitted = {submission.scope for submission in snapshot.submissions}
    stated_scopes = {a.scope for a in snapshot.answers} if snapshot.round.imported else set()
    stated_codes = {a.milestone for a in snapshot.answers} if snapshot.round.imported else set()
    found = [
        Missing(MissingKind.UNIT, unit.key, unit.name, unit.leads or unit.deputies)
        for unit in snapshot.units
        if f"{UNIT_SCOPE}{unit.key}" not in submitted and unit.key not in stated_scopes
    ]
    found.extend(
        Missing(MissingKind.REPORTER, reporter.key, reporter.name, (reporter.name,))
        for reporter in snapshot.reporters
        if f"{REPORTER_SCOPE}{reporter.key}" not in submitted
        and not stated_codes.intersection(reporter.milestones)
    )
    return tuple(found)


def not_reported(current: Matrix) -> tuple[CellRef, ...]:
    """This round's cells nobody answered, unit by unit in the programme's order."""
    silent = {(cell.unit, cell.milestone) for cell in current.cells() if not cell.reported}
    codes = [row.milestone.code for group in current.groups for row in group.rows]
    return tuple(
        CellRef(code, unit.key)
        for unit in current.units
        for code in codes
        if (unit.key, code) in silent
    )


def compare(current: Matrix, previous: Matrix | None, snapshot: Snapshot) -> Comparison:
    """The changes from `previous` to `current` (none when there is no previous round)."""
    better: list[ColourChange] = []
    worse: list[ColourChange] = []
    newly: list[ColourChange] = []
    gone: list[ColourChange] = []
    new_critical: list[CellRef] = []
    cleared: list[CellRef] = []
    later: list[ForecastMove] = []
    if previous is not None:
        for cell in current.cells():
            before = previous.get(cell.milestone, cell.unit)
            if not cell.reported:
                continue  # silence is no status: listed in not_reported, never compared
            before_colour = before.colour if before is not None else Colour.NONE
            change = ColourChange(cell.milestone, cell.unit, before_colour, cell.colour)
            if before_colour in UNSTATED:
                if cell.colour is not Colour.NONE:
                    newly.append(change)
            elif cell.colour is Colour.NONE:
                gone.append(change)
            elif COLOUR_RANK[cell.colour] < COLOUR_RANK[before_colour]:
                better.append(change)
            elif COLOUR_RANK[cell.colour] > COLOUR_RANK[before_colour]:
                worse.append(change)
            was_critical = before is not None and before.critical
            if cell.critical and not was_critical:
                new_critical.append(CellRef(cell.milestone, cell.unit))
            elif was_critical and not cell.critical:
                cleared.append(CellRef(cell.milestone, cell.unit))
            if (
                before is not None
                and before.forecast_latest is not None
                and cell.forecast_latest is not None
                and cell.forecast_latest > before.forecast_latest
            ):
                later.append(
                    ForecastMove(
                        cell.milestone,
                        cell.unit,
                        before.forecast,
                        before.forecast_latest,
                        cell.forecast,
                        cell.forecast_latest,
                    )
                )
    return Comparison(
        round=current.round.name,
        previous=previous.round.name if previous is not None else None,
        better=tuple(better),
        worse=tuple(worse),
        newly_stated=tuple(newly),
        no_longer_stated=tuple(gone),
        new_critical=tuple(new_critical),
        cleared_critical=tuple(cleared),
        later_forecasts=tuple(later),
        missing=missing(snapshot),
        not_reported=not_reported(current),
    )
