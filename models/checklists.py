"""Queries behind the checklist: who answers what, the context of a step, storing answers.

A checklist has a scope: ``unit:<key>`` (a unit's milestones and local items, answered by
its leads and deputies; answers stored with the unit's key), ``reporter:<person key>``
(the milestones a reporter answers once for every unit; answers stored with scope ``*``)
or ``reporter:<person key>@<unit key>`` (the same milestones set apart for one unit: its
drafts start from the answers for every unit, and what the reporter changes is stored with
the unit's key, which the matrix prefers to the common answer).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import F

from conversations.context import AnswerData, ChecklistContext, Item
from conversations.errors import UserError
from conversations.rounds import LatePolicy, acceptance
from conversations.vocabulary import ALL_UNITS, RoundStatus
from models.answer import Answer, AnswerRevision
from models.db import dialect
from models.people import Person, Role, RoleKind
from models.programme import Milestone, Unit
from models.round import Round, Submission
from models.snapshot import round_before
from models.step_io import AnswerRow, PreviousRound, StepRead, read_answers, read_step
from models.structure import MilestoneRow, NoCache, Structure, StructureCache, UnitRow
from reporting.deadlines import forecast_range

UNIT = "unit"
REPORTER = "reporter"


APART = "@"


@dataclass(frozen=True)
class Scope:
    kind: str  # UNIT or REPORTER
    key: str  # the unit's key, or the reporter's person key
    apart: str | None = None  # REPORTER only: the unit the reporter's answers are set apart for

    @property
    def wire(self) -> str:
        suffix = f"{APART}{self.apart}" if self.apart else ""
        return f"{self.kind}:{self.key}{suffix}"

    @property
    def answer_scope(self) -> str:
        """What Answer.scope holds for this checklist's answers."""
        if self.kind == UNIT:
            return self.key
        return self.apart or ALL_UNITS

    @property
    def unit_key(self) -> str | None:
        """The unit whose own answers this checklist writes, if any."""
        return self.key if self.kind == UNIT else self.apart

    def set_apart(self, unit_key: str) -> Scope:
        return Scope(REPORTER, self.key, unit_key)

    @staticmethod
    def parse(text: str) -> Scope:
        kind, _, rest = text.partition(":")
        key, at, apart = rest.partition(APART)
        if kind not in (UNIT, REPORTER) or not key or (at and (kind != REPORTER or not apart)):
            raise UserError("checklist.bad_action")
        return Scope(kind, key, apart or None)


@dataclass(frozen=True)
class ChecklistRef:
    """A checklist a person is asked to answer in a round."""

    round_id: int
    scope: Scope
    title: str


async def checklists_for(person: Person, round_: Round) -> list[ChecklistRef]:
    """Every checklist this person may answer in the round: their units, their milestones."""
    roles = await Role.filter(person=person, programme_id=round_.programme_id)
    unit_keys = sorted({r.scope for r in roles if r.kind in (RoleKind.LEAD, RoleKind.DEPUTY)})
    units = {u.key: u for u in await Unit.filter(programme_id=round_.programme_id)}
    refs = [
        ChecklistRef(round_.id, Scope(UNIT, key), units[key].name)
        for key in sorted(unit_keys, key=lambda k: units[k].position if k in units else 0)
        if key in units
    ]
    if any(r.kind is RoleKind.REPORTER for r in roles):
        refs.append(ChecklistRef(round_.id, Scope(REPORTER, person.key), person.name))
    return refs


async def may_answer(person: Person, round_: Round, scope: Scope) -> bool:
    if scope.kind == REPORTER:
        return (
            scope.key == person.key
            and await Role.filter(
                person=person, programme_id=round_.programme_id, kind=RoleKind.REPORTER
            ).exists()
        )
    return await Role.filter(
        person=person,
        programme_id=round_.programme_id,
        kind__in=[RoleKind.LEAD, RoleKind.DEPUTY],
        scope=scope.key,
    ).exists()


