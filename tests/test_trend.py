"""The trend per cell (reporting/trend.py), on hand-built rounds: colours and forecasts
round by round, and its flags — worsened, improved, slipping, past the baseline, critical —
including the awkward cases: nobody answered, one unit only, a round imported late, a
milestone added mid-history, a region silent between two answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conversations.vocabulary import ALL_UNITS, Colour, Delay, Progress, RoundStatus
from reporting.matrix import Matrix, compile_matrix
from reporting.snapshot import (
    AnswerInfo,
    DeadlineInfo,
    GroupInfo,
    MilestoneInfo,
    ProgrammeInfo,
    RoundInfo,
    UnitInfo,
    make_snapshot,
)
from reporting.trend import CRITICAL_ROUNDS, SLIP_ROUNDS, Change, Flag, trend

KOL = ProgrammeInfo("kol", "KOL", "", "da", "Europe/Copenhagen", "", "Region")
NORTH = UnitInfo("nord", "Nord")
SOUTH = UnitInfo("syd", "Syd")
MEDIO_2019 = DeadlineInfo(ALL_UNITS, "Medio 2019", date(2019, 5, 1), date(2019, 8, 31))
Q2_2019_SOUTH = DeadlineInfo("syd", "2. kvartal 2019", date(2019, 4, 1), date(2019, 6, 30))
STEERING = MilestoneInfo("1.1", "Styregruppe", deadlines=(MEDIO_2019, Q2_2019_SOUTH))
TENDER = MilestoneInfo("6.1", "Udbud", deadlines=(MEDIO_2019,))
ROLLOUT = MilestoneInfo("7.1", "Udbredelse")  # added mid-history in one test
Forecast = tuple[str, date, date]
JANUARY: Forecast = ("Januar 2019", date(2019, 1, 1), date(2019, 1, 31))
MARCH: Forecast = ("Marts 2019", date(2019, 3, 1), date(2019, 3, 31))
JUNE: Forecast = ("Juni 2019", date(2019, 6, 1), date(2019, 6, 30))
AUTUMN: Forecast = ("Efterår 2019", date(2019, 9, 1), date(2019, 11, 30))


def words(progress: Progress | None, delay: Delay, critical: bool) -> str:
    return "not reported" if progress is None else f"{progress.value} {delay.value}"


def meeting(number: int, day: date, *, id_: int | None = None) -> RoundInfo:
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return RoundInfo(
        id=id_ if id_ is not None else number,
        name=f"{number}. møde",
        status=RoundStatus.PUBLISHED,
        opened_at=moment,
        deadline=moment,
        deadline_text="",
        closed_at=moment,
        published_at=moment,
        imported=False,
        date=day,
    )


def said(
    code: str,
    scope: str,
    progress: Progress,
    delay: Delay = Delay.ON_TIME,
    *,
    critical: bool = False,
    forecast: Forecast | None = None,
) -> AnswerInfo:
    text, earliest, latest = forecast if forecast is not None else ("", None, None)
    return AnswerInfo(
        milestone=code,
        scope=scope,
        progress=progress,
        delay=delay,
        critical=critical,
        forecast_text=text,
        forecast_earliest=earliest,
        forecast_latest=latest,
        remark="",
        answered_by="Lene Syd",
        answered_at=datetime(2018, 6, 1, tzinfo=UTC),
        late=False,
    )


def matrix(
    round_: RoundInfo,
    *answers: AnswerInfo,
    milestones: tuple[MilestoneInfo, ...] = (STEERING, TENDER),
    units: tuple[UnitInfo, ...] = (NORTH, SOUTH),
    programme: ProgrammeInfo = KOL,
) -> Matrix:
    groups = (GroupInfo("1", "Opstart", milestones),)
    return compile_matrix(make_snapshot(programme, round_, units, groups, answers), words)


def tender(forecast: Forecast) -> tuple[AnswerInfo, ...]:
    """A round in which Syd expects 6.1 on time by `forecast`."""
    return (said("6.1", "syd", Progress.EXPECTED, forecast=forecast),)


def rounds_of(*answers_by_round: tuple[AnswerInfo, ...]) -> list[Matrix]:
    """One matrix a round, three months apart from March 2018, in date order."""
    days = [date(2018, 3, 1), date(2018, 6, 20), date(2018, 9, 19), date(2018, 12, 12)]
    return [
        matrix(meeting(11 + n, days[n]), *answers) for n, answers in enumerate(answers_by_round)
    ]


def test_colour_and_forecast_per_round_oldest_first() -> None:
    found = trend(
        rounds_of(
            tender(JANUARY), (said("6.1", "syd", Progress.STARTED, Delay.UP_TO_3, forecast=MARCH),)
        )
    )
    cell = found.cell("6.1", "syd")
    assert [r.name for r in found.rounds] == ["11. møde", "12. møde"]
    assert [p.colour for p in cell.points] == [Colour.GREEN, Colour.YELLOW]
    assert [(p.cell.forecast, p.cell.forecast_earliest) for p in cell.points if p.cell] == [
        ("Januar 2019", date(2019, 1, 1)),
        ("Marts 2019", date(2019, 3, 1)),
    ]
    assert [p.change for p in cell.points] == [None, Change.WORSE]
    assert cell.worsened and not cell.improved
    assert cell.flags == (Flag.WORSENED,)
    assert len(found.cells) == 4  # 2 milestones × 2 units, the last round's order
    assert [(c.milestone.code, c.unit.key) for c in found.cells] == [
        ("1.1", "nord"),
        ("1.1", "syd"),
        ("6.1", "nord"),
        ("6.1", "syd"),
    ]


def test_improved_is_against_the_round_just_before() -> None:
    found = trend(
        rounds_of(
            (said("1.1", "nord", Progress.STARTED, Delay.OVER_6),),
            (said("1.1", "nord", Progress.STARTED, Delay.UP_TO_3),),
            (said("1.1", "nord", Progress.STARTED, Delay.UP_TO_3),),
        )
    )
    cell = found.cell("1.1", "nord")
    assert [p.change for p in cell.points] == [None, Change.BETTER, None]
    assert not cell.improved, "yellow both times: no change in the last round"
    assert cell.flags == ()


def test_a_silent_round_is_never_better_or_worse_nor_what_comes_after_it() -> None:
    """Red, then nobody answered, then green: neither step is a change."""
    found = trend(
        rounds_of(
            (said("1.1", "nord", Progress.STARTED, Delay.OVER_6),),
            (),
            (said("1.1", "nord", Progress.REACHED),),
        )
    )
    cell = found.cell("1.1", "nord")
    assert [p.colour for p in cell.points] == [Colour.RED, Colour.NOT_REPORTED, Colour.GREEN]
    assert [p.change for p in cell.points] == [None, None, None]
    assert not cell.improved and not cell.worsened


def test_nothing_stated_is_no_colour_to_compare() -> None:
    found = trend(
        rounds_of(
            (said("1.1", "nord", Progress.NONE), said("1.1", "syd", Progress.STARTED)),
            (
                said("1.1", "nord", Progress.STARTED, Delay.OVER_6),
                said("1.1", "syd", Progress.NONE),
            ),
        )
    )
    assert found.cell("1.1", "nord").last.change is None
    assert found.cell("1.1", "syd").last.change is None
    assert found.flagged() == ()


def test_a_forecast_moved_later_round_after_round_is_slipping() -> None:
    found = trend(
        rounds_of(
            tender(JANUARY),
            tender(MARCH),
            tender(JUNE),
            (said("6.1", "syd", Progress.STARTED, forecast=AUTUMN),),
        )
    )
    cell = found.cell("6.1", "syd")
    assert [p.later for p in cell.points] == [False, True, True, True]
    assert cell.slipped == 3
    assert cell.slipping
    assert Flag.SLIPPING in cell.flags
    assert found.flagged(Flag.SLIPPING) == (cell,)
    assert found.flagged(Flag.WORSENED) == ()


def test_one_slip_is_not_yet_slipping_and_a_pause_ends_the_run() -> None:
    once = trend(rounds_of(tender(JANUARY), tender(MARCH))).cell("6.1", "syd")
    assert (once.slipped, once.slipping) == (1, False)
    assert SLIP_ROUNDS == 2
    paused = trend(
        rounds_of(
            tender(JANUARY),
            tender(MARCH),
            tender(MARCH),  # kept
            tender(JUNE),
        )
    ).cell("6.1", "syd")
    assert [p.later for p in paused.points] == [False, True, False, True]
    assert (paused.slipped, paused.slipping) == (1, False)


@pytest.mark.parametrize(
    ("between", "why"),
    [
        ((), "nobody answered the round between"),
        ((said("6.1", "syd", Progress.EXPECTED),), "the round between gave no forecast"),
    ],
)
def test_a_round_without_a_forecast_ends_the_run(between: tuple[AnswerInfo, ...], why: str) -> None:
    cell = trend(rounds_of(tender(JANUARY), tender(MARCH), between, tender(JUNE))).cell(
        "6.1", "syd"
    )
    assert cell.slipped == 0, why
    assert not cell.slipping


def test_a_reached_milestone_does_not_slip() -> None:
    cell = trend(
        rounds_of(
            tender(JANUARY),
            tender(MARCH),
            (said("6.1", "syd", Progress.REACHED, forecast=JUNE),),  # reached in June
        )
    ).cell("6.1", "syd")
    assert [p.later for p in cell.points] == [False, True, False]
    assert not cell.slipping


def test_on_time_with_a_forecast_past_the_baseline_is_flagged() -> None:
    """Medio 2019 (latest 31 August) for every unit, 2. kvartal 2019 (30 June) for Syd."""
    found = trend(
        rounds_of(
            (
                said("1.1", "nord", Progress.EXPECTED, forecast=AUTUMN),  # Sep > Aug: past
                said("1.1", "syd", Progress.EXPECTED, forecast=AUTUMN),  # past its own too
                said("6.1", "nord", Progress.EXPECTED, forecast=JUNE),  # June ≤ August
                said("6.1", "syd", Progress.STARTED, Delay.UP_TO_6, forecast=AUTUMN),  # said late
            ),
        )
    )
    assert found.cell("1.1", "nord").past_baseline
    assert found.cell("1.1", "nord").flags == (Flag.PAST_BASELINE,)
    assert found.cell("1.1", "syd").baseline == Q2_2019_SOUTH
    assert found.cell("1.1", "syd").past_baseline
    assert not found.cell("6.1", "nord").past_baseline
    assert not found.cell("6.1", "syd").past_baseline, "answered late: not 'on time'"
    assert [(c.milestone.code, c.unit.key) for c in found.flagged(Flag.PAST_BASELINE)] == [
        ("1.1", "nord"),
        ("1.1", "syd"),
    ]


def test_the_baseline_is_compared_with_the_forecasts_earliest_day() -> None:
    """«Medio 2019» can mean 1 May – 31 August: it may still meet Syd's own baseline
    (30 June), so it is not past it; the last day itself is not past it either; a forecast
    of July is; a milestone without a baseline, or reached, never is."""
    medio: Forecast = ("Medio 2019", date(2019, 5, 1), date(2019, 8, 31))
    last_day: Forecast = ("30. juni 2019", date(2019, 6, 30), date(2019, 6, 30))
    july: Forecast = ("Juli 2019", date(2019, 7, 1), date(2019, 7, 31))
    found = trend(
        rounds_of(
            (
                said("1.1", "syd", Progress.EXPECTED, forecast=medio),
                said("1.1", "nord", Progress.REACHED, forecast=AUTUMN),
            ),
            (said("1.1", "syd", Progress.EXPECTED, forecast=last_day),),
            (said("1.1", "syd", Progress.STARTED, forecast=july),),
        ),
    )
    cell = found.cell("1.1", "syd")
    assert [p.past_baseline for p in cell.points] == [False, False, True]
    assert not found.cell("1.1", "nord").points[0].past_baseline
    no_baseline = trend(
        [
            matrix(
                meeting(1, date(2018, 3, 1)),
                said("7.1", "syd", Progress.EXPECTED, forecast=AUTUMN),
                milestones=(ROLLOUT,),
            )
        ]
    )
    assert not no_baseline.cell("7.1", "syd").past_baseline


def test_critical_round_after_round() -> None:
    north = said("1.1", "nord", Progress.STARTED, critical=True)
    south = said("1.1", "syd", Progress.STARTED, critical=True)
    calm = said("1.1", "syd", Progress.STARTED)
    found = trend(rounds_of((north, south), (north, calm), (north, south)))
    assert CRITICAL_ROUNDS == 2
    north_cell, south_cell = found.cell("1.1", "nord"), found.cell("1.1", "syd")
    assert (north_cell.critical_for, north_cell.critical) == (3, True)
    assert north_cell.flags == (Flag.CRITICAL,)
    assert (south_cell.critical_for, south_cell.critical) == (1, False)


def test_a_reporters_answer_for_every_unit_is_each_units_trend() -> None:
    found = trend(
        rounds_of(
            (said("6.1", ALL_UNITS, Progress.EXPECTED, forecast=JANUARY),),
            (said("6.1", ALL_UNITS, Progress.EXPECTED, forecast=MARCH),),
            (
                said("6.1", ALL_UNITS, Progress.EXPECTED, forecast=JUNE),
                said("6.1", "nord", Progress.REACHED),  # Nord set apart: done
            ),
        )
    )
    assert found.cell("6.1", "syd").slipping
    assert not found.cell("6.1", "nord").slipping


def test_nobody_answered_anything() -> None:
    found = trend(rounds_of((), (), ()))
    assert len(found.rounds) == 3
    assert all(p.colour is Colour.NOT_REPORTED for c in found.cells for p in c.points)
    assert all(p.cell is not None and not p.cell.reported for c in found.cells for p in c.points)
    assert found.flagged() == ()
    assert all((c.slipped, c.critical_for) == (0, 0) for c in found.cells)


def test_one_unit_only() -> None:
    owner = UnitInfo("danske-regioner", "Danske Regioner")
    days = (date(2020, 3, 1), date(2020, 6, 1))
    answers = (
        (said("1.1", owner.key, Progress.STARTED),),
        (said("1.1", owner.key, Progress.STARTED, Delay.OVER_6),),
    )
    found = trend(
        [
            matrix(meeting(n, day), *given, units=(owner,))
            for n, (day, given) in enumerate(zip(days, answers, strict=True))
        ]
    )
    assert [(c.milestone.code, c.unit.key) for c in found.cells] == [
        ("1.1", "danske-regioner"),
        ("6.1", "danske-regioner"),
    ]
    assert found.cell("1.1", owner.key).flags == (Flag.WORSENED,)


def test_a_round_imported_late_is_taken_in_date_order() -> None:
    """«11. møde» was imported after «13. møde» (a higher id, an earlier date): handed in
    by date (as service.history orders them) it compares where it belongs; handed in the
    order the rounds were made, the trend refuses rather than compare backwards."""
    thirteen = matrix(
        meeting(13, date(2018, 9, 19), id_=1),
        said("6.1", "syd", Progress.EXPECTED, forecast=JUNE),
    )
    twelve = matrix(
        meeting(12, date(2018, 6, 20), id_=2),
        said("6.1", "syd", Progress.EXPECTED, forecast=MARCH),
    )
    eleven = matrix(
        meeting(11, date(2018, 3, 1), id_=3),
        said("6.1", "syd", Progress.EXPECTED, forecast=JANUARY),
    )
    found = trend([eleven, twelve, thirteen])
    assert [r.id for r in found.rounds] == [3, 2, 1]
    assert found.cell("6.1", "syd").slipped == 2
    with pytest.raises(ValueError, match="not in date order"):
        trend([thirteen, twelve, eleven])


def test_a_milestone_added_mid_history_starts_where_it_was_added() -> None:
    before = matrix(meeting(11, date(2018, 3, 1)), said("1.1", "syd", Progress.STARTED))
    after = [
        matrix(
            meeting(number, day),
            said("7.1", "syd", Progress.EXPECTED, forecast=forecast),
            milestones=(STEERING, TENDER, ROLLOUT),
        )
        for number, day, forecast in (
            (12, date(2018, 6, 20), JANUARY),
            (13, date(2018, 9, 19), MARCH),
            (14, date(2018, 12, 12), JUNE),
        )
    ]
    found = trend([before, *after])
    cell = found.cell("7.1", "syd")
    assert cell.points[0].cell is None
    assert cell.points[0].colour is Colour.NOT_REPORTED
    assert [p.change for p in cell.points] == [None, None, None, None]
    assert cell.slipped == 2
    assert [c.milestone.code for c in found.cells[::2]] == ["1.1", "6.1", "7.1"]


def test_the_last_n_rounds_only() -> None:
    matrices = rounds_of(tender(JANUARY), tender(MARCH), tender(JUNE))
    found = trend(matrices, last=2)
    assert [r.name for r in found.rounds] == ["12. møde", "13. møde"]
    assert found.cell("6.1", "syd").slipped == 1
    assert trend(matrices, last=10).cell("6.1", "syd").slipped == 2
    with pytest.raises(ValueError, match="at least 1"):
        trend(matrices, last=0)


def test_no_rounds_and_rounds_of_two_programmes() -> None:
    empty = trend([])
    assert (empty.rounds, empty.cells, empty.get("1.1", "syd")) == ((), (), None)
    other = ProgrammeInfo("oea", "ØA", "", "da", "Europe/Copenhagen", "", "")
    with pytest.raises(ValueError, match="two programmes"):
        trend(
            [
                matrix(meeting(1, date(2018, 3, 1))),
                matrix(meeting(2, date(2018, 6, 1)), programme=other),
            ]
        )


def test_flags_are_told_in_one_order() -> None:
    """Worse, slipping and critical at once, in Flag's order (worse and past the baseline
    exclude each other: only an answer on time, green, can be past its baseline)."""
    found = trend(
        rounds_of(
            (said("1.1", "nord", Progress.EXPECTED, critical=True, forecast=JUNE),),
            (said("1.1", "nord", Progress.EXPECTED, critical=True, forecast=AUTUMN),),
            (
                said(
                    "1.1",
                    "nord",
                    Progress.STARTED,
                    Delay.UP_TO_3,
                    critical=True,
                    forecast=("Ultimo 2019", date(2019, 10, 1), date(2019, 12, 31)),
                ),
            ),
        )
    )
    cell = found.cell("1.1", "nord")
    assert cell.flags == (Flag.WORSENED, Flag.SLIPPING, Flag.CRITICAL)
    assert [p.past_baseline for p in cell.points] == [False, True, False]
