"""`fremdrift try`'s trial (bot/cli/try_.py): the programme loaded into a throw-away database, two
rounds, a player.

The programme file is loaded into a database that does not hold it yet, a closed round with
a few answers is made so "last round" and "same as last round" show something, and an open
round with a deadline a week ahead is the one played. The player is the person `--as`
names — a unit's lead, a deputy, a reporter, a topic owner — playing the first checklist
they answer (`--unit` picks one of their units), or by default the first lead of `--unit`
(the programme's first unit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from conversations.context import AnswerData, ChecklistContext
from conversations.errors import UserError
from conversations.questions import TYPED, Question
from conversations.vocabulary import Delay, Progress
from models.checklists import REPORTER, UNIT, Scope, checklists_for, load_context, store_answer
from models.people import Person, Role, RoleKind
from models.programme import Programme, Unit
from models.programme_file import read_programme_file, save_programme
from models.round import Round, RoundStatus
from render.i18n import text

SOURCE = "try"
ROUND_DAYS = 7
DEADLINE_HOUR = time(12)
PREVIOUS_ANSWERS: Final = (
    (Progress.REACHED, Delay.ON_TIME, False),
    (Progress.STARTED, Delay.UP_TO_3, False),
    (Progress.EXPECTED, Delay.ON_TIME, False),
    (Progress.STARTED, Delay.UP_TO_6, True),
    (Progress.EXPECTED, Delay.OVER_6, False),
)
"""The previous round's answers to the checklist's first milestones: a bit of every colour
(a programme without a traffic light gets a typed answer to its first items instead)."""
PREVIOUS_FORECAST: Final = "Medio 2020"
SAID_AT: Final = 3
"""The previous answer that also has a forecast and a remark: the milestone's view shows
them before "same as last round" copies them."""
ANSWERERS = (RoleKind.LEAD, RoleKind.DEPUTY, RoleKind.REPORTER)


@dataclass(frozen=True)
class Trial:
    lead: Person  # the player: whoever answers the checklist played
    round_id: int
    scope: str
    programme: str
    unit: str  # the checklist's title: the unit's name, or the reporter's
    reporter: bool = False  # a reporter's checklist (every unit), not a unit's


async def prepare(
    file: Path, unit_key: str | None, language: str, now: datetime, person_key: str | None = None
) -> Trial:
    """Load the programme into a database without it, make the trial's two rounds, pick
    the player and give their checklist last round's answers."""
    source = read_programme_file(file)
    key = source.spec.key
    if await Programme.exists(key=key):
        raise UserError("terminal.programme_exists", programme=key)
    await save_programme(source)
    programme = await Programme.get(key=key)
    await Programme.filter(id=programme.id).update(language=language)
    units = await Unit.filter(programme=programme).order_by("position")
    unit = units[0] if unit_key is None else next((u for u in units if u.key == unit_key), None)
    if unit is None:
        raise UserError(
            "terminal.unknown_unit", programme=key, unit=unit_key, units=[u.key for u in units]
        )
    async with in_transaction():
        previous = await Round.create(
            programme=programme,
            name=text(language, "terminal.previous_round_name"),
            status=RoundStatus.CLOSED,
            opened_at=now - timedelta(days=5 * ROUND_DAYS),
            deadline=now - timedelta(days=4 * ROUND_DAYS),
            closed_at=now - timedelta(days=4 * ROUND_DAYS),
        )
        current = await Round.create(
            programme=programme,
            name=text(language, "terminal.round_name"),
            status=RoundStatus.OPEN,
            open_slot=programme.id,
            opened_at=now,
            deadline=_deadline(now, programme.timezone),
        )
        if person_key is None:
            player, scope, title = await _lead(programme, unit), Scope(UNIT, unit.key), unit.name
        else:
            player, scope, title = await _player(programme, current, person_key, unit_key)
        await _speaks_the_trials_language(player)
        context = await load_context(previous, scope, player, now)
        answered_at = previous.opened_at + timedelta(days=1)
        for index, item in enumerate(context.items[: len(PREVIOUS_ANSWERS)]):
            answer = _previous_answer(context, index, language)
            if answer is not None:
                await store_answer(
                    previous,
                    scope,
                    item.code,
                    answer,
                    player,
                    now=answered_at,
                    late=False,
                    source=SOURCE,
                )
    return Trial(player, current.id, scope.wire, programme.title, title, scope.kind == REPORTER)


def _previous_answer(context: ChecklistContext, index: int, language: str) -> AnswerData | None:
    """Last round's answer to the checklist's item at `index`, as the programme asks it."""
    if context.light:
        progress, delay, critical = PREVIOUS_ANSWERS[index]
        answer = AnswerData(progress=progress, delay=delay, critical=critical)
        if index != SAID_AT or context.read_forecast is None:
            return answer
        earliest, latest = context.read_forecast(PREVIOUS_FORECAST) or (None, None)
        return replace(
            answer,
            forecast_text=PREVIOUS_FORECAST,
            forecast_earliest=earliest,
            forecast_latest=latest,
            remark=text(language, "terminal.previous_answer"),
        )
    typed = next((q for q in context.questions if q in TYPED and q is not Question.READY), None)
    if typed is None or index > 1:
        return None
    return AnswerData().typed(typed, text(language, "terminal.previous_answer"))


def _deadline(now: datetime, timezone: str) -> datetime:
    """Noon, local time, a week from now."""
    local = ZoneInfo(timezone)
    day = (now + timedelta(days=ROUND_DAYS)).astimezone(local).date()
    return datetime.combine(day, DEADLINE_HOUR, tzinfo=local)


async def _lead(programme: Programme, unit: Unit) -> Person:
    """The unit's first lead (or deputy)."""
    for kind in (RoleKind.LEAD, RoleKind.DEPUTY):
        role = (
            await Role.filter(programme=programme, kind=kind, scope=unit.key)
            .order_by("id")
            .prefetch_related("person")
            .first()
        )
        if role is not None:
            person: Person = role.person
            return person
    raise UserError("terminal.no_lead", unit=unit.name)


async def _player(
    programme: Programme, round_: Round, person_key: str, unit_key: str | None
) -> tuple[Person, Scope, str]:
    """The person `--as` names, and the first checklist they answer in the round (the one
    for `--unit` if given): theirs as a lead or deputy, else what they answer as a reporter."""
    answerers = (
        await Role.filter(programme=programme, kind__in=ANSWERERS)
        .order_by("person__key")
        .values_list("person__key", flat=True)
    )
    keys = sorted({str(found) for found in answerers})
    person = await Person.get_or_none(key=person_key)
    if person is None or person.key not in keys:
        raise UserError(
            "terminal.unknown_person", programme=programme.key, person=person_key, people=keys
        )
    refs = await checklists_for(person, round_)
    if unit_key is not None:
        refs = [ref for ref in refs if ref.scope.kind == UNIT and ref.scope.key == unit_key]
    if not refs:
        raise UserError("terminal.not_theirs", person=person.name, unit=unit_key or "")
    return person, refs[0].scope, refs[0].title


async def _speaks_the_trials_language(person: Person) -> None:
    """The player reads the trial's language (`--lang`), not their own."""
    if person.language is not None:
        await Person.filter(id=person.id).update(language=None)
        await person.refresh_from_db()