class RoundChanged(Exception):
    """The round closed (or its deadline moved) while an answer was being stored: the
    step starts over and is decided on the round as it now is."""


async def confirm_round(round_: Round) -> None:
    """Call last in the answer's transaction: the round still as it was read first in it
    (`models.step_io.read_step`, which on SQLite makes the transaction a writer first),
    locked until the commit (PostgreSQL: FOR NO KEY UPDATE, which `close_round`'s update
    waits for, and which waits for a close in progress), or RoundChanged.

    So a close is a line: an answer commits before the close, or is decided again after
    it. The lock is held only from here to the commit, and does not stop other answers'
    rows from referring to the round (it is not FOR UPDATE).
    """
    if dialect() == "sqlite":
        return  # the transaction has held the write lock since its first statement: as read
    now = await Round.filter(id=round_.id).select_for_update(no_key=True).first()
    if now is None or (now.status, now.deadline) != (round_.status, round_.deadline):
        raise RoundChanged(round_.id)


async def last_stored_at(round_id: int) -> datetime | None:
    """When the round last took an answer, a revision or a submission, or None: the earliest
    a close may draw its line. Revisions count on their own: two people writing one answer
    at once commit in either order, so the answer may keep the earlier moment."""
    answer = await Answer.filter(round_id=round_id).order_by("-answered_at").first()
    revision = (
        await AnswerRevision.filter(answer__round_id=round_id).order_by("-changed_at").first()
    )
    submission = await Submission.filter(round_id=round_id).order_by("-submitted_at").first()
    moments = [
        *([answer.answered_at] if answer else []),
        *([revision.changed_at] if revision else []),
        *([submission.submitted_at] if submission else []),
    ]
    return max(moments, default=None)


class MilestoneGone(Exception):
    """A programme load took the milestone out between the step's read and its write
    (PostgreSQL, where a load does not wait for answers): the step starts over."""


async def previous_round(round_: Round) -> Round | None:
    """The programme's last finished round before this one by date (imported history
    included): the round the comparison is made with (`models.snapshot.round_before`)."""
    return await round_before(round_)


@dataclass(frozen=True)
class Checklist:
    """Which items a checklist holds and which answers show in it: decided from the
    structure alone, so a click decides it without a query."""

    unit: UnitRow | None
    title: str
    answerable: tuple[MilestoneRow, ...]
    read_only: tuple[MilestoneRow, ...]
    scopes: tuple[str, ...]  # whose answers show, the first that has one winning
    own_scopes: tuple[str, ...]  # of those, the ones this round's drafts start from
    apart_choices: tuple[tuple[str, str], ...]


def permitted(structure: Structure, actor: Person, scope: Scope) -> bool:
    """`may_answer`, decided on the structure."""
    if scope.kind == REPORTER:
        return scope.key == actor.key and structure.is_reporter(actor.id)
    return structure.may_answer_unit(actor.id, scope.key)


def checklist_of(structure: Structure, scope: Scope, actor: Person) -> Checklist:
    unit = None
    if scope.unit_key is not None:
        unit = structure.units.get(scope.unit_key)
        if unit is None:
            raise UserError("checklist.bad_action")
    reporters = structure.reporters
    milestones = structure.milestones
    if scope.kind == UNIT:
        assert unit is not None
        national = [m for m in milestones if m.unit_id is None]
        answerable = [m for m in national if m.code not in reporters]
        answerable += [m for m in milestones if m.unit_id == unit.id]
        read_only = [m for m in national if m.code in reporters]
        scopes: tuple[str, ...] = (unit.key, ALL_UNITS)
        title = unit.name
    else:
        mine = {code for code, reporter in reporters.items() if reporter.answers(scope.key)}
        answerable = [m for m in milestones if m.code in mine]
        read_only = []
        scopes = (unit.key, ALL_UNITS) if unit else (ALL_UNITS,)
        title = actor.name if actor.key == scope.key else scope.key
    choices: tuple[tuple[str, str], ...] = ()
    if scope.kind == REPORTER and not scope.apart and answerable and len(structure.units) > 1:
        # a one-unit programme's answers for every unit are its one unit's: nothing to set apart
        choices = tuple((scope.set_apart(u.key).wire, u.name) for u in structure.units.values())
    return Checklist(
        unit=unit,
        title=title,
        answerable=tuple(answerable),
        read_only=tuple(read_only),
        scopes=scopes,
        # Set apart for a unit, the drafts start from the answers for every unit.
        own_scopes=scopes if scope.apart else (scope.answer_scope,),
        apart_choices=choices,
    )


