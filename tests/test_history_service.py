"""The history as data (service/history.py, reporting/history.py): a programme's closed and
published rounds in date order with their matrices, whatever order they were imported in;
the trend up to a round; a cell's answer revision by revision, and what each changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.vocabulary import ALL_UNITS, Delay, Progress, RoundStatus
from models.answer import Answer, AnswerRevision
from models.people import Person
from models.programme import Programme
from reporting.history import Changed, Revision, mark_changes
from reporting.trend import Flag
from service.history import (
    NotInHistory,
    cell_history,
    history_rounds,
    round_history,
    round_matrices,
)
from service.imports import import_round
from tests.matrix_support import answer, close_round, create_kol, open_round

NOW = datetime(2018, 12, 1, 9, tzinfo=UTC)
HEADER = "milestone,unit,progress,delay,critical,forecast\n"


def rows(forecast: str) -> bytes:
    return (HEADER + f"4.1,syddanmark,expected,0,no,{forecast}\n").encode()


async def imported_out_of_order() -> None:
    """«13. møde» imported first, then «11.», then «12.»: history is by date."""
    await create_kol()
    for name, day, forecast in (
        ("13. møde", "2018-09-19", "Efterår 2019"),
        ("11. møde", "2018-03-01", "Januar 2019"),
        ("12. møde", "2018-06-20", "Medio 2019"),
    ):
        await import_round("kol-2018", name, rows(forecast), NOW, date_text=day)


async def test_rounds_and_matrices_in_date_order_not_import_order(db: str) -> None:
    await imported_out_of_order()
    names = ["11. møde", "12. møde", "13. møde"]
    assert [r.name for r in await history_rounds("kol-2018")] == names
    matrices = await round_matrices("kol-2018")
    assert [m.round.name for m in matrices] == names
    forecasts = [m.cell("4.1", "syddanmark").forecast for m in matrices]
    assert forecasts == ["Januar 2019", "Medio 2019", "Efterår 2019"]
    assert matrices[0].cell("4.1", "syddanmark").text == "Forventer at nå milepæl"
    assert [m.round.name for m in await round_matrices("kol-2018", last=2)] == names[1:]
    twelve = (await history_rounds("kol-2018"))[1]
    assert [m.round.name for m in await round_matrices("kol-2018", through=twelve.id)] == names[:2]


async def test_the_latest_round_and_its_trend(db: str) -> None:
    await imported_out_of_order()
    found = await round_history("kol-2018")
    assert found.matrix.round.name == "13. møde"
    cell = found.trend.cell("4.1", "syddanmark")
    assert (cell.slipped, cell.flags) == (2, (Flag.SLIPPING, Flag.PAST_BASELINE))
    assert len(found.trend.rounds) == 3


async def test_an_open_round_is_not_history(db: str) -> None:
    await imported_out_of_order()
    programme_rounds = await history_rounds("kol-2018")
    opened = await open_round(await Programme.get(key="kol-2018"), "14. møde", NOW)
    assert opened.status is RoundStatus.OPEN
    assert len(await history_rounds("kol-2018")) == 3
    with pytest.raises(NotInHistory):
        await round_history("kol-2018", opened.id)
    with pytest.raises(NotInHistory):
        await round_history("no-such-programme")
    with pytest.raises(NotInHistory):
        await cell_history("kol-2018", programme_rounds[0].id, "99.9", "syddanmark")


async def test_a_programme_without_history(db: str) -> None:
    await create_kol()
    assert await history_rounds("kol-2018") == ()
    with pytest.raises(NotInHistory):
        await round_history("kol-2018")


async def test_a_cells_revisions_say_who_when_and_what_changed(db: str) -> None:
    programme = await create_kol()
    round_ = await open_round(programme, "12. møde", NOW)
    fut = await Person.get(key="fut")
    stored = await answer(round_, "6.1 B", ALL_UNITS, Progress.EXPECTED, by=fut)
    for number, (progress, delay, remark) in enumerate(
        (
            (Progress.EXPECTED, Delay.ON_TIME, ""),
            (Progress.EXPECTED, Delay.ON_TIME, "Klage"),
            (Progress.STARTED, Delay.UP_TO_3, "Klage"),
        ),
        start=1,
    ):
        await AnswerRevision.create(
            answer=stored,
            number=number,
            critical=False,
            changed_by=fut,
            changed_at=NOW + timedelta(hours=number),
            source="slack",
            progress=progress,
            delay=delay,
            remark=remark,
        )
    await Answer.filter(id=stored.id).update(progress=Progress.STARTED, delay=Delay.UP_TO_3)
    await close_round(round_, NOW + timedelta(days=1))
    found = await cell_history("kol-2018", round_.id, "6.1 B", "nordjylland")
    assert found.cell.text == "Milepæl igangsat, men 0-3 måneder forsinket"
    assert [(r.number, r.changed_by, r.changed) for r in found.revisions] == [
        (1, "FUT", frozenset({Changed.STATUS})),
        (2, "FUT", frozenset({Changed.REMARK})),
        (3, "FUT", frozenset({Changed.STATUS})),
    ], "the reporter's answer for every unit is each unit's"
    silent = await cell_history("kol-2018", round_.id, "1.1", "nordjylland")
    assert silent.revisions == ()
    assert not silent.cell.reported


def revision(
    number: int, *, critical: bool = False, forecast: str = "", remark: str = ""
) -> Revision:
    return Revision(
        number=number,
        changed_at=NOW,
        changed_by=None,
        source="import",
        progress=Progress.EXPECTED,
        delay=Delay.ON_TIME,
        critical=critical,
        forecast=forecast,
        remark=remark,
    )


def test_what_each_revision_changed() -> None:
    marked = mark_changes(
        [
            revision(1, forecast="Medio 2019"),
            revision(2, forecast="Medio 2019", critical=True),
            revision(3, forecast="Ultimo 2019", critical=True, remark="Forsinket"),
            revision(4, forecast="Ultimo 2019", critical=True, remark="Forsinket"),
        ]
    )
    assert [r.changed for r in marked] == [
        frozenset({Changed.STATUS, Changed.FORECAST}),
        frozenset({Changed.STATUS}),
        frozenset({Changed.FORECAST, Changed.REMARK}),
        frozenset(),
    ]
    assert mark_changes([]) == ()
