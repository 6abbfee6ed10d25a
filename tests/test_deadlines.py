"""Reading deadlines as people write them: every form, every refusal, moments in time."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime

import pytest

from conversations.errors import UserError
from reporting.deadlines import MAX_LENGTH, DeadlineRange, read_deadline, read_moment

D = date

DEADLINES: list[tuple[str, date, date, str]] = [
    # A year with a part: thirds of the year.
    ("Primo 2018", D(2018, 1, 1), D(2018, 4, 30), ""),
    ("early 2018", D(2018, 1, 1), D(2018, 4, 30), ""),
    ("start of 2018", D(2018, 1, 1), D(2018, 4, 30), ""),
    ("Medio 2019", D(2019, 5, 1), D(2019, 8, 31), ""),
    ("mid 2019", D(2019, 5, 1), D(2019, 8, 31), ""),
    ("mid-2019", D(2019, 5, 1), D(2019, 8, 31), ""),
    ("midten af 2019", D(2019, 5, 1), D(2019, 8, 31), ""),
    ("Ultimo 2017", D(2017, 9, 1), D(2017, 12, 31), ""),
    ("end of 2017", D(2017, 9, 1), D(2017, 12, 31), ""),
    ("late 2017", D(2017, 9, 1), D(2017, 12, 31), ""),
    ("udgangen af 2017", D(2017, 9, 1), D(2017, 12, 31), ""),
    # The same words before a month: 1-10, 11-20, 21-last.
    ("primo juni 2019", D(2019, 6, 1), D(2019, 6, 10), ""),
    ("medio juni 2019", D(2019, 6, 11), D(2019, 6, 20), ""),
    ("MEDIO JUNI 2019", D(2019, 6, 11), D(2019, 6, 20), ""),
    ("ultimo oktober 2019", D(2019, 10, 21), D(2019, 10, 31), ""),
    ("end of October 2019", D(2019, 10, 21), D(2019, 10, 31), ""),
    ("ultimo februar 2019", D(2019, 2, 21), D(2019, 2, 28), ""),
    ("ultimo februar 2020", D(2020, 2, 21), D(2020, 2, 29), ""),
    ("mid-June 2019", D(2019, 6, 11), D(2019, 6, 20), ""),
    # Quarters.
    ("2. kvartal 2018", D(2018, 4, 1), D(2018, 6, 30), ""),
    ("2 kvartal 2018", D(2018, 4, 1), D(2018, 6, 30), ""),
    ("andet kvartal 2018", D(2018, 4, 1), D(2018, 6, 30), ""),
    ("første kvartal 2018", D(2018, 1, 1), D(2018, 3, 31), ""),
    ("4. kvt. 2019", D(2019, 10, 1), D(2019, 12, 31), ""),
    ("Q3 2019", D(2019, 7, 1), D(2019, 9, 30), ""),
    ("q1 2019", D(2019, 1, 1), D(2019, 3, 31), ""),
    ("3Q 2019", D(2019, 7, 1), D(2019, 9, 30), ""),
    ("2019-Q4", D(2019, 10, 1), D(2019, 12, 31), ""),
    ("2nd quarter 2018", D(2018, 4, 1), D(2018, 6, 30), ""),
    ("second quarter 2018", D(2018, 4, 1), D(2018, 6, 30), ""),
    ("fourth quarter of 2018", D(2018, 10, 1), D(2018, 12, 31), ""),
    # Half years.
    ("1. halvår 2019", D(2019, 1, 1), D(2019, 6, 30), ""),
    ("2. halvår 2019", D(2019, 7, 1), D(2019, 12, 31), ""),
    ("andet halvår 2019", D(2019, 7, 1), D(2019, 12, 31), ""),
    ("H1 2019", D(2019, 1, 1), D(2019, 6, 30), ""),
    ("H2 2019", D(2019, 7, 1), D(2019, 12, 31), ""),
    ("first half of 2019", D(2019, 1, 1), D(2019, 6, 30), ""),
    ("2019-H2", D(2019, 7, 1), D(2019, 12, 31), ""),
    # Months, Danish and English, wide and abbreviated.
    ("Juli 2019", D(2019, 7, 1), D(2019, 7, 31), ""),
    ("November 2017", D(2017, 11, 1), D(2017, 11, 30), ""),
    ("nov. 2017", D(2017, 11, 1), D(2017, 11, 30), ""),
    ("July 2019", D(2019, 7, 1), D(2019, 7, 31), ""),
    ("Jul 2019", D(2019, 7, 1), D(2019, 7, 31), ""),
    ("Februar 2018", D(2018, 2, 1), D(2018, 2, 28), ""),
    ("februar 2020", D(2020, 2, 1), D(2020, 2, 29), ""),
    ("marts 2019", D(2019, 3, 1), D(2019, 3, 31), ""),
    ("maj 2019", D(2019, 5, 1), D(2019, 5, 31), ""),
    ("May 2019", D(2019, 5, 1), D(2019, 5, 31), ""),
    ("okt. 2018", D(2018, 10, 1), D(2018, 10, 31), ""),
    ("Sept 2019", D(2019, 9, 1), D(2019, 9, 30), ""),
    ("December 2019", D(2019, 12, 1), D(2019, 12, 31), ""),
    ("06-2019", D(2019, 6, 1), D(2019, 6, 30), ""),
    ("2019-06", D(2019, 6, 1), D(2019, 6, 30), ""),
    # ISO weeks, Monday to Sunday.
    ("uge 34 2019", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("uge 34, 2019", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("Uge 34/2019", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("week 34 2019", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("w34 2019", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("2019-W34", D(2019, 8, 19), D(2019, 8, 25), ""),
    ("uge 1 2019", D(2018, 12, 31), D(2019, 1, 6), ""),
    ("uge 53 2020", D(2020, 12, 28), D(2021, 1, 3), ""),
    # Days: day first, except ISO.
    ("27-11-2017", D(2017, 11, 27), D(2017, 11, 27), ""),
    ("01.09.2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("1/9/2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("2019-09-01", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("1. september 2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("den 1. september 2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("1 September 2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("September 1, 2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("1st of September 2019", D(2019, 9, 1), D(2019, 9, 1), ""),
    ("29-02-2020", D(2020, 2, 29), D(2020, 2, 29), ""),
    # A year alone.
    ("2019", D(2019, 1, 1), D(2019, 12, 31), ""),
    # A date and a remark (the seed's own cells among them).
    (
        "Juli 2019 – forventer 0-3 mdr's forsinkelser",
        D(2019, 7, 1),
        D(2019, 7, 31),
        "forventer 0-3 mdr's forsinkelser",
    ),
    (
        "December 2019 Forventer forsinkelse på 0-3 måneder",
        D(2019, 12, 1),
        D(2019, 12, 31),
        "Forventer forsinkelse på 0-3 måneder",
    ),
    (
        "Oktober 2019 - expected 0-3 months late",
        D(2019, 10, 1),
        D(2019, 10, 31),
        "expected 0-3 months late",
    ),
    ("Medio 2019, afhænger af udbud", D(2019, 5, 1), D(2019, 8, 31), "afhænger af udbud"),
    ("27-11-2017: bekendtgjort", D(2017, 11, 27), D(2017, 11, 27), "bekendtgjort"),
    ("2019 – forventer forsinkelse", D(2019, 1, 1), D(2019, 12, 31), "forventer forsinkelse"),
    ("1. september 2019.", D(2019, 9, 1), D(2019, 9, 1), ""),
]


@pytest.mark.parametrize(("text", "earliest", "latest", "remark"), DEADLINES)
def test_read_deadline(text: str, earliest: date, latest: date, remark: str) -> None:
    assert read_deadline(text) == DeadlineRange(text, earliest, latest, remark)


def test_text_is_kept_verbatim_but_for_surrounding_whitespace() -> None:
    read = read_deadline("  \tJuli 2019 – Forventer 0-3 MDR'S forsinkelser \n")
    assert read.text == "Juli 2019 – Forventer 0-3 MDR'S forsinkelser"
    assert read.remark == "Forventer 0-3 MDR'S forsinkelser"


REFUSED: list[tuple[str, UserError]] = [
    ("", UserError("deadline.empty")),
    ("   ", UserError("deadline.empty")),
    ("\n\t", UserError("deadline.empty")),
    ("x" * (MAX_LENGTH + 1), UserError("deadline.too_long", limit=200)),
    ("Juli 2019 " + "x" * MAX_LENGTH, UserError("deadline.too_long", limit=200)),
    *(
        (text, UserError("deadline.unreadable", text=text))
        for text in [
            "snart",
            "asap",
            "TBD",
            "ved ikke",
            "2019-13-01",  # dateparser would swap it to 13 January
            "32-01-2019",
            "31-02-2019",
            "29-02-2019",
            "uge 54 2019",
            "uge 53 2019",  # 2019 has no week 53
            "uge 0 2019",
            "Q5 2019",
            "Q0 2019",
            "5. kvartal 2019",
            "3. halvår 2019",
            "H3 2019",
            "medio",
            "juni",  # no year: ambiguous
            "medio juni",
            "uge 34",
            "2. kvartal",
            "15/6",
            "hello 2019",
            "1899",
            "2200",
            "10000",
            "27-11-17",  # a two-digit year could be either century
            "2019-2020",
            "2019-13",
            "13-2019",
            "2019 2. kvartal",  # the year read, and the quarter taken for a remark: no
            "2019 juni",
        ]
    ),
]


@pytest.mark.parametrize(("text", "error"), REFUSED)
def test_read_deadline_refuses(text: str, error: UserError) -> None:
    with pytest.raises(UserError) as raised:
        read_deadline(text)
    assert raised.value == error


def test_unreadable_reports_the_text_stripped() -> None:
    with pytest.raises(UserError) as raised:
        read_deadline("  snart  ")
    assert raised.value.params == {"text": "snart"}


def test_limit_is_on_the_text_not_its_padding() -> None:
    padded = " " * 300 + "Juli 2019" + " " * 300
    assert read_deadline(padded).earliest == date(2019, 7, 1)


def test_deadline_range_is_ordered_and_frozen() -> None:
    with pytest.raises(ValueError, match="after"):
        DeadlineRange("x", date(2019, 2, 1), date(2019, 1, 1), "")
    read = read_deadline("Q3 2019")
    with pytest.raises(FrozenInstanceError):
        read.remark = "changed"  # type: ignore[misc]  # the refused assignment is the test


# A Monday, 12:00 in Copenhagen (summer time, UTC+2).
NOW = datetime(2018, 6, 11, 10, 0, tzinfo=UTC)

MOMENTS: list[tuple[str, datetime]] = [
    ("15. juni 2018", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("15 June 2018", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("2018-06-15 12:00", datetime(2018, 6, 15, 10, 0, tzinfo=UTC)),
    ("2018-06-15T12:00", datetime(2018, 6, 15, 10, 0, tzinfo=UTC)),
    ("15/6 2018 kl. 12", datetime(2018, 6, 15, 10, 0, tzinfo=UTC)),
    ("15.06.2018 kl 12.30", datetime(2018, 6, 15, 10, 30, tzinfo=UTC)),
    ("15/6", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),  # no year: the nearest 15 June
    ("fredag", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("Fredag", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("friday", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("på fredag", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("fre.", datetime(2018, 6, 15, 21, 59, tzinfo=UTC)),
    ("fredag kl. 14:30", datetime(2018, 6, 15, 12, 30, tzinfo=UTC)),
    ("mandag", datetime(2018, 6, 18, 21, 59, tzinfo=UTC)),  # today is Monday: the next one
    ("next monday", datetime(2018, 6, 18, 21, 59, tzinfo=UTC)),
    ("i morgen", datetime(2018, 6, 12, 21, 59, tzinfo=UTC)),
    ("tomorrow", datetime(2018, 6, 12, 21, 59, tzinfo=UTC)),
    ("i morgen kl. 12", datetime(2018, 6, 12, 10, 0, tzinfo=UTC)),
    ("tomorrow at 3pm", datetime(2018, 6, 12, 13, 0, tzinfo=UTC)),
    ("i dag", datetime(2018, 6, 11, 21, 59, tzinfo=UTC)),
    ("kl. 16", datetime(2018, 6, 11, 14, 0, tzinfo=UTC)),  # a time alone: today
    ("om 3 dage", datetime(2018, 6, 14, 21, 59, tzinfo=UTC)),
    ("in 3 days", datetime(2018, 6, 14, 21, 59, tzinfo=UTC)),
    ("3 dage", datetime(2018, 6, 14, 21, 59, tzinfo=UTC)),  # a bare count is ahead, not ago
    ("om 2 uger", datetime(2018, 6, 25, 21, 59, tzinfo=UTC)),
    ("in a week", datetime(2018, 6, 18, 21, 59, tzinfo=UTC)),
    ("om 3 timer", datetime(2018, 6, 11, 13, 0, tzinfo=UTC)),  # hours: exact, not end of day
    ("in 2 hours", datetime(2018, 6, 11, 12, 0, tzinfo=UTC)),
    ("15. december 2018", datetime(2018, 12, 15, 22, 59, tzinfo=UTC)),  # winter time: UTC+1
    ("2018-12-14 12:00", datetime(2018, 12, 14, 11, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), MOMENTS)
def test_read_moment(text: str, expected: datetime) -> None:
    moment = read_moment(text, now=NOW)
    assert moment == expected
    assert moment.utcoffset() is not None
    assert moment.tzinfo == UTC


def test_today_is_todays_date_where_the_programme_is() -> None:
    # 22:30 UTC on Monday is already 00:30 on Tuesday in Copenhagen.
    late = datetime(2018, 6, 11, 22, 30, tzinfo=UTC)
    assert read_moment("i dag", now=late) == datetime(2018, 6, 12, 21, 59, tzinfo=UTC)
    assert read_moment("i morgen", now=late) == datetime(2018, 6, 13, 21, 59, tzinfo=UTC)
    assert read_moment("tirsdag", now=late) == datetime(2018, 6, 19, 21, 59, tzinfo=UTC)


def test_weekday_across_the_change_to_winter_time() -> None:
    friday = datetime(2018, 10, 26, 10, 0, tzinfo=UTC)  # clocks go back on Sunday the 28th
    assert read_moment("mandag", now=friday) == datetime(2018, 10, 29, 22, 59, tzinfo=UTC)
    assert read_moment("fredag", now=friday) == datetime(2018, 11, 2, 22, 59, tzinfo=UTC)


def test_hours_across_the_change_to_winter_time_are_real_hours() -> None:
    night = datetime(2018, 10, 28, 0, 30, tzinfo=UTC)  # 02:30 summer time, clocks go back at 03
    assert read_moment("om 3 timer", now=night) == datetime(2018, 10, 28, 3, 30, tzinfo=UTC)


def test_another_time_zone() -> None:
    assert read_moment("fredag", now=NOW, tz="UTC") == datetime(2018, 6, 15, 23, 59, tzinfo=UTC)
    assert read_moment("i morgen kl. 9", now=NOW, tz="America/New_York") == datetime(
        2018, 6, 12, 13, 0, tzinfo=UTC
    )


def test_a_day_without_a_year_in_december_is_next_january() -> None:
    december = datetime(2018, 12, 20, 10, 0, tzinfo=UTC)
    assert read_moment("10/1", now=december) == datetime(2019, 1, 10, 22, 59, tzinfo=UTC)


REFUSED_MOMENTS: list[tuple[str, UserError]] = [
    ("", UserError("moment.empty")),
    ("  ", UserError("moment.empty")),
    ("x" * (MAX_LENGTH + 1), UserError("moment.too_long", limit=200)),
    *(
        (text, UserError("moment.unreadable", text=text))
        for text in [
            "snart",
            "asap",
            "hello",
            "hello 2019",
            "juni",  # a month is not a moment
            "2019",
            "Q3 2019",
            "31-02-2018",
            "2018-13-01",
            "29/2",  # no leap day near 2018
            "25:00",
            "i morgen kl. 25",
            "tomorrow at 13pm",
            "om 3 timer kl. 12",  # an exact distance and a time: which?
            "om 3 dage tak",
            "in 100000000 days",
            "om 300 år",
        ]
    ),
]


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Read, but already passed: the error says what was read, so the person sees why.
PAST: list[tuple[str, datetime]] = [
    ("i går", _utc(2018, 6, 10, 21, 59)),
    ("yesterday", _utc(2018, 6, 10, 21, 59)),
    ("for 2 dage siden", _utc(2018, 6, 9, 21, 59)),
    ("kl. 9", _utc(2018, 6, 11, 7, 0)),
    ("kl. 12", NOW),  # exactly now is too late
    ("15. juni 2017", _utc(2017, 6, 15, 21, 59)),
    ("10/1", _utc(2018, 1, 10, 22, 59)),  # no year: the nearest 10 January, in the past
]
REFUSED_MOMENTS += [(text, UserError("moment.past", text=text, moment=m)) for text, m in PAST]


@pytest.mark.parametrize(("text", "error"), REFUSED_MOMENTS)
def test_read_moment_refuses(text: str, error: UserError) -> None:
    with pytest.raises(UserError) as raised:
        read_moment(text, now=NOW)
    assert raised.value == error


def test_read_moment_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        read_moment("fredag", now=datetime(2018, 6, 11, 10, 0))