def _best(
    rows: list[AnswerRow], round_id: int, items: tuple[MilestoneRow, ...], scopes: tuple[str, ...]
) -> dict[str, AnswerData]:
    """Answers by milestone code; the first scope in `scopes` that has one wins."""
    codes = {m.id: m.code for m in items}
    rank = {scope: index for index, scope in enumerate(scopes)}
    best: dict[str, tuple[int, AnswerData]] = {}
    for row in rows:
        code = codes.get(row.milestone_id)
        if row.round_id != round_id or code is None or row.scope not in rank:
            continue
        if code not in best or rank[row.scope] < best[code][0]:
            best[code] = (rank[row.scope], row.data)
    return {code: data for code, (_, data) in best.items()}


def _previous_key(
    structure: Structure, previous: PreviousRound, scopes: tuple[str, ...]
) -> Hashable | None:
    """What the previous round's answers may be kept under, or None: a round that can still
    take answers (closed, with late answers accepted) is read every time."""
    frozen = (
        previous.status == RoundStatus.PUBLISHED
        or previous.imported
        or structure.late_answers != LatePolicy.ACCEPT
    )
    if not frozen:
        return None
    return (previous.id, previous.status, previous.closed_at, structure.token, scopes)


async def step_context(
    structure: Structure,
    read: StepRead,
    scope: Scope,
    actor: Person,
    now: datetime,
    cache: StructureCache,
) -> ChecklistContext:
    """Everything the dialogue may know for one step: the structure, and the answers read in
    one statement (the previous round's only when `cache` does not keep them)."""
    checklist = checklist_of(structure, scope, actor)
    round_ = read.round
    wanted: list[tuple[int, tuple[str, ...]]] = [(round_.id, checklist.scopes)]
    previous: dict[str, AnswerData] | None = None
    key = _previous_key(structure, read.previous, checklist.scopes) if read.previous else None
    if read.previous is not None:
        previous = cache.kept_previous(key) if key is not None else None
        if previous is None:
            wanted.append((read.previous.id, checklist.scopes))
    rows = await read_answers(wanted)
    if read.previous is not None and previous is None:
        previous = _best(rows, read.previous.id, checklist.answerable, checklist.scopes)
        if key is not None:
            cache.keep_previous(key, previous)
    state = acceptance(
        status=str(round_.status),
        imported=round_.imported,
        deadline=round_.deadline,
        now=now,
        policy=LatePolicy(structure.late_answers),
    )
    unit_key = scope.unit_key
    language = actor.language or structure.language
    info = structure.info
    texts = {text.key: text.any_label(language) for text in info.texts}

    def item(m: MilestoneRow, read_only: bool = False) -> Item:
        reporter = structure.reporters.get(m.code)
        group = m.group_title
        return Item(
            code=m.code,
            title=m.title,
            group_title=group if group is not None else checklist.title,
            definition=m.definition,
            baseline=structure.baseline(m.id, unit_key),
            reporter=reporter.name if reporter else None,
            read_only=read_only,
            texts=tuple((texts[key], m.texts[key]) for key in texts if m.texts.get(key)),
        )

    return ChecklistContext(
        round_id=round_.id,
        round_name=round_.name,
        scope=scope.wire,
        scope_title=checklist.title,
        language=language,
        timezone=structure.timezone,
        deadline=round_.deadline,
        items=tuple(item(m) for m in checklist.answerable),
        answers=_best(rows, round_.id, checklist.answerable, checklist.own_scopes),
        previous=previous or {},
        previous_round=read.previous.name if read.previous else None,
        read_only=tuple(item(m, read_only=True) for m in checklist.read_only),
        read_only_answers=_best(rows, round_.id, checklist.read_only, checklist.scopes),
        accepting=state.accepting,
        late=state.late,
        submitted_at=read.submitted_at,
        actor_name=actor.name,
        now=now,
        apart_unit=checklist.unit.name if scope.apart and checklist.unit else None,
        apart_choices=checklist.apart_choices,
        read_forecast=forecast_range,
        questions=info.questions,
        labels={
            label.key: text for label in info.labels if (text := label.label(language)) is not None
        },
        nouns=info.nouns_in(language),
        units=len(structure.units),
    )


