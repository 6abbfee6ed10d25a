"""What a programme load may not do: lose an answer, or hide one from the matrix.

Checked in the load's transaction before anything is written (models/programme_store.py),
so a refused file changes nothing. The rows a load would delete or move are locked first
(PostgreSQL): an answer being stored for one of them meanwhile either commits before they
are counted, or waits and then finds the row gone or unchanged.
"""

from __future__ import annotations

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS
from models.answer import Answer
from models.programme import Milestone, Programme, Unit
from models.programme_spec import ProgrammeFile, ProgrammeSpec, codes


async def refuse_lost_answers(programme: Programme, file: ProgrammeFile) -> None:
    """UserError if the file would delete or hide an answer of any round; else nothing."""
    await _refuse_answered_removals(programme, file)
    await _refuse_hidden_answers(programme, file)


async def _refuse_answered_removals(programme: Programme, file: ProgrammeFile) -> None:
    """A unit or milestone missing from the file may go only if nobody has answered it."""
    named = [code for code, _ in codes(file.spec)]
    stale = (
        await Milestone.filter(programme=programme)
        .exclude(code__in=named)
        .order_by("position")
        .select_for_update()
    )
    for milestone in stale:
        count = await Answer.filter(milestone_id=milestone.id).count()
        if count:
            raise UserError(
                "programme.milestone_has_answers", file=file.name, code=milestone.code, count=count
            )
    keys = [unit.key for unit in file.spec.units]
    for unit in (
        await Unit.filter(programme=programme)
        .exclude(key__in=keys)
        .order_by("position")
        .select_for_update()
    ):
        count = await Answer.filter(unit_id=unit.id).count()
        if count:
            raise UserError(
                "programme.unit_has_answers", file=file.name, unit=unit.key, count=count
            )


def _owners(spec: ProgrammeSpec) -> dict[str, str | None]:
    """Each code's unit in the file: the unit whose own item it is, None for a milestone."""
    owners: dict[str, str | None] = {}
    for group in spec.groups:
        owners |= dict.fromkeys((milestone.code for milestone in group.milestones), None)
    for unit in spec.units:
        owners |= dict.fromkeys((item.code for item in unit.local_items), unit.key)
    return owners


async def _refuse_hidden_answers(programme: Programme, file: ProgrammeFile) -> None:
    """A milestone moved between the common ones and a unit's own items keeps every answer.

    Made a unit's own item, it is shown for that unit only: the answers other units gave it
    (or a reporter gave it for every unit), in any round, would vanish from the matrix, so
    such a move is refused. Made common, it keeps its unit's answers, which are shown there.
    """
    owners = _owners(file.spec)
    units = {unit.id: unit.key for unit in await Unit.filter(programme=programme)}
    rows = await Milestone.filter(programme=programme, code__in=list(owners))
    moved = [
        row.id
        for row in rows
        if owners[row.code] is not None and owners[row.code] != units.get(row.unit_id or 0)
    ]
    if not moved:
        return
    locked = await Milestone.filter(id__in=moved).order_by("position").select_for_update()
    names = {unit.key: unit.name for unit in await Unit.filter(programme=programme)}
    for milestone in locked:
        owner = owners[milestone.code]
        assert owner is not None
        hidden = await Answer.filter(milestone_id=milestone.id).exclude(scope=owner)
        if hidden:
            scopes = sorted({answer.scope for answer in hidden})
            raise UserError(
                "programme.milestone_moved_has_answers",
                file=file.name,
                code=milestone.code,
                unit=names.get(owner, owner),
                units=[names.get(scope, scope) for scope in scopes if scope != ALL_UNITS],
                common=ALL_UNITS in scopes,
                count=len(hidden),
            )
