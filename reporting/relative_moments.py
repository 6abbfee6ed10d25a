"""Relative moments ("i morgen", "om 3 timer", "in 2 weeks"), for `reporting.deadlines`.

`read_moment` tries its own forms first (days, weekdays, times); what they decline comes
here, to dateparser's relative-time parser only, and only when it reads the whole text.
Pure: the reference moment is given.

A distance in hours, minutes or seconds is exact: "om 24 timer" is 24 hours from now,
not the end of tomorrow, and "om 0 minutter" (or "nu") is now — which `read_moment` then
refuses as passed. A distance in days, weeks, months or years is a day, its time of day
the reader's to set (the end of the day). Either way, a shift that is not whole days is
exact, whatever it was written in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Final

import dateparser

_EXACT: Final = re.compile(
    r"\b(?:timer?|hours?|hrs?|minut(?:ter)?|minutes?|mins?|sekund(?:er)?|seconds?|secs?"
    r"|nu|now)\b",
    re.IGNORECASE,
)


def read_relative(text: str, local_now: datetime) -> date | timedelta | None:
    """The day (a `date`) or the exact distance from now (a `timedelta`) the text says;
    None when dateparser cannot read all of it. `local_now` is now in the programme's zone."""
    base = local_now.replace(tzinfo=None)
    found = dateparser.parse(
        text,
        languages=["da", "en"],
        # "future": a bare "3 dage" means in three days, not three days ago.
        settings={
            "RELATIVE_BASE": base,
            "PARSERS": ["relative-time"],
            "PREFER_DATES_FROM": "future",
        },
    )
    if found is None:
        return None
    shift = found - base
    if shift % timedelta(days=1) or _EXACT.search(text):
        return shift
    return found.date()