async def load_context(
    round_: Round, scope: Scope, actor: Person, now: datetime
) -> ChecklistContext:
    """The context of one step, read afresh (structure included): for a one-off read (an
    invitation, `fremdrift try`); the runner keeps the structure (`step_context`)."""
    read = await read_step(round_.id, actor.id, scope.wire, writer=False)
    if read is None:
        raise UserError("checklist.unknown_round")
    cache = NoCache()
    structure = await cache.get(read.round.programme_id, read.token)
    return await step_context(structure, read, scope, actor, now, cache)


async def store_answer(
    round_: Round,
    scope: Scope,
    code: str,
    data: AnswerData,
    actor: Person,
    *,
    now: datetime,
    late: bool,
    source: str,
) -> bool:
    """Write the answer and append a revision if any value changed; True if one was added.

    Call inside a transaction. The row is locked (PostgreSQL), so two writers on the same
    answer take turns: the later change wins and both revisions are kept.
    """
    milestone = await Milestone.get_or_none(programme_id=round_.programme_id, code=code)
    if milestone is None:
        raise MilestoneGone(code)
    answer = (
        await Answer.filter(round_id=round_.id, milestone_id=milestone.id, scope=scope.answer_scope)
        .select_for_update()
        .first()
    )
    values: dict[str, Any] = dict(
        progress=data.progress,
        delay=data.delay,
        critical=data.critical,
        forecast_text=data.forecast_text,
        forecast_earliest=data.forecast_earliest,
        forecast_latest=data.forecast_latest,
        remark=data.remark,
        status=data.status,
        economy=data.economy,
        sub_milestones=data.sub_milestones,
        ready_text=data.ready_text,
        ready_earliest=data.ready_earliest,
        ready_latest=data.ready_latest,
    )
    if answer is None:
        unit = (
            await Unit.get(programme_id=round_.programme_id, key=scope.unit_key)
            if scope.unit_key
            else None
        )
        answer = await Answer.create(
            round_id=round_.id,
            milestone_id=milestone.id,
            unit=unit,
            scope=scope.answer_scope,
            answered_by=actor,
            answered_at=now,
            late=late,
            revision=1,
            **values,
        )
    else:
        current = {name: getattr(answer, name) for name in values}
        if current == values:
            return False
        await Answer.filter(id=answer.id).update(
            answered_by_id=actor.id,
            answered_at=now,
            late=late,
            revision=F("revision") + 1,
            **values,
        )
        await answer.refresh_from_db(fields=["revision"])
    await AnswerRevision.create(
        answer_id=answer.id,
        number=answer.revision,
        changed_by=actor,
        changed_at=now,
        source=source,
        **values,
    )
    return True


async def store_submission(
    round_: Round, scope: Scope, actor: Person, *, now: datetime, late: bool
) -> bool:
    """Hand the checklist in once; a second submission of the same checklist adds nothing."""
    _, created = await Submission.get_or_create(
        round_id=round_.id,
        scope=scope.wire,
        defaults={"submitted_by": actor, "submitted_at": now, "late": late},
    )
    return created
