"""A programme's history as the steering group may read it: its rounds in date order, their
matrices, the trend of each cell, and a cell's answer with its revisions.

Only closed and published rounds are history (`VISIBLE`): an open round's answers are still
being given, and the steering channel has not seen them. Rounds are taken in the order of
`Round.date` (then the order they were made), so a round imported late stands where its
date puts it. Each matrix is worded in the programme's language (`render.words`), as the
documents are. Anything asked for that is not in the history — an unknown programme, a
round that is open or of another programme, a cell the matrix has not — is `NotInHistory`.
"""

from __future__ import annotations

from conversations.vocabulary import ALL_UNITS, Delay, Progress, RoundStatus
from models.answer import Answer, AnswerRevision
from models.programme import Programme
from models.round import Round
from models.snapshot import load_snapshot
from render.words import worded_matrix
from reporting.history import (
    CellHistory,
    HistoryRound,
    Revision,
    RoundHistory,
    mark_changes,
)
from reporting.matrix import Cell, Matrix, Source
from reporting.trend import trend

VISIBLE = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
"""The rounds the steering group has seen (or is about to): never an open one."""


class NotInHistory(LookupError):
    """No such programme, round or cell in the history."""


async def history_rounds(programme_key: str) -> tuple[HistoryRound, ...]:
    """The programme's closed and published rounds, oldest first by date."""
    programme = await Programme.get_or_none(key=programme_key)
    if programme is None:
        raise NotInHistory(programme_key)
    rows = (
        await Round.filter(programme_id=programme.id, status__in=VISIBLE)
        .order_by("date", "id")
        .values("id", "name", "date", "status")
    )
    return tuple(
        HistoryRound(row["id"], row["name"], row["date"], RoundStatus(row["status"]))
        for row in rows
    )


async def round_matrices(
    programme_key: str, *, through: int | None = None, last: int | None = None
) -> tuple[Matrix, ...]:
    """The matrices of the programme's history in date order: up to and including the round
    `through` (every round when None), only the `last` N when given."""
    rounds = _through(await history_rounds(programme_key), through)
    if last is not None:
        rounds = rounds[-last:] if last > 0 else ()
    return tuple([worded_matrix(await load_snapshot(round_.id)) for round_ in rounds])


async def round_history(programme_key: str, round_id: int | None = None) -> RoundHistory:
    """A round (the latest when None) with the picker's rounds and the trend up to it."""
    rounds = await history_rounds(programme_key)
    if not rounds:
        raise NotInHistory(programme_key)
    matrices = await round_matrices(programme_key, through=round_id)
    return RoundHistory(rounds=rounds, matrix=matrices[-1], trend=trend(matrices))


async def cell_history(programme_key: str, round_id: int, milestone: str, unit: str) -> CellHistory:
    """A cell of a round: its words, its trend up to the round, its answer's revisions."""
    found = await round_history(programme_key, round_id)
    cell = found.matrix.get(milestone, unit)
    cell_trend = found.trend.get(milestone, unit)
    if cell is None or cell_trend is None:
        raise NotInHistory(f"{milestone}/{unit}")
    return CellHistory(
        round=found, cell=cell, trend=cell_trend, revisions=await revisions(round_id, cell)
    )


async def revisions(round_id: int, cell: Cell) -> tuple[Revision, ...]:
    """The revisions of the answer behind a cell (the unit's own, or the one for every
    unit), oldest first; none for a cell nobody answered."""
    if cell.source is Source.NONE:
        return ()
    scope = cell.unit if cell.source is Source.UNIT else ALL_UNITS
    answers = await Answer.filter(
        round_id=round_id, milestone__code=cell.milestone, scope=scope
    ).values_list("id", flat=True)
    if not answers:
        return ()
    rows = (
        await AnswerRevision.filter(answer_id=answers[0])
        .order_by("number")
        .values(
            "number",
            "changed_at",
            "changed_by__name",
            "source",
            "progress",
            "delay",
            "critical",
            "forecast_text",
            "remark",
        )
    )
    return mark_changes(
        Revision(
            number=row["number"],
            changed_at=row["changed_at"],
            changed_by=row["changed_by__name"],
            source=row["source"],
            progress=Progress(row["progress"]),
            delay=Delay(row["delay"]),
            critical=bool(row["critical"]),
            forecast=row["forecast_text"],
            remark=row["remark"],
        )
        for row in rows
    )


def _through(rounds: tuple[HistoryRound, ...], round_id: int | None) -> tuple[HistoryRound, ...]:
    if round_id is None:
        return rounds
    for position, round_ in enumerate(rounds):
        if round_.id == round_id:
            return rounds[: position + 1]
    raise NotInHistory(str(round_id))
