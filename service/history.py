"""A programme's history as the steering group may read it: its rounds in date order, their
matrices, the trend of each cell, and a cell's answer with its revisions.

Only closed and published rounds are history (`VISIBLE`): an open round's answers are still
being given, and the steering channel has not seen them. Rounds are taken in the order of
`Round.date` (then the order they were made), so a round imported late stands where its
date puts it. Each matrix is worded in the programme's language (`render.words`), as the
documents are. Anything asked for that is not in the history — an unknown programme, a
round that is open or of another programme, a cell the matrix has not — is `NotInHistory`.

A trend spans the programme's last `trend_rounds` rounds up to the one shown (a programme
setting, models/programme_spec.py), on the history page as in a round's documents
(`earlier_rounds`: a round being published is not history yet, but its trend is theirs).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from conversations.vocabulary import ALL_UNITS, Delay, Progress, RoundStatus
from models.answer import Answer, AnswerRevision
from models.programme import Programme
from models.programme_spec import ProgrammeSettings
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
from reporting.trend import Trend, trend

VISIBLE = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
"""The rounds the steering group has seen (or is about to): never an open one."""


class NotInHistory(LookupError):
    """No such programme, round or cell in the history."""


def trend_span(programme: Programme) -> int:
    """How many rounds, up to the one shown, the programme's trend spans."""
    return ProgrammeSettings.model_validate(programme.settings or {}).trend_rounds


@dataclass(frozen=True, slots=True)
class Earlier:
    """The rounds a round's trend looks back on (oldest first), and how many it spans."""

    matrices: tuple[Matrix, ...]
    span: int

    def trend(self, matrix: Matrix) -> Trend:
        """The trend of `matrix`, the round these come before, over the span."""
        return trend((*self.matrices, matrix), last=self.span)


async def earlier_rounds(round_id: int) -> Earlier:
    """The closed and published rounds of the round's programme before it by date (then by
    the order they were made) — the last `trend_span - 1` of them — worded: what a round's
    documents and summary show its trend against. The round itself may be in any state."""
    round_ = await Round.get(id=round_id)
    programme = await Programme.get(id=round_.programme_id)
    span = trend_span(programme)
    before = Q(date__lt=round_.date) | Q(date=round_.date, id__lt=round_.id)
    ids = (
        await Round.filter(before, programme_id=programme.id, status__in=VISIBLE)
        .order_by("-date", "-id")
        .limit(span - 1)
        .values_list("id", flat=True)
    )
    matrices = [worded_matrix(await load_snapshot(int(id_))) for id_ in reversed(ids)]
    return Earlier(tuple(matrices), span)


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
    span = trend_span(await Programme.get(key=programme_key))
    matrices = await round_matrices(programme_key, through=round_id, last=span)
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
