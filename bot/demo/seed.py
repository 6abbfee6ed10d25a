"""The answers the demo's people give: seed 000 per unit, and one answer per reporter item.

Seed 000 (tests/fixtures/seed000.csv) holds the 32 milestones × 5 regions as published;
Syddanmark's own items come from seed 001 (bot/demo/local_items.csv).

A reporter (FUT) answers its milestones once for every unit: the units' majority, field by
field. Where seed 000 shows a unit differing from it (a `Departure`), the reporter then sets
that unit apart and gives it its own answer, so the published matrix is seed 000's; the
demo's summary names each one.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("progress", "delay", "critical", "forecast", "remark")


@dataclass(frozen=True)
class Given:
    """One answer as a person gives it in the checklist."""

    code: str
    progress: str
    delay: str
    critical: bool
    forecast: str
    remark: str

    def value(self, field: str) -> str:
        value = getattr(self, field)
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class Departure:
    """A unit whose seed answer differs from the one a reporter gives for every unit."""

    code: str
    unit: str
    field: str
    seed: str
    given: str
    unit_name: str = ""


Seed = dict[str, dict[str, Given]]  # unit key -> milestone code -> answer


def read_answers(*paths: Path) -> Seed:
    """Answers by unit and milestone, from CSV files with seed000.csv's columns."""
    seed: Seed = {}
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                seed.setdefault(row["unit"], {})[row["milestone"]] = Given(
                    code=row["milestone"],
                    progress=row["progress"],
                    delay=row["delay"],
                    critical=row["critical"] == "yes",
                    forecast=row["forecast"],
                    remark=row["remark"],
                )
    return seed


def _majority(values: Sequence[str]) -> str:
    """The most common value; a tie goes to the one seen first (the first unit's)."""
    counts = Counter(values)
    best = max(counts.values())
    return next(value for value in values if counts[value] == best)


def reporter_answers(
    seed: Mapping[str, Mapping[str, Given]], codes: Iterable[str], units: Sequence[str]
) -> tuple[dict[str, Given], list[Departure]]:
    """One answer per reporter milestone (the units' majority, field by field), and where
    seed 000 shows a unit departing from it."""
    answers: dict[str, Given] = {}
    departures: list[Departure] = []
    for code in codes:
        rows = [(unit, seed[unit][code]) for unit in units if code in seed.get(unit, {})]
        if not rows:
            continue
        chosen = {field: _majority([row.value(field) for _, row in rows]) for field in FIELDS}
        answers[code] = Given(
            code=code,
            progress=chosen["progress"],
            delay=chosen["delay"],
            critical=chosen["critical"] == "yes",
            forecast=chosen["forecast"],
            remark=chosen["remark"],
        )
        departures.extend(
            Departure(code, unit, field, row.value(field), chosen[field])
            for unit, row in rows
            for field in FIELDS
            if row.value(field) != chosen[field]
        )
    return answers, departures
