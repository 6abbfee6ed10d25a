"""The round's rules, pure: whether answers are taken and whether they count as late, when
reminders go out, when a DM must wait for the end of quiet hours, and who is away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class LatePolicy(StrEnum):
    REFUSE = "refuse"
    ACCEPT = "accept"  # accepted until publication, and marked late


@dataclass(frozen=True)
class Acceptance:
    accepting: bool
    late: bool


def acceptance(
    *,
    status: str,
    imported: bool,
    deadline: datetime | None,
    now: datetime,
    policy: LatePolicy,
) -> Acceptance:
    """Open and before the deadline: taken. After it, or closed: the programme's policy.

    A published or imported round takes nothing: what the steering group read stays true.
    """
    if imported or status == "published":
        return Acceptance(accepting=False, late=False)
    past_deadline = deadline is not None and now > deadline
    if status == "open" and not past_deadline:
        return Acceptance(accepting=True, late=False)
    return Acceptance(accepting=policy is LatePolicy.ACCEPT, late=True)


# ---------------------------------------------------------------------------------------
# When to remind, when not to disturb, who is away: pure, on aware datetimes in UTC and the
# programme's time zone. Nothing here reads the database or a clock of its own.

SATURDAY = 5


@dataclass(frozen=True)
class ReminderRule:
    """Remind `days_before` the deadline's local day, at local time `at`."""

    days_before: int
    at: time


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which no DM is sent; start > end wraps midnight (18:00–08:00)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def parse_clock(text: str) -> time:
    """'09:00' → 09:00 (the programme file has checked the shape already)."""
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def at_local(day: date, at: time, tz: str) -> datetime:
    """A local wall-clock time on a day, in UTC; DST-correct (a time skipped in spring is
    read with the offset before the change, so 02:30 on that night is 03:30 summer time)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def after_quiet_hours(moment: datetime, quiet: QuietHours | None, tz: str) -> datetime:
    """`moment` itself, or the end of the quiet period it falls in."""
    if quiet is None:
        return moment
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return moment
    day = local.date()
    if quiet.start > quiet.end and local.time().replace(tzinfo=None) >= quiet.start:
        day += timedelta(days=1)
    return at_local(day, quiet.end, tz)


def friday_before_weekend(day: date) -> date:
    """A Saturday or Sunday becomes the Friday before; weekdays stay."""
    if day.weekday() >= SATURDAY:
        return day - timedelta(days=day.weekday() - 4)
    return day


def reminder_times(
    deadline: datetime,
    *,
    now: datetime,
    rules: Sequence[ReminderRule],
    skip_weekends: bool,
    quiet: QuietHours | None,
    tz: str,
) -> list[datetime]:
    """The moments (UTC, sorted, distinct) a round's reminders go out.

    Each rule counts days back from the deadline's local day and takes its local time, so
    09:00 stays 09:00 across a change to or from summer time. A day on a weekend moves to
    the Friday before (when skip_weekends), a time in quiet hours to their end. Moments
    that are not after `now` or not before the deadline are dropped: a round opened two
    days before its deadline gets no three-day reminder.
    """
    deadline_day = local_day(deadline, tz)
    found: set[datetime] = set()
    for rule in rules:
        day = deadline_day - timedelta(days=rule.days_before)
        if skip_weekends:
            day = friday_before_weekend(day)
        moment = after_quiet_hours(at_local(day, rule.at, tz), quiet, tz)
        if now < moment < deadline:
            found.add(moment)
    return sorted(found)


def is_away(away_until: date | None, now: datetime, tz: str) -> bool:
    """Away through the whole of `away_until` (the person's own last day away)."""
    return away_until is not None and local_day(now, tz) <= away_until
