"""The status vocabulary of the seeds, in one place.

Progress, delay band and the colour rule come from the matrix posted to the steering
group (seed 000) and its legend: green when the milestone keeps to the plan, yellow up to
three months late, red more than three months late, no colour when nothing is stated.
A cell nobody answered at all is *not reported* (Planview's grey): a state of its own,
never the same as a lead's explicit "nothing stated", and never compared as a change.
The words that go with each value ("Milepæl nået", "0-3 måneder forsinket", …) live in
the templates; the enum values double as the codes of the CSV import and JSON export.
"""

from __future__ import annotations

from enum import StrEnum

LANGUAGES: tuple[str, ...] = ("da", "en")
"""The languages Fremdrift speaks, Danish first."""

ALL_UNITS = "*"
"""The scope of an answer or a baseline that holds for every unit (a reporter's)."""


class RoundStatus(StrEnum):
    """Where a round is in its life: open for answers, closed, or published."""

    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Progress(StrEnum):
    """How far a milestone has come (seed 001's Afsluttet / Igangsat / Ej igangsat)."""

    REACHED = "reached"  # Milepæl nået (Afsluttet)
    STARTED = "started"  # Milepæl igangsat
    EXPECTED = "expected"  # Forventer at nå milepæl (Ej igangsat, expected on time)
    NONE = "none"  # Intet angivet


class Delay(StrEnum):
    """The delay band against the baseline deadline."""

    ON_TIME = "0"
    UP_TO_3 = "0-3"
    UP_TO_6 = "3-6"
    OVER_6 = "6+"


class Colour(StrEnum):
    """The traffic light of a cell."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"  # a lead stated nothing (Intet angivet)
    NOT_REPORTED = "not_reported"  # nobody answered at all (Ikke indberettet)


COLOUR_RANK: dict[Colour, int] = {Colour.NONE: 0, Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
"""Worse is higher; a cell going from NONE to a colour is 'newly stated', not better or worse.
NOT_REPORTED has no rank on purpose: silence is no status, so it is never compared."""


def effective_delay(progress: Progress, delay: Delay) -> Delay:
    """A reached milestone is no longer late, and 'nothing stated' has no delay."""
    if progress in (Progress.REACHED, Progress.NONE):
        return Delay.ON_TIME
    return delay


def colour_of(progress: Progress, delay: Delay) -> Colour:
    """The seed's legend: reached or on time is green, ≤3 months late yellow, more is red."""
    if progress is Progress.NONE:
        return Colour.NONE
    if progress is Progress.REACHED:
        return Colour.GREEN
    if delay is Delay.ON_TIME:
        return Colour.GREEN
    if delay is Delay.UP_TO_3:
        return Colour.YELLOW
    return Colour.RED


def delay_allowed(progress: Progress) -> bool:
    """Only work in hand (started or expected) can be late."""
    return progress in (Progress.STARTED, Progress.EXPECTED)
