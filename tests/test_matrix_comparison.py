"""Cells resolved from answers, the previous round found, and the changes between two rounds."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conversations.vocabulary import ALL_UNITS, Colour, Delay, Progress
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot, previous_round
from render.words import describer, worded_matrix
from reporting.comparison import (
    CellRef,
    ColourChange,
    Comparison,
    ForecastMove,
    Missing,
    MissingKind,
)
from reporting.matrix import Source, local_cells
from service.comparisons import compile_comparison, load_comparison, store_comparison
from tests.matrix_support import answer, close_round, create_kol, open_round, submit

MARCH = datetime(2018, 3, 1, 9, tzinfo=UTC)
JUNE = datetime(2018, 6, 1, 9, tzinfo=UTC)
SEPTEMBER = datetime(2018, 9, 1, 9, tzinfo=UTC)


async def two_rounds() -> tuple[Round, Round]:
    """March (closed) and June (closed), with one change of every kind between them."""
    programme = await create_kol()
    march = await open_round(programme, "11. møde", MARCH)
    await answer(march, "3.1", "midtjylland", Progress.STARTED, Delay.UP_TO_3)
    await answer(march, "4.1", "hovedstaden", Progress.EXPECTED)
    await answer(march, "5.1", "sjaelland", Progress.STARTED)
    await answer(march, "4.2", "midtjylland", Progress.EXPECTED, critical=True)
    await answer(march, "4.1", "syddanmark", Progress.EXPECTED, forecast="Medio 2019")
    await answer(march, "4.2", "syddanmark", Progress.STARTED, forecast="Januar 2019")
    await answer(march, "7.1", "nordjylland", Progress.REACHED)
    await answer(march, "5.3", "hovedstaden", Progress.STARTED, Delay.OVER_6, critical=True)
    await close_round(march, MARCH)
    june = await open_round(programme, "12. møde", JUNE)
    await answer(june, "3.1", "midtjylland", Progress.REACHED)  # yellow → green
    await answer(june, "4.1", "hovedstaden", Progress.EXPECTED, Delay.UP_TO_6)  # green → red
    await answer(june, "6.3", "syddanmark", Progress.EXPECTED)  # newly stated
    await answer(june, "5.1", "sjaelland", Progress.NONE)  # stated nothing: no longer stated
    # 5.3 Hovedstaden (red, critical in March) not answered: not reported, not compared
    await answer(june, "4.2", "midtjylland", Progress.EXPECTED)  # critical cleared
    await answer(june, "6.1 B", ALL_UNITS, Progress.EXPECTED)
    await answer(june, "6.1 B", "midtjylland", Progress.EXPECTED, critical=True)  # new critical
    await answer(june, "4.1", "syddanmark", Progress.EXPECTED, forecast="Ultimo 2019")  # later
    await answer(june, "4.2", "syddanmark", Progress.STARTED, forecast="December 2018")  # earlier
    await answer(june, "7.1", "nordjylland", Progress.REACHED)  # the same
    await submit(june, "unit:hovedstaden")
    await submit(june, "unit:midtjylland")
    await submit(june, "reporter:fut")
    await close_round(june, JUNE)
    return march, june


async def test_a_unit_answer_overrides_the_answer_for_every_unit(db: str) -> None:
    _, june = await two_rounds()
    matrix = worded_matrix(await load_snapshot(june.id))
    own = matrix.cell("6.1 B", "midtjylland")
    common = matrix.cell("6.1 B", "hovedstaden")
    assert (own.source, own.critical, own.colour) == (Source.UNIT, True, Colour.GREEN)
    assert (common.source, common.critical) == (Source.ALL, False)
    silent = matrix.cell("1.1", "hovedstaden")
    assert (silent.source, silent.colour, silent.text) == (
        Source.NONE,
        Colour.NOT_REPORTED,
        "Ikke indberettet",
    )
    stated_nothing = matrix.cell("5.1", "sjaelland")
    assert (stated_nothing.source, stated_nothing.colour, stated_nothing.text) == (
        Source.UNIT,
        Colour.NONE,
        "Intet angivet",
    )


async def test_local_items_stay_out_of_the_matrix(db: str) -> None:
    _, june = await two_rounds()
    snapshot = await load_snapshot(june.id)
    matrix = worded_matrix(snapshot)
    assert matrix.get("SYD-1", "syddanmark") is None
    assert sum(1 for _ in matrix.cells()) == 160
    assert [item.code for item, _ in local_cells(snapshot, "syddanmark", describer("da"))] == [
        "SYD-1",
        "SYD-2",
    ]
    assert local_cells(snapshot, "hovedstaden", describer("da")) == ()


async def test_the_snapshot_carries_people_deadlines_and_submissions(db: str) -> None:
    _, june = await two_rounds()
    snapshot = await load_snapshot(june.id)
    milestone = next(m for m in snapshot.milestones() if m.code == "6.1 A")
    assert (milestone.reporter, milestone.reporter_key) == ("FUT", "fut")
    deadline = milestone.deadline_for("syddanmark")
    assert deadline is not None
    assert deadline.text == "27-11-2017"
    assert (
        next(m for m in snapshot.milestones() if m.code == "4.1").deadline_for("hovedstaden")
        is None
    )
    assert snapshot.units[0].leads == ("Projektleder Hovedstaden",)
    assert [reporter.key for reporter in snapshot.reporters] == ["fut"]
    assert snapshot.reporters[0].milestones == ("6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4")
    assert {s.scope for s in snapshot.submissions} == {
        "unit:hovedstaden",
        "unit:midtjylland",
        "reporter:fut",
    }
    assert snapshot.programme.source == "Landsdelsprogrammerne"
    assert snapshot.round.name == "12. møde"


async def test_previous_round_is_the_latest_closed_one_before(db: str) -> None:
    march, june = await two_rounds()
    september = await open_round(await june.programme, "13. møde", SEPTEMBER)
    before_june = await previous_round(june.programme_id, june.id)
    assert before_june is not None and before_june.id == march.id
    before_september = await previous_round(june.programme_id, september.id)
    assert before_september is not None and before_september.id == june.id
    assert await previous_round(june.programme_id, march.id) is None


async def test_every_kind_of_change_is_found(db: str) -> None:
    _, june = await two_rounds()
    comparison = await compile_comparison(june.id)
    assert comparison.previous == "11. møde"
    assert comparison.better == (ColourChange("3.1", "midtjylland", Colour.YELLOW, Colour.GREEN),)
    assert comparison.worse == (ColourChange("4.1", "hovedstaden", Colour.GREEN, Colour.RED),)
    newly = {(c.milestone, c.unit) for c in comparison.newly_stated}
    assert ("6.3", "syddanmark") in newly
    assert ("6.1 B", "nordjylland") in newly  # the answer for every unit
    assert ("7.1", "nordjylland") not in newly
    assert comparison.no_longer_stated == (
        ColourChange("5.1", "sjaelland", Colour.GREEN, Colour.NONE),
    )
    assert comparison.new_critical == (CellRef("6.1 B", "midtjylland"),)
    assert comparison.cleared_critical == (CellRef("4.2", "midtjylland"),)
    assert comparison.later_forecasts == (
        ForecastMove(
            "4.1", "syddanmark", "Medio 2019", date(2019, 8, 31), "Ultimo 2019", date(2019, 12, 31)
        ),
    )
    silent = {(c.milestone, c.unit) for c in comparison.not_reported}
    assert ("5.3", "hovedstaden") in silent  # red and critical in March, silent in June
    assert ("5.3", "hovedstaden") not in {(c.milestone, c.unit) for c in comparison.worse}
    assert CellRef("5.3", "hovedstaden") not in comparison.cleared_critical
    assert ("5.1", "sjaelland") not in silent
    assert len(silent) == 160 - 8 - 5  # 8 cells answered by units, 6.1 B for every unit
    assert comparison.missing == (
        Missing(MissingKind.UNIT, "nordjylland", "Nordjylland", ("Projektleder Nordjylland",)),
        Missing(MissingKind.UNIT, "sjaelland", "Sjælland", ("Projektleder Sjælland",)),
        Missing(MissingKind.UNIT, "syddanmark", "Syddanmark", ("Projektleder Syddanmark",)),
    )
    assert comparison.changed


async def test_the_first_round_has_nothing_to_compare(db: str) -> None:
    march, _ = await two_rounds()
    comparison = await compile_comparison(march.id)
    assert comparison.previous is None
    assert not comparison.changed
    assert len(comparison.missing) == 6  # five units and FUT: March has no submissions


async def test_the_comparison_survives_json(db: str) -> None:
    _, june = await two_rounds()
    comparison = await compile_comparison(june.id)
    again = Comparison.from_json(comparison.to_json())
    assert again == comparison
    assert Comparison.from_dict(comparison.to_dict()) == comparison


async def test_a_stored_comparison_does_not_move_when_the_previous_round_changes(db: str) -> None:
    march, june = await two_rounds()
    stored = await store_comparison(june.id)
    assert (await Round.get(id=june.id)).comparison == stored.to_dict()
    # Someone adds an answer to March after June was published.
    await answer(march, "6.3", "syddanmark", Progress.STARTED, Delay.OVER_6)
    fresh = await compile_comparison(june.id)
    assert fresh != stored
    assert await load_comparison(june.id) == stored


async def test_without_a_stored_comparison_it_is_computed(db: str) -> None:
    _, june = await two_rounds()
    assert (await Round.get(id=june.id)).comparison is None
    assert await load_comparison(june.id) == await compile_comparison(june.id)


async def test_a_published_round_keeps_its_comparison_when_publication_is_retried(db: str) -> None:
    march, june = await two_rounds()
    first = await store_comparison(june.id)
    await Round.filter(id=june.id).update(status=RoundStatus.PUBLISHED, published_at=JUNE)
    await answer(march, "6.3", "syddanmark", Progress.STARTED, Delay.OVER_6)
    assert await store_comparison(june.id) == first  # the retry shows what was published
    await Round.filter(id=june.id).update(status=RoundStatus.CLOSED)  # reopened and closed again
    assert await store_comparison(june.id) != first
