"""Queries behind the checklist: who answers what, the context of a step, storing answers.

A checklist has a scope: ``unit:<key>`` (a unit's milestones and local items, answered by
its leads and deputies; answers stored with the unit's key), ``reporter:<person key>``
(the milestones a reporter answers once for every unit; answers stored with scope ``*``)
or ``reporter:<person key>@<unit key>`` (the same milestones set apart for one unit: its
drafts start from the answers for every unit, and what the reporter changes is stored with
the unit's key, which the matrix prefers to the common answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import F

from conversations.context import AnswerData, ChecklistContext, Item
from conversations.errors import UserError
from conversations.rounds import LatePolicy, acceptance
from conversations.vocabulary import ALL_UNITS, Delay, Progress
from models.answer import Answer, AnswerRevision
from models.locks import writer_first
from models.people import Person, Role, RoleKind
from models.programme import BaselineDeadline, Milestone, Programme, Unit
from models.round import Round, Submission
from models.snapshot import programme_info, round_before
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


async def round_for_answers(round_id: int) -> Round:
    """The round as it stands, read first in the answer's transaction: whether it takes
    answers (its status, its deadline) is decided on this, and `confirm_round` holds it
    to that at the end. On SQLite the transaction is a writer from here on
    (`models.locks.writer_first`), so nothing it reads can change before it commits."""
    await writer_first()
    round_ = await Round.get_or_none(id=round_id)
    if round_ is None:
        raise UserError("checklist.unknown_round")
    return round_


class RoundChanged(Exception):
    """The round closed (or its deadline moved) while an answer was being stored: the
    step starts over and is decided on the round as it now is."""


async def confirm_round(round_: Round) -> None:
    """Call last in the answer's transaction: the round still as `round_for_answers` read it,
    locked until the commit (PostgreSQL: FOR NO KEY UPDATE, which `close_round`'s update
    waits for, and which waits for a close in progress), or RoundChanged.

    So a close is a line: an answer commits before the close, or is decided again after
    it. The lock is held only from here to the commit, and does not stop other answers'
    rows from referring to the round (it is not FOR UPDATE).
    """
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


def _answer_data(answer: Answer, names: dict[int, str]) -> AnswerData:
    return AnswerData(
        progress=Progress(answer.progress),
        delay=Delay(answer.delay),
        critical=answer.critical,
        forecast_text=answer.forecast_text,
        forecast_earliest=answer.forecast_earliest,
        forecast_latest=answer.forecast_latest,
        remark=answer.remark,
        answered_by=names.get(answer.answered_by_id or 0, ""),
        answered_at=answer.answered_at,
        status=answer.status,
        economy=answer.economy,
        sub_milestones=answer.sub_milestones,
        ready_text=answer.ready_text,
        ready_earliest=answer.ready_earliest,
        ready_latest=answer.ready_latest,
    )


async def _answers(
    round_id: int, milestone_ids: dict[int, str], scopes: list[str]
) -> dict[str, AnswerData]:
    """Answers by milestone code; the first scope in `scopes` that has one wins."""
    rows = await Answer.filter(
        round_id=round_id, milestone_id__in=list(milestone_ids), scope__in=scopes
    )
    person_ids = {row.answered_by_id for row in rows if row.answered_by_id}
    names = {p.id: p.name for p in await Person.filter(id__in=list(person_ids))}
    rank = {scope: index for index, scope in enumerate(scopes)}
    best: dict[str, tuple[int, Answer]] = {}
    for row in rows:
        code = milestone_ids[row.milestone_id]
        if code not in best or rank[row.scope] < best[code][0]:
            best[code] = (rank[row.scope], row)
    return {code: _answer_data(row, names) for code, (_, row) in best.items()}


async def load_context(
    round_: Round, scope: Scope, actor: Person, now: datetime
) -> ChecklistContext:
    """Everything the dialogue may know for one step, read in a handful of queries."""
    programme = await Programme.get(id=round_.programme_id)
    milestones = await Milestone.filter(programme_id=programme.id).prefetch_related("group")
    reporter_roles = await Role.filter(
        programme_id=programme.id, kind=RoleKind.REPORTER
    ).prefetch_related("person")
    reporters = {role.scope: role.person for role in reporter_roles}
    unit = None
    if scope.unit_key is not None:
        unit = await Unit.get_or_none(programme_id=programme.id, key=scope.unit_key)
        if unit is None:
            raise UserError("checklist.bad_action")
    baselines = await _baselines(milestones, scope)
    local_title = unit.name if unit and scope.kind == UNIT else ""
    language = actor.language or programme.language
    info = programme_info(programme)
    texts = {text.key: text.any_label(language) for text in info.texts}

    def item(m: Milestone, read_only: bool = False) -> Item:
        reporter = reporters.get(m.code)
        return Item(
            code=m.code,
            title=m.title,
            group_title=m.group.title if m.group else local_title,
            definition=m.definition,
            baseline=baselines.get(m.id, ""),
            reporter=reporter.name if reporter else None,
            read_only=read_only,
            texts=tuple((texts[key], m.texts[key]) for key in texts if (m.texts or {}).get(key)),
        )

    ordered = sorted(milestones, key=lambda m: (m.group.position if m.group else 10**6, m.position))
    if scope.kind == UNIT:
        assert unit is not None
        national = [m for m in ordered if m.unit_id is None]
        answerable = [m for m in national if m.code not in reporters]
        answerable += [m for m in ordered if m.unit_id == unit.id]
        read_only = [m for m in national if m.code in reporters]
        scopes = [unit.key, ALL_UNITS]
        title = unit.name
    else:
        mine = {code for code, person in reporters.items() if person.key == scope.key}
        answerable = [m for m in ordered if m.code in mine]
        read_only = []
        scopes = [unit.key, ALL_UNITS] if unit else [ALL_UNITS]
        title = actor.name if actor.key == scope.key else scope.key

    reporter_checklist = scope.kind == REPORTER and not scope.apart and len(answerable) > 0
    codes = {m.id: m.code for m in answerable}
    read_only_codes = {m.id: m.code for m in read_only}
    previous = await previous_round(round_)
    submission = await Submission.get_or_none(round_id=round_.id, scope=scope.wire)
    state = acceptance(
        status=str(round_.status),
        imported=round_.imported,
        deadline=round_.deadline,
        now=now,
        policy=LatePolicy(str(programme.settings.get("late_answers", LatePolicy.REFUSE))),
    )
    return ChecklistContext(
        round_id=round_.id,
        round_name=round_.name,
        scope=scope.wire,
        scope_title=title,
        language=language,
        timezone=programme.timezone,
        deadline=round_.deadline,
        items=tuple(item(m) for m in answerable),
        # Set apart for a unit, the drafts start from the answers for every unit.
        answers=await _answers(round_.id, codes, scopes if scope.apart else [scope.answer_scope]),
        previous=await _answers(previous.id, codes, scopes) if previous else {},
        previous_round=previous.name if previous else None,
        read_only=tuple(item(m, read_only=True) for m in read_only),
        read_only_answers=await _answers(round_.id, read_only_codes, scopes),
        accepting=state.accepting,
        late=state.late,
        submitted_at=submission.submitted_at if submission else None,
        actor_name=actor.name,
        now=now,
        apart_unit=unit.name if scope.apart and unit else None,
        apart_choices=await _apart_choices(programme.id, scope) if reporter_checklist else (),
        read_forecast=forecast_range,
        questions=info.questions,
        labels={
            label.key: text for label in info.labels if (text := label.label(language)) is not None
        },
        nouns=info.nouns_in(language),
    )


async def _apart_choices(programme_id: int, scope: Scope) -> tuple[tuple[str, str], ...]:
    """The units a reporter may set their answers apart for: (scope wire, unit name); none
    in a one-unit programme, whose answers for every unit are its one unit's."""
    units = await Unit.filter(programme_id=programme_id).order_by("position")
    if len(units) < 2:
        return ()
    return tuple((scope.set_apart(unit.key).wire, unit.name) for unit in units)


async def _baselines(milestones: list[Milestone], scope: Scope) -> dict[int, str]:
    """Each milestone's baseline deadline as written: the unit's own, else the common one."""
    rows = await BaselineDeadline.filter(milestone_id__in=[m.id for m in milestones])
    wanted = [scope.unit_key, ALL_UNITS] if scope.unit_key else [ALL_UNITS]
    found: dict[int, str] = {}
    for wanted_scope in reversed(wanted):
        for row in rows:
            if row.scope == wanted_scope:
                found[row.milestone_id] = row.text
    return found


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
