"""The round's pure rules: reminder times (DST, weekends, quiet hours), absence, late answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conversations.rounds import (
    LatePolicy,
    QuietHours,
    ReminderRule,
    acceptance,
    after_quiet_hours,
    at_local,
    is_away,
    reminder_times,
)

CPH = "Europe/Copenhagen"
DEFAULT = (ReminderRule(3, time(9)), ReminderRule(1, time(9)))
QUIET = QuietHours(time(18), time(8))


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(CPH))


def test_default_reminders_are_3_and_1_days_before_at_nine_local() -> None:
    deadline = at_local(date(2018, 6, 15), time(12), CPH)  # a Friday
    now = at_local(date(2018, 6, 4), time(10), CPH)
    times = reminder_times(
        deadline, now=now, rules=DEFAULT, skip_weekends=True, quiet=QUIET, tz=CPH
    )
    assert [local(t).strftime("%a %d %H:%M") for t in times] == ["Tue 12 09:00", "Thu 14 09:00"]
    assert times[0] == datetime(2018, 6, 12, 7, 0, tzinfo=UTC)  # summer time: UTC+2


def test_nine_oclock_stays_nine_oclock_across_the_change_to_summer_time() -> None:
    # Summer time began on Sunday 25 March 2018; the deadline is the Wednesday after.
    deadline = at_local(date(2018, 3, 28), time(12), CPH)
    now = datetime(2018, 3, 1, tzinfo=UTC)
    times = reminder_times(
        deadline, now=now, rules=DEFAULT, skip_weekends=True, quiet=QUIET, tz=CPH
    )
    # 3 days before is Sunday → Friday 23 March, 09:00 winter time (08:00 UTC);
    # 1 day before is Tuesday 27 March, 09:00 summer time (07:00 UTC).
    assert times == [
        datetime(2018, 3, 23, 8, 0, tzinfo=UTC),
        datetime(2018, 3, 27, 7, 0, tzinfo=UTC),
    ]
    assert {local(t).hour for t in times} == {9}


def test_weekend_reminders_move_to_the_friday_before_and_collapse() -> None:
    deadline = at_local(date(2018, 6, 18), time(12), CPH)  # a Monday
    now = datetime(2018, 6, 1, tzinfo=UTC)
    times = reminder_times(
        deadline, now=now, rules=DEFAULT, skip_weekends=True, quiet=QUIET, tz=CPH
    )
    assert [local(t).strftime("%a %d %H:%M") for t in times] == ["Fri 15 09:00"]
    kept = reminder_times(
        deadline, now=now, rules=DEFAULT, skip_weekends=False, quiet=QUIET, tz=CPH
    )
    assert [local(t).strftime("%a %d") for t in kept] == ["Fri 15", "Sun 17"]


def test_reminders_already_past_or_after_the_deadline_are_dropped() -> None:
    deadline = at_local(date(2018, 6, 15), time(8, 30), CPH)
    now = at_local(date(2018, 6, 13), time(10), CPH)  # after the 3-day reminder
    rules = (*DEFAULT, ReminderRule(0, time(9)))  # the deadline's own day, after 08:30
    times = reminder_times(deadline, now=now, rules=rules, skip_weekends=True, quiet=None, tz=CPH)
    assert [local(t).strftime("%a %d %H:%M") for t in times] == ["Thu 14 09:00"]


def test_a_reminder_in_quiet_hours_waits_for_their_end() -> None:
    deadline = at_local(date(2018, 6, 15), time(12), CPH)
    now = datetime(2018, 6, 1, tzinfo=UTC)
    early = (ReminderRule(1, time(6, 30)),)
    times = reminder_times(deadline, now=now, rules=early, skip_weekends=True, quiet=QUIET, tz=CPH)
    assert [local(t).strftime("%d %H:%M") for t in times] == ["14 08:00"]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2018-06-04 17:59", "2018-06-04 17:59"),
        ("2018-06-04 18:00", "2018-06-05 08:00"),
        ("2018-06-04 23:30", "2018-06-05 08:00"),
        ("2018-06-05 03:00", "2018-06-05 08:00"),
        ("2018-06-05 08:00", "2018-06-05 08:00"),
    ],
)
def test_quiet_hours_over_midnight(at: str, expected: str) -> None:
    zone = ZoneInfo(CPH)
    moment = datetime.fromisoformat(at).replace(tzinfo=zone)
    assert local(after_quiet_hours(moment, QUIET, CPH)).strftime("%Y-%m-%d %H:%M") == expected
    assert after_quiet_hours(moment, None, CPH) == moment


def test_quiet_hours_within_a_day() -> None:
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13))
    assert not QuietHours(time(8), time(8)).contains(time(8))


def test_away_through_the_last_day_in_local_time() -> None:
    # 22:30 UTC on 20 June is already 21 June in Copenhagen.
    assert is_away(date(2018, 6, 20), datetime(2018, 6, 20, 21, 59, tzinfo=UTC), CPH)
    assert not is_away(date(2018, 6, 20), datetime(2018, 6, 20, 22, 30, tzinfo=UTC), CPH)
    assert not is_away(None, datetime(2018, 6, 20, tzinfo=UTC), CPH)


@pytest.mark.parametrize(
    ("status", "after_deadline", "policy", "expected"),
    [
        ("open", False, LatePolicy.REFUSE, (True, False)),
        ("open", True, LatePolicy.REFUSE, (False, True)),
        ("open", True, LatePolicy.ACCEPT, (True, True)),
        ("closed", True, LatePolicy.REFUSE, (False, True)),
        ("closed", True, LatePolicy.ACCEPT, (True, True)),
        ("published", True, LatePolicy.ACCEPT, (False, False)),
    ],
)
def test_late_answers_follow_the_policy_until_publication(
    status: str, after_deadline: bool, policy: LatePolicy, expected: tuple[bool, bool]
) -> None:
    deadline = datetime(2018, 6, 15, 10, tzinfo=UTC)
    now = datetime(2018, 6, 16 if after_deadline else 14, tzinfo=UTC)
    state = acceptance(status=status, imported=False, deadline=deadline, now=now, policy=policy)
    assert (state.accepting, state.late) == expected
