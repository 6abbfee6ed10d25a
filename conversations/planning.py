"""Rounds planned on the meeting calendar, pure: when one opens, when its deadline is, and
what is to be done with it when its opening job runs.

A planned round is known by its meeting's day. It opens `open_days_before` that day at
09:00 local time and takes answers until `deadline_days_before` it at 12:00 local time
(programme settings; docs/programme-format.md). Days are calendar days counted back from
the meeting; with `skip_weekends` an opening or a deadline that falls on a Saturday or
Sunday moves to the Friday before, as reminders do. Wall-clock times, so 09:00 stays 09:00
across a change to or from summer time. Nothing here reads the database or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from conversations.rounds import at_local, friday_before_weekend

OPENS_AT = time(9, 0)
"""A planned round opens at this local time on its opening day."""
DEADLINE_AT = time(12, 0)
"""…and its deadline is at this local time on its deadline day."""
WAIT_POLL = timedelta(minutes=15)
"""How often a due round that waits for another to close looks again."""


@dataclass(frozen=True)
class PlannedTimes:
    """When a planned round opens and when its deadline is (aware, UTC)."""

    opens_at: datetime
    deadline: datetime


def planned_times(
    meeting: date,
    *,
    open_days_before: int,
    deadline_days_before: int,
    skip_weekends: bool,
    tz: str,
) -> PlannedTimes:
    """The opening and the deadline of the round for a meeting on `meeting`."""
    opens = meeting - timedelta(days=open_days_before)
    deadline = meeting - timedelta(days=deadline_days_before)
    if skip_weekends:
        opens, deadline = friday_before_weekend(opens), friday_before_weekend(deadline)
    return PlannedTimes(at_local(opens, OPENS_AT, tz), at_local(deadline, DEADLINE_AT, tz))


class Due(StrEnum):
    """What the opening job does with a planned round when it runs."""

    EARLY = "early"  # not yet its time (the meeting moved later): run again at opens_at
    OPEN = "open"  # its time, and no other round is open: open it now
    WAIT = "wait"  # its time, but another round is still open: look again in a while
    LAPSED = "lapsed"  # its deadline passed before it could open: it never will


def due(times: PlannedTimes, now: datetime, *, another_open: bool) -> Due:
    """The rule the opening job follows.

    A deadline that has passed wins over everything: a round opened then would take no
    answer. Before its opening it waits for its time; at it, for the open round to close.
    """
    if now >= times.deadline:
        return Due.LAPSED
    if now < times.opens_at:
        return Due.EARLY
    return Due.WAIT if another_open else Due.OPEN
