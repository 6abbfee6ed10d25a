"""Reading deadlines as people write them, in Danish and English.

Two readers, both pure (no I/O, no clock of their own):

`read_deadline` reads a milestone's deadline as a *range* of days, because people write
periods, not days: "Medio 2019", "2. kvartal 2018", "uge 34 2019", "27-11-2017", "sommeren
2021", "inden udgangen af 2020". Whatever follows the date part ("Juli 2019 – forventer 0-3
mdr's forsinkelser") is kept as a remark. docs/deadlines.md lists every form it reads.

`read_moment` reads a round's deadline as one *point in time*: "fredag", "i morgen kl. 12",
"15/6 2018 kl. 12", "om 3 dage". A moment that has already passed is refused, and so is one
more than two years ahead (`conversations.limits.MOMENT_HORIZON_DAYS`): a typo, not a plan.

Conventions
-----------
- Primo / medio / ultimo (early / mid / end of) split a year into thirds: primo 1 Jan - 30 Apr,
  medio 1 May - 31 Aug, ultimo 1 Sep - 31 Dec. Before a month they split it into the 1st-10th,
  11th-20th and 21st-last day.
- Numeric dates are day first ("1/9/2019" is 1 September), as in Danish usage; "2019-09-01"
  (year first) is ISO. Weeks are ISO weeks, Monday to Sunday.
- A deadline needs a year ("juni" alone is refused). Years outside MIN_YEAR..MAX_YEAR are typos.
  Only a day may leave it out, and only when read_deadline is given `today`: it is then the
  next such day on or after today ("20/6" in December 2026 is 20 June 2027).
- Seasons, early / mid / late before a quarter, half or season, and "by the end of": see
  `reporting.deadline_phrases`.
- A moment without a time means the end of that day (23:59) in the programme's time zone.
  A distance in hours, minutes or seconds ("om 24 timer", "in 90 minutes") is exact: that
  long from now, not the end of a day; "om 0 minutter" is now, so already passed.
  A weekday name ("fredag", "next friday", "næste fredag") is the next such day *after*
  today; "next" adds nothing, because people use it both ways. A day without a year
  ("15/6") is its nearest occurrence to today, so "10/1" said in December is next January.

What is hand-written, and why
-----------------------------
The period forms (primo/medio/ultimo, quarters, half years, weeks) and the remark split are
hand-written: no library reads them, and dateparser, asked for them, invents a day from
today. Numeric days are matched here and checked by `datetime.date`, because dateparser
silently swaps an impossible month with the day ("2019-13-01" becomes 13 January). Month and
weekday names come from Babel's CLDR data (da, en, en_GB; wide and abbreviated), not a
table of our own. Relative moments ("i morgen", "in 3 days", "om en uge") go to dateparser's
relative-time parser only, on the text left once our own forms have declined it, and only
when it reads the whole text (`reporting.relative_moments`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

from conversations.errors import UserError
from conversations.limits import DEADLINE_LIMIT, MOMENT_HORIZON_DAYS, MOMENT_HORIZON_YEARS
from reporting.deadline_phrases import (
    BY_END,
    PART,
    SEASON,
    SEASON_WORDS,
    by_end,
    next_day,
    season_range,
    thirds,
)
from reporting.relative_moments import read_relative

MAX_LENGTH: Final = DEADLINE_LIMIT
HORIZON: Final = timedelta(days=MOMENT_HORIZON_DAYS)
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2199
END_OF_DAY: Final = time(23, 59)
_LOCALES: Final = ("da", "en", "en_GB")


@dataclass(frozen=True)
class DeadlineRange:
    """A deadline as written, and the days it can mean (both ends inclusive)."""

    text: str
    earliest: date
    latest: date
    remark: str = ""

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")


def _names(getter: Callable[..., Any]) -> dict[str, int]:
    """Lower-case CLDR names (no trailing dot) -> number, from every locale we read."""
    found: dict[str, int] = {}
    for locale in _LOCALES:
        for width in ("wide", "abbreviated"):
            names: dict[int, str] = dict(getter(width, "format", locale=locale))
            found.update((name.lower().rstrip("."), number) for number, name in names.items())
    return found


def _alternation(names: Iterable[str]) -> str:
    """A regex alternation that tries longer names first ("september" before "sep")."""
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_MONTHS: Final = _names(get_month_names)  # 1..12
_WEEKDAYS: Final = _names(get_day_names)  # 0 = Monday .. 6 = Sunday
_M: Final = rf"(?P<month>{_alternation(_MONTHS)})\b\.?"
_Y: Final = r"(?P<year>\d{4})"
# Where a date part may end: the end, a space, a comma, a dash, or a full stop before a space.
_END: Final = r"(?=$|[\s,;:–—]|[.-](?:\s|$))"
_ORDINALS: Final = {
    "første": 1, "first": 1, "anden": 2, "andet": 2, "second": 2,
    "tredje": 3, "third": 3, "fjerde": 4, "fourth": 4,
}  # fmt: skip
_ORDINAL: Final = rf"(?P<word>{_alternation(_ORDINALS)})"
_NUMBER: Final = r"(?P<n>\d+)(?:\.|st|nd|rd|th)?"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern + _END, re.IGNORECASE)


# Days, the year optional: read_moment takes the nearest, read_deadline the next (given today).
_DAY_FORMS: Final = (
    _compile(r"(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    _compile(r"(?P<d>\d{1,2})(?P<sep>[-./])\s*(?P<m>\d{1,2})(?:(?:(?P=sep)\s*|\s+)" + _Y + ")?"),
    _compile(rf"(?:den\s+)?(?P<d>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?{_M}(?:\s*,?\s*{_Y})?"),
    _compile(_M + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s*,?\s+" + _Y + ")?"),
)
_QUARTER_FORMS: Final = (
    _compile(_Y + r"\s*[-/]?\s*Q(?P<n>\d+)"),
    _compile(rf"(?:{_NUMBER}|{_ORDINAL})\s*(?:kvartal|kvt\b\.?)(?:\s+af)?\s*,?\s*{_Y}"),
    _compile(rf"(?:{_NUMBER}|{_ORDINAL})\s+quarter(?:\s+of)?\s*,?\s*{_Y}"),
    _compile(r"(?:Q\s*(?P<n>\d+)|(?P<n2>\d+)\s*Q)\s*[-/,]?\s*" + _Y),
)
_HALF_FORMS: Final = (
    _compile(_Y + r"\s*[-/]?\s*H(?P<n>\d+)"),
    _compile(rf"(?:{_NUMBER}|{_ORDINAL})\s*(?:halvår|halvdel)(?:\s+af)?\s*,?\s*{_Y}"),
    _compile(rf"(?:{_NUMBER}|{_ORDINAL})\s+half(?:\s+of)?\s*,?\s*{_Y}"),
    _compile(r"(?:H\s*(?P<n>\d+)|(?P<n2>\d+)\s*H)\s*[-/,]?\s*" + _Y),
)
_WEEK_FORMS: Final = (
    _compile(_Y + r"\s*-?\s*W(?P<n>\d+)"),
    _compile(r"(?:uge|week|wk|w)\.?\s*(?P<n>\d+)\s*(?:[,/-]\s*|\s+(?:i\s+|of\s+|in\s+)?)" + _Y),
)
_PART_FORM: Final = _compile(PART + r"[\s-]*(?:" + _M + r"[\s,/-]*)?" + _Y)
_MONTH_FORMS: Final = (
    _compile(_Y + r"-(?P<m>\d{1,2})"),
    _compile(_M + r"\s*[,/-]?\s*" + _Y),
    _compile(r"(?P<m>\d{1,2})\s*[-/.]\s*" + _Y),
)
_YEAR_FORM: Final = _compile(_Y)
_SEASON_FORM: Final = _compile(SEASON)
_PART_PREFIX: Final = re.compile(PART + r"[\s-]*", re.IGNORECASE)
_BY_END: Final = re.compile(BY_END, re.IGNORECASE)
# Something a person writes after a year only if they meant a part of it ("2019 2. kvartal").
_DATE_LIKE: Final = re.compile(
    r"[-–—,\s]*(?:\d|[QHW]\s*\d|uge\b|week\b|kvartal|quarter|halv|half"
    rf"|(?:{_alternation(_MONTHS)}|{SEASON_WORDS})\b)",
    re.IGNORECASE,
)


def _year(match: re.Match[str]) -> int:
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} out of range")
    return year


def _month(match: re.Match[str]) -> int:
    name = match.groupdict().get("month")
    return _MONTHS[name.lower()] if name else int(match["m"])


def _last_day(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _nth(match: re.Match[str], count: int) -> int:
    """The quarter's or half's number, 1..count, written as a digit or a word."""
    groups = match.groupdict()
    text = groups.get("n") or groups.get("n2")
    number = int(text) if text else _ORDINALS[match["word"].lower()]
    if not 1 <= number <= count:
        raise ValueError(f"no part {number} of {count}")
    return number


def _day_range(match: re.Match[str]) -> tuple[date, date]:
    day = date(_year(match), _month(match), int(match["d"]))
    return day, day


def _quarter(match: re.Match[str]) -> tuple[date, date]:
    year, quarter = _year(match), _nth(match, 4)
    return date(year, 3 * quarter - 2, 1), _last_day(year, 3 * quarter)


def _half(match: re.Match[str]) -> tuple[date, date]:
    year, half = _year(match), _nth(match, 2)
    return date(year, 6 * half - 5, 1), _last_day(year, 6 * half)


def _week(match: re.Match[str]) -> tuple[date, date]:
    monday = date.fromisocalendar(_year(match), int(match["n"]), 1)  # ValueError: no such week
    return monday, monday + timedelta(days=6)


def _part(match: re.Match[str]) -> tuple[date, date]:
    year = _year(match)
    third = 0 if match["primo"] else 1 if match["medio"] else 2
    if match.groupdict().get("month") is None:
        return date(year, 4 * third + 1, 1), _last_day(year, 4 * third + 4)
    month = _month(match)
    last = _last_day(year, month) if third == 2 else date(year, month, 10 * third + 10)
    return date(year, month, 10 * third + 1), last


def _season(match: re.Match[str]) -> tuple[date, date]:
    return season_range(match["season"], _year(match), match["year2"])


def _month_range(match: re.Match[str]) -> tuple[date, date]:
    year, month = _year(match), _month(match)
    return date(year, month, 1), _last_day(year, month)


def _year_range(match: re.Match[str]) -> tuple[date, date]:
    year = _year(match)
    return date(year, 1, 1), date(year, 12, 31)


_Reader = Callable[[re.Match[str]], tuple[date, date]]
_Forms = tuple[tuple[re.Pattern[str], _Reader], ...]
# The periods early / mid / late can split into thirds by month.
_SPAN_FORMS: Final[_Forms] = (
    *((pattern, _quarter) for pattern in _QUARTER_FORMS),
    *((pattern, _half) for pattern in _HALF_FORMS),
    (_SEASON_FORM, _season),
)
_DEADLINE_FORMS: Final[_Forms] = (
    *((pattern, _day_range) for pattern in _DAY_FORMS),
    *((pattern, _quarter) for pattern in _QUARTER_FORMS),
    *((pattern, _half) for pattern in _HALF_FORMS),
    *((pattern, _week) for pattern in _WEEK_FORMS),
    (_SEASON_FORM, _season),
    (_PART_FORM, _part),
    *((pattern, _month_range) for pattern in _MONTH_FORMS),
    (_YEAR_FORM, _year_range),
)


def _checked(text: str, scope: str) -> str:
    """The text stripped; refuse it empty or over-long before reading anything."""
    stripped = text.strip()
    if not stripped:
        raise UserError(f"{scope}.empty")
    if len(stripped) > MAX_LENGTH:
        raise UserError(f"{scope}.too_long", limit=MAX_LENGTH)
    return stripped


def _read_forms(text: str, forms: _Forms, today: date | None) -> tuple[date, date, str] | None:
    """(earliest, latest, the rest of the text) by the first form whose pattern matches.

    Tried in order; the first whose pattern matches decides, so a shape that matches but names
    no real date ("31-02-2019", "Q5 2019") raises ValueError rather than read some other way.
    None if no pattern matches.
    """
    for pattern, read in forms:
        match = pattern.match(text)
        if match is None:
            continue
        rest = text[match.end() :]
        if read is _year_range and _DATE_LIKE.match(rest):
            raise ValueError("a year followed by a date part we cannot read")
        if match.groupdict().get("year") is not None:
            return (*read(match), rest)
        if read is _day_range and today is not None:
            day = next_day(today, _month(match), int(match["d"]))
            return day, day, rest
        raise ValueError("a deadline needs a year")
    return None


def _read_period(text: str, today: date | None) -> tuple[date, date, str] | None:
    """A period or day; early / mid / late before a quarter, half or season takes a third."""
    found = _read_forms(text, _DEADLINE_FORMS, today)
    part = _PART_PREFIX.match(text)
    if found is None and part is not None:
        span = _read_forms(text[part.end() :], _SPAN_FORMS, None)
        if span is not None:
            third = 0 if part["primo"] else 1 if part["medio"] else 2
            return (*thirds(span[0], span[1], third), span[2])
    return found


def read_deadline(text: str, *, today: date | None = None) -> DeadlineRange:
    """Read a milestone deadline as people write it; refuse what has no clear meaning.

    `today` (the reference date) lets a day go without its year, and starts "by the end of".
    Raises UserError "deadline.empty", "deadline.too_long" (limit) or
    "deadline.unreadable" (text, stripped).
    """
    stripped = _checked(text, "deadline")
    by = _BY_END.match(stripped)
    try:
        found = _read_period(stripped[by.end() :] if by else stripped, today)
    except ValueError:
        found = None
    if found is None:
        raise UserError("deadline.unreadable", text=stripped)
    earliest, latest, rest = found
    if by is not None:
        earliest = by_end(earliest, latest, today)
    remark = rest.lstrip(" \t\r\n-–—,;:.").strip()
    return DeadlineRange(stripped, earliest, latest, remark)


_TIME: Final = re.compile(
    r"""(?:^|(?<=\d)T|[\s,]+)
        (?: (?:kl\.?|klokken|at|@)\s*(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?
          | (?P<hh>\d{1,2}):(?P<mm>\d{2})
          | (?P<h12>\d{1,2})(?=\s*[ap]m) )
        \s*(?P<ampm>[ap]m)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_WEEKDAY: Final = re.compile(
    r"(?:(?:på|on|næste|next|kommende|førstkommende|this|coming|this\s+coming)\s+)?"
    rf"(?P<day>{_alternation(_WEEKDAYS)})\.?",
    re.IGNORECASE,
)


def _split_time(text: str) -> tuple[str, time | None]:
    """Split "fredag kl. 14" into "fredag" and 14:00; a text without a time is kept whole."""
    match = _TIME.search(text)
    if match is None:
        return text, None
    hour = int(match["h"] or match["hh"] or match["h12"])
    minute = int(match["m"] or match["mm"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError("a 12-hour clock has no such hour")
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return text[: match.start()].strip(" ,"), time(hour, minute)  # ValueError: 25:00


def _nearest(today: date, month: int, day: int) -> date:
    """A day written without a year: its occurrence nearest to today (later wins a tie)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February outside a leap year
            continue
    if not candidates:
        raise ValueError(f"no {day}/{month} near {today}")
    return min(candidates, key=lambda c: (abs((c - today).days), c < today))


def _read_day(text: str, today: date) -> date | None:
    """A calendar day or weekday, from our own forms; None if none of them fits."""
    for pattern in _DAY_FORMS:
        match = pattern.fullmatch(text)
        if match is not None:
            if match["year"] is not None:
                return _day_range(match)[0]
            return _nearest(today, _month(match), int(match["d"]))
    weekday = _WEEKDAY.fullmatch(text)
    if weekday is not None:
        ahead = (_WEEKDAYS[weekday["day"].lower()] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    return None


def read_moment(text: str, *, now: datetime, tz: str = "Europe/Copenhagen") -> datetime:
    """Read a round's deadline as a moment after `now` (aware), returned in UTC.

    Raises UserError "moment.empty", "moment.too_long" (limit), "moment.unreadable"
    (text, stripped), "moment.past" (text, moment: the aware UTC moment read) or
    "moment.too_far" (text, moment, years: more than the horizon ahead).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    stripped = _checked(text, "moment")
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    moment: datetime | None = None
    try:
        date_part, at = _split_time(stripped)
        if not date_part and at is not None:  # a time alone ("kl. 16") is today
            day: date | None = local_now.date()
        else:
            day = _read_day(date_part, local_now.date())
        if day is None:
            relative = read_relative(date_part, local_now)
            if isinstance(relative, timedelta) and at is None:
                moment = now + relative
            elif isinstance(relative, date):
                day = relative
        if day is not None and MIN_YEAR <= day.year <= MAX_YEAR:
            moment = datetime.combine(day, END_OF_DAY if at is None else at, tzinfo=zone)
    except ValueError:
        moment = None
    if moment is None:
        raise UserError("moment.unreadable", text=stripped)
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise UserError("moment.past", text=stripped, moment=moment)
    if moment - now > HORIZON:
        raise UserError("moment.too_far", text=stripped, moment=moment, years=MOMENT_HORIZON_YEARS)
    return moment


def forecast_range(text: str, *, today: date | None = None) -> tuple[date, date] | None:
    """A forecast's earliest and latest day, or None when it has no clear meaning.

    The checklist keeps an unreadable forecast as written once the person confirms it, so
    here an unreadable text is an answer (None), not an error.
    """
    try:
        read = read_deadline(text, today=today)
    except UserError:
        return None
    return read.earliest, read.latest
