"""The «Udvikling» page's content (render/documents/trend_page.py), without a PDF: the cells
to watch in the order of the worst news, each with its steps round by round, and both
lists capped with what was left out counted."""

from __future__ import annotations

from datetime import date

from conversations.vocabulary import Delay, Progress
from render.documents.trend_page import FLAGGED_LIMIT, REST_LIMIT, trend_page
from reporting.snapshot import MilestoneInfo
from reporting.trend import trend
from tests.test_trend import (
    AUTUMN,
    JANUARY,
    MARCH,
    NORTH,
    SOUTH,
    matrix,
    meeting,
    rounds_of,
    said,
    tender,
)


def test_the_worst_news_first_with_its_steps() -> None:
    critical = said("1.1", "nord", Progress.EXPECTED, critical=True)
    rounds = rounds_of(
        (critical, *tender(JANUARY)),
        (critical, *tender(MARCH)),
        (critical, said("6.1", "syd", Progress.STARTED, Delay.UP_TO_6, forecast=AUTUMN)),
    )
    page = trend_page(rounds[-1], trend(rounds))
    assert [r.name for r in page.rounds] == ["11. møde", "12. møde", "13. møde"]
    assert page.previous == "12. møde"
    first, second = page.watched
    assert (first.milestone.code, first.unit) == ("6.1", "Syd")  # worse comes before critical
    assert [m.kind for m in first.marks] == ["worsened", "slipping"]
    assert [m.rounds for m in first.marks] == [0, 2]
    assert [(s.forecast, s.later, s.colour) for s in first.steps] == [
        ("Januar 2019", False, "green"),
        ("Marts 2019", True, "green"),
        ("Efterår 2019", True, "red"),
    ]
    assert (second.milestone.code, second.unit) == ("1.1", "Nord")
    assert [(m.kind, m.rounds) for m in second.marks] == [("critical", 3)]
    assert all(step.critical for step in second.steps)
    assert page.rest_cells == 2  # 1.1 Syd and 6.1 Nord
    assert [line.milestone.code for line in page.rest] == ["1.1", "6.1"]
    assert [[(t.swatch.colour, t.count) for t in r] for r in page.rest[0].rounds] == [
        [("not_reported", 1)]
    ] * 3


def test_both_lists_are_capped_and_what_is_left_out_is_counted() -> None:
    count = max(FLAGGED_LIMIT, REST_LIMIT) + 7
    milestones = tuple(MilestoneInfo(f"{n}.1", f"Milepæl nummer {n}") for n in range(count))
    days = (date(2018, 3, 1), date(2018, 6, 20))
    rounds = [
        matrix(
            meeting(11 + n, day),
            *(said(m.code, "nord", Progress.STARTED, critical=True) for m in milestones),
            milestones=milestones,
            units=(NORTH, SOUTH),
        )
        for n, day in enumerate(days)
    ]
    page = trend_page(rounds[-1], trend(rounds))
    assert len(page.watched) == FLAGGED_LIMIT
    assert page.watched_more == count - FLAGGED_LIMIT
    assert len(page.rest) == REST_LIMIT
    assert page.rest_more == count - REST_LIMIT
    assert page.rest_cells == count  # Syd's, nobody answered
