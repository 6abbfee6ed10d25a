"""Seasons, parts of a quarter, half or season, "by the end of", days without a year, and the
table in docs/deadlines.md (every example in it must read to the range it states)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from conversations.errors import UserError
from reporting.deadline_phrases import next_day, season_range, thirds
from reporting.deadlines import DeadlineRange, read_deadline

D = date
DOC = Path(__file__).resolve().parent.parent / "docs" / "deadlines.md"

SEASONS: list[tuple[str, date, date]] = [
    # Danish, indefinite and definite, any case.
    ("forår 2020", D(2020, 3, 1), D(2020, 5, 31)),
    ("FORÅR 2020", D(2020, 3, 1), D(2020, 5, 31)),
    ("foråret 2019", D(2019, 3, 1), D(2019, 5, 31)),
    ("i foråret 2018", D(2018, 3, 1), D(2018, 5, 31)),
    ("sommer 2021", D(2021, 6, 1), D(2021, 8, 31)),
    ("Sommeren 2022", D(2022, 6, 1), D(2022, 8, 31)),
    ("efterår 2021", D(2021, 9, 1), D(2021, 11, 30)),
    ("efteråret 2020", D(2020, 9, 1), D(2020, 11, 30)),
    ("vinter 2019", D(2019, 12, 1), D(2020, 2, 29)),  # a leap February
    ("vinteren 2020", D(2020, 12, 1), D(2021, 2, 28)),
    ("vinteren 2020/21", D(2020, 12, 1), D(2021, 2, 28)),
    ("vinteren 2020/2021", D(2020, 12, 1), D(2021, 2, 28)),
    ("vinter 2023-24", D(2023, 12, 1), D(2024, 2, 29)),
    ("vinteren 2099/00", D(2099, 12, 1), D(2100, 2, 28)),  # 2100 is no leap year
    # English.
    ("spring 2020", D(2020, 3, 1), D(2020, 5, 31)),
    ("Spring 2020", D(2020, 3, 1), D(2020, 5, 31)),
    ("in the spring of 2020", D(2020, 3, 1), D(2020, 5, 31)),
    ("summer 2021", D(2021, 6, 1), D(2021, 8, 31)),
    ("summer of 2021", D(2021, 6, 1), D(2021, 8, 31)),
    ("autumn 2020", D(2020, 9, 1), D(2020, 11, 30)),
    ("fall 2020", D(2020, 9, 1), D(2020, 11, 30)),
    ("in autumn 2020", D(2020, 9, 1), D(2020, 11, 30)),
    ("winter 2020", D(2020, 12, 1), D(2021, 2, 28)),
    ("winter 2020/21", D(2020, 12, 1), D(2021, 2, 28)),
    ("WINTER 2020–21", D(2020, 12, 1), D(2021, 2, 28)),
]

PARTS: list[tuple[str, date, date]] = [
    # Early / mid / late before a quarter: its first, middle, last month.
    ("ultimo 2. kvartal 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("ultimo Q2 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("Ultimo andet kvartal 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("udgangen af 2. kvartal 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("slut 4. kvartal 2019", D(2019, 12, 1), D(2019, 12, 31)),
    ("primo 3. kvartal 2020", D(2020, 7, 1), D(2020, 7, 31)),
    ("start Q2 2020", D(2020, 4, 1), D(2020, 4, 30)),
    ("medio 1. kvartal 2021", D(2021, 2, 1), D(2021, 2, 28)),
    ("end of Q2 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("the end of Q2 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("late 2nd quarter 2020", D(2020, 6, 1), D(2020, 6, 30)),
    ("early Q3 2020", D(2020, 7, 1), D(2020, 7, 31)),
    ("mid-Q2 2020", D(2020, 5, 1), D(2020, 5, 31)),
    # Before a half year: two months each.
    ("primo 2. halvår 2019", D(2019, 7, 1), D(2019, 8, 31)),
    ("medio 1. halvår 2019", D(2019, 3, 1), D(2019, 4, 30)),
    ("ultimo 1. halvår 2019", D(2019, 5, 1), D(2019, 6, 30)),
    ("late H2 2019", D(2019, 11, 1), D(2019, 12, 31)),
    # Before a season: one month each.
    ("først på foråret 2020", D(2020, 3, 1), D(2020, 3, 31)),
    ("midt på sommeren 2020", D(2020, 7, 1), D(2020, 7, 31)),
    ("sidst på sommeren 2020", D(2020, 8, 1), D(2020, 8, 31)),
    ("i slutningen af efteråret 2020", D(2020, 11, 1), D(2020, 11, 30)),
    ("medio vinteren 2020/21", D(2021, 1, 1), D(2021, 1, 31)),
    ("early spring 2020", D(2020, 3, 1), D(2020, 3, 31)),
    ("late summer 2020", D(2020, 8, 1), D(2020, 8, 31)),
    ("end of winter 2019/20", D(2020, 2, 1), D(2020, 2, 29)),
    # Start / slut of a year or month: the same thirds as primo / ultimo.
    ("start 2020", D(2020, 1, 1), D(2020, 4, 30)),
    ("Start 2020", D(2020, 1, 1), D(2020, 4, 30)),
    ("slut 2020", D(2020, 9, 1), D(2020, 12, 31)),
    ("SLUT 2020", D(2020, 9, 1), D(2020, 12, 31)),
    ("i slut 2020", D(2020, 9, 1), D(2020, 12, 31)),
    ("slut oktober 2019", D(2019, 10, 21), D(2019, 10, 31)),
    ("start juni 2019", D(2019, 6, 1), D(2019, 6, 10)),
    ("early 2021", D(2021, 1, 1), D(2021, 4, 30)),
    ("late 2021", D(2021, 9, 1), D(2021, 12, 31)),
]

BY_END: list[tuple[str, date, date]] = [
    ("inden udgangen af 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("Inden udgangen af 2019", D(2019, 1, 1), D(2019, 12, 31)),
    ("inden slutningen af 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("før udgangen af 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("senest ved udgangen af 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("senest ultimo 2015", D(2015, 1, 1), D(2015, 12, 31)),
    ("senest i 2017", D(2017, 1, 1), D(2017, 12, 31)),
    ("inden udgangen af 1. kvartal 2018", D(2018, 1, 1), D(2018, 3, 31)),
    ("inden udgangen af tredje kvartal 2021", D(2021, 1, 1), D(2021, 9, 30)),
    ("inden udgangen af juni 2020", D(2020, 1, 1), D(2020, 6, 30)),
    ("senest 31/3 2018", D(2018, 1, 1), D(2018, 3, 31)),
    ("by the end of 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("By End Of 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("before the end of 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("no later than 2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("by the end of Q2 2020", D(2020, 1, 1), D(2020, 6, 30)),
    ("by the end of March 2018", D(2018, 1, 1), D(2018, 3, 31)),
    ("no later than winter 2020/21", D(2020, 1, 1), D(2021, 2, 28)),
]


@pytest.mark.parametrize(("text", "earliest", "latest"), SEASONS + PARTS + BY_END)
def test_read_phrase(text: str, earliest: date, latest: date) -> None:
    assert read_deadline(text) == DeadlineRange(text, earliest, latest, "")


# The phrases as the Danish Regions' follow-up (seed 004) writes them, with what follows them.
SEED_004: list[tuple[str, date, date, str]] = [
    ("Forår 2020", D(2020, 3, 1), D(2020, 5, 31), ""),
    ("sommeren 2021", D(2021, 6, 1), D(2021, 8, 31), ""),
    ("efterår 2020", D(2020, 9, 1), D(2020, 11, 30), ""),
    ("inden udgangen af 2020", D(2020, 1, 1), D(2020, 12, 31), ""),
    ("ultimo 2. kvartal 2020", D(2020, 6, 1), D(2020, 6, 30), ""),
    ("i sommeren 2021.", D(2021, 6, 1), D(2021, 8, 31), ""),
    ("i efteråret 2020.", D(2020, 9, 1), D(2020, 11, 30), ""),
    ("efterår 2020 og", D(2020, 9, 1), D(2020, 11, 30), "og"),
    ("I foråret 2018 vurderede", D(2018, 3, 1), D(2018, 5, 31), "vurderede"),
    ("inden udgangen af 2020 har", D(2020, 1, 1), D(2020, 12, 31), "har"),
    ("inden udgangen af 1. kvartal 2018.", D(2018, 1, 1), D(2018, 3, 31), ""),
    ("i slut oktober 2019.", D(2019, 10, 21), D(2019, 10, 31), ""),
    ("start Q2 2020", D(2020, 4, 1), D(2020, 4, 30), ""),
    ("senest ultimo 2017.", D(2017, 1, 1), D(2017, 12, 31), ""),
    ("sommer 2020, afhænger af udbud", D(2020, 6, 1), D(2020, 8, 31), "afhænger af udbud"),
]


@pytest.mark.parametrize(("text", "earliest", "latest", "remark"), SEED_004)
def test_seed_004_phrases(text: str, earliest: date, latest: date, remark: str) -> None:
    assert read_deadline(text) == DeadlineRange(text, earliest, latest, remark)


# A day without a year is the next one on or after the reference date.
YEARLESS: list[tuple[str, date, date]] = [
    ("20/6", D(2026, 12, 1), D(2027, 6, 20)),  # typed in December: next June
    ("20. juni", D(2026, 12, 1), D(2027, 6, 20)),
    ("20 June", D(2026, 12, 1), D(2027, 6, 20)),
    ("June 20", D(2026, 12, 1), D(2027, 6, 20)),
    ("20/6", D(2026, 6, 19), D(2026, 6, 20)),
    ("20/6", D(2026, 6, 20), D(2026, 6, 20)),  # today is still the next
    ("20/6", D(2026, 6, 21), D(2027, 6, 20)),  # yesterday: next year
    ("10/1", D(2018, 12, 20), D(2019, 1, 10)),
    ("10/1", D(2018, 6, 11), D(2019, 1, 10)),  # never back to January gone
    ("1.3", D(2019, 3, 2), D(2020, 3, 1)),
    ("29/2", D(2025, 3, 1), D(2028, 2, 29)),  # the next leap day
    ("29/2", D(2096, 3, 1), D(2104, 2, 29)),  # 2100 is no leap year
    ("den 5. januar", D(2020, 12, 31), D(2021, 1, 5)),
]


@pytest.mark.parametrize(("text", "today", "expected"), YEARLESS)
def test_a_day_without_a_year_is_the_next_one(text: str, today: date, expected: date) -> None:
    assert read_deadline(text, today=today) == DeadlineRange(text, expected, expected, "")


def test_a_day_without_a_year_keeps_its_remark() -> None:
    read = read_deadline("20/6 – afhænger af leverandøren", today=D(2026, 12, 1))
    assert (read.earliest, read.latest) == (D(2027, 6, 20), D(2027, 6, 20))
    assert read.remark == "afhænger af leverandøren"


def test_a_day_with_its_year_ignores_the_reference_date() -> None:
    read = read_deadline("20/6 2026", today=D(2026, 12, 1))
    assert (read.earliest, read.latest) == (D(2026, 6, 20), D(2026, 6, 20))


BY_END_TODAY: list[tuple[str, date, date, date]] = [
    ("inden udgangen af 2020", D(2020, 3, 1), D(2020, 3, 1), D(2020, 12, 31)),
    ("inden udgangen af 2020", D(2019, 10, 1), D(2019, 10, 1), D(2020, 12, 31)),
    ("inden udgangen af 2020", D(2020, 12, 31), D(2020, 12, 31), D(2020, 12, 31)),
    ("inden udgangen af 2020", D(2021, 3, 1), D(2020, 1, 1), D(2020, 12, 31)),  # past
    ("by the end of Q2 2020", D(2020, 5, 5), D(2020, 5, 5), D(2020, 6, 30)),
    ("senest 20/6", D(2026, 12, 1), D(2026, 12, 1), D(2027, 6, 20)),
]


@pytest.mark.parametrize(("text", "today", "earliest", "latest"), BY_END_TODAY)
def test_by_the_end_of_starts_on_the_reference_date(
    text: str, today: date, earliest: date, latest: date
) -> None:
    assert read_deadline(text, today=today) == DeadlineRange(text, earliest, latest, "")


def test_other_forms_ignore_the_reference_date() -> None:
    today = D(2020, 7, 15)
    for text in ("sommeren 2020", "ultimo 2. kvartal 2020", "2020", "juli 2020"):
        assert read_deadline(text, today=today) == read_deadline(text)


REFUSED: list[tuple[str, date | None]] = [
    ("foråret", None),  # a season needs a year
    ("foråret", D(2020, 1, 1)),  # ... even with a reference date
    ("sommer 2020/21", None),  # only a winter spans two years
    ("vinteren 2020/22", None),
    ("vinteren 2020/19", None),
    ("winter 2020/2022", None),
    ("forår 1899", None),
    ("spring 2200", None),
    ("2020 forår", None),  # a season after the year
    ("2020 sommeren", None),
    ("ultimo 2. kvartal", None),
    ("ultimo 5. kvartal 2020", None),
    ("primo Q0 2020", None),
    ("sidst på sommeren", None),
    ("late H3 2020", None),
    ("inden 2020", None),  # before 2020 began: not "by the end of"
    ("before 2020", None),
    ("inden udgangen af", None),
    ("inden udgangen af året", None),
    ("by the end of the year", None),
    ("senest snart", None),
    ("inden udgangen af 2200", None),
    ("20/6", None),  # no year, no reference date
    ("20. juni", None),
    ("31/2", D(2025, 1, 1)),  # no such day in any year
    ("32/1", D(2025, 1, 1)),
    ("1/13", D(2025, 1, 1)),
    ("juni", D(2025, 1, 1)),  # only a day may go without its year
    ("medio juni", D(2025, 1, 1)),
    ("uge 34", D(2025, 1, 1)),
    ("2. kvartal", D(2025, 1, 1)),
]


@pytest.mark.parametrize(("text", "today"), REFUSED)
def test_refused(text: str, today: date | None) -> None:
    with pytest.raises(UserError) as raised:
        read_deadline(text, today=today)
    assert raised.value == UserError("deadline.unreadable", text=text)


def test_season_range_and_thirds() -> None:
    assert season_range("Vinteren", 2023, "24") == (D(2023, 12, 1), D(2024, 2, 29))
    assert thirds(D(2020, 1, 1), D(2020, 12, 31), 0) == (D(2020, 1, 1), D(2020, 4, 30))
    assert thirds(D(2020, 12, 1), D(2021, 2, 28), 2) == (D(2021, 2, 1), D(2021, 2, 28))
    with pytest.raises(ValueError, match="no thirds"):
        thirds(D(2020, 1, 1), D(2020, 2, 29), 0)
    assert next_day(D(2026, 12, 1), 6, 20) == D(2027, 6, 20)


# The table in docs/deadlines.md: | Form | Dansk | English | Earliest | Latest |
_ROW = re.compile(
    r"^\|(?P<form>[^|]+)\|(?P<da>[^|]+)\|(?P<en>[^|]+)\|(?P<a>[^|]+)\|(?P<b>[^|]+)\|$"
)
_EXAMPLE = re.compile(r"`([^`]+)`")


def _doc_rows() -> list[tuple[str, str, date, date]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line.strip())
        if match is None or match["form"].strip() in {"Form", "---"}:
            continue
        earliest, latest = (date.fromisoformat(match[k].strip()) for k in ("a", "b"))
        for column in ("da", "en"):
            examples = _EXAMPLE.findall(match[column])
            assert examples, f"row {match['form'].strip()!r} has no {column} example"
            rows += [(match["form"].strip(), example, earliest, latest) for example in examples]
    return rows


DOC_ROWS = _doc_rows()


def test_the_doc_table_is_all_there() -> None:
    forms = {form for form, *_ in DOC_ROWS}
    assert len(forms) >= 28
    examples = {example.lower() for _, example, *_ in DOC_ROWS}
    for text, *_ in SEED_004[:5]:  # the seed's phrases are in it
        assert text.lower() in examples


@pytest.mark.parametrize(
    ("form", "example", "earliest", "latest"), DOC_ROWS, ids=[row[1] for row in DOC_ROWS]
)
def test_the_doc_table_reads_as_it_says(
    form: str, example: str, earliest: date, latest: date
) -> None:
    read = read_deadline(example)
    assert (read.earliest, read.latest) == (earliest, latest), form
    assert read.remark == ""
