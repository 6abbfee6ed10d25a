"""Phrase tables for `reporting.deadlines`: parts of a period, seasons, "by the end of",
and days written without a year.

Standard library only. The patterns are strings: `reporting.deadlines` compiles them with
its own end-of-date lookahead and checks the year's range, so those rules live in one place.
Every form is listed, with an example and the range it yields, in docs/deadlines.md.

Conventions
-----------
- Seasons are meteorological: forår / spring 1 Mar - 31 May, sommer / summer 1 Jun - 31 Aug,
  efterår / autumn / fall 1 Sep - 30 Nov, vinter / winter YYYY 1 Dec YYYY - end of Feb YYYY+1
  (the winter that *starts* in YYYY). "vinteren 2020/21" (or 2020/2021, 2020-21) names both
  years and must name consecutive ones; only a winter may.
- Early / mid / late (primo / medio / ultimo, start / slut, først på / midt på / sidst på)
  before a quarter, a half year or a season split it into thirds by month: "ultimo 2. kvartal"
  is June, "primo 2. halvår" July-August, "late summer" August.
- "By the end of X" (inden udgangen af, senest, by the end of, no later than) keeps X's last
  day; its first day is the reference date ("today") when one is given and is not after that
  last day, else 1 January of X's (first) year: "inden udgangen af 2020" is the whole of 2020.
- A day without a year ("20/6", "20. juni") is, given a reference date, the next such day on
  or after it: "20/6" typed in December 2026 is 20 June 2027; "29/2" waits for a leap year.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

# Early / mid / late, Danish and English: exactly one of the groups primo, medio, ultimo.
PART: Final = (
    r"(?:(?P<primo>primo|early|(?:the\s+)?(?:start|beginning)\s+of|(?:i\s+)?starten\s+af"
    r"|(?:i\s+)?begyndelsen\s+af|først\s+(?:på|i)|(?:i\s+)?start\b)"
    r"|(?P<medio>medio|mid(?:dle\s+of)?\b|(?:the\s+)?middle\s+of|(?:i\s+)?midten\s+af"
    r"|midt\s+(?:i|på))"
    r"|(?P<ultimo>ultimo|late|(?:the\s+)?end\s+of|(?:i\s+)?slutningen\s+af"
    r"|(?:ved\s+)?udgangen\s+af|sidst\s+(?:i|på)|(?:i\s+)?slut\b))"
)

# A season's name (indefinite and definite) -> the number of its first month.
SEASON_STARTS: Final[dict[str, int]] = {
    "forår": 3, "foråret": 3, "spring": 3,
    "sommer": 6, "sommeren": 6, "summer": 6,
    "efterår": 9, "efteråret": 9, "autumn": 9, "fall": 9,
    "vinter": 12, "vinteren": 12, "winter": 12,
}  # fmt: skip
SEASON_WORDS: Final = "|".join(sorted(SEASON_STARTS, key=len, reverse=True))
SEASON: Final = (
    rf"(?:(?:i|in)\s+)?(?:the\s+)?(?P<season>{SEASON_WORDS})\b(?:\s+of)?\s*,?\s+"
    r"(?P<year>\d{4})(?:[/–-](?P<year2>\d{4}|\d{2}))?"
)

# "By the end of" before a period: what follows is read as a deadline and keeps its last day.
# "inden" / "before" need an end word after them ("inden 2020" is before 2020 began).
BY_END: Final = (
    r"(?:(?:inden|før|by|before)\s+(?=(?:ved\s+)?udgangen\s+af|slutningen\s+af|(?:the\s+)?end\s+of)"
    r"|senest\s+(?:i\s+)?|no\s+later\s+than\s+)"
)


def _month_start(index: int) -> date:
    """The first day of a month counted from year 0 (index = 12 * year + month - 1)."""
    return date(index // 12, index % 12 + 1, 1)


def _month_index(day: date) -> int:
    return 12 * day.year + day.month - 1


def season_range(name: str, year: int, year2: str | None = None) -> tuple[date, date]:
    """The season's days; `year2` is the second year of "vinteren 2020/21" ("21" or "2021")."""
    start = SEASON_STARTS[name.lower()]
    if year2 is not None and (start != 12 or str(year + 1)[-len(year2) :] != year2):
        raise ValueError(f"{name} {year}/{year2} is not one winter")
    first = _month_index(date(year, start, 1))
    return _month_start(first), _month_start(first + 3) - timedelta(days=1)


def thirds(earliest: date, latest: date, third: int) -> tuple[date, date]:
    """The first (0), middle (1) or last (2) third, by whole months, of a run of months."""
    months = _month_index(latest) - _month_index(earliest) + 1
    if months % 3 or earliest.day != 1:
        raise ValueError(f"{earliest}..{latest} has no thirds by month")
    first = _month_index(earliest) + third * (months // 3)
    return _month_start(first), _month_start(first + months // 3) - timedelta(days=1)


def by_end(earliest: date, latest: date, today: date | None) -> date:
    """The first day of "by the end of" a period running earliest..latest."""
    if today is not None and today <= latest:
        return today
    return date(earliest.year, 1, 1)


def next_day(today: date, month: int, day: int) -> date:
    """A day written without a year: its next occurrence on or after today."""
    for year in range(today.year, today.year + 9):  # 29 February can be 8 years off
        try:
            found = date(year, month, day)
        except ValueError:  # no such day in that year, or in any
            continue
        if found >= today:
            return found
    raise ValueError(f"no {day}/{month} after {today}")
