"""A programme's structure as the checklist reads it, kept per process by its revision.

The structure is what a click needs but does not change with it: the programme's language,
time zone and late policy, its units, milestones (with their groups), baseline deadlines,
who reports which milestone and who may answer what. Reading it took most of a click's SQL
(issue 19); now `StructureCache` keeps it, and a click reads only the programme's
`revision` (joined into the round read it makes anyway, models/step_io.py) to know whether
what it keeps is still true.

`Programme.revision` is raised, in the same transaction, by everything that changes the
structure: a programme load (models/programme_store.py) and every roster change. Whoever
writes any of those rows must call `bump_revision` in its transaction, or replicas keep
serving what they cached. The cache key is the revision and the programme row's creation
time, so a database made afresh (the tests, a restore) never matches an old entry.

A structure is read whole and consistent: it is read again should the revision move while
it is being read (PostgreSQL, where a load may commit between two of its queries).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F

from conversations.context import AnswerData
from conversations.vocabulary import ALL_UNITS
from models.people import Person, Role, RoleKind
from models.programme import BaselineDeadline, Milestone, Programme, Unit
from models.snapshot import programme_info
from reporting.snapshot import ProgrammeInfo

ANSWERERS = (RoleKind.LEAD, RoleKind.DEPUTY, RoleKind.REPORTER)
READS = 8
"""How many times a structure is read again while loads keep moving its revision."""


@dataclass(frozen=True)
class Token:
    """Which structure a programme has now: its revision, and when its row was made."""

    revision: int
    created_at: datetime | None


@dataclass(frozen=True)
class UnitRow:
    id: int
    key: str
    name: str
    position: int


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    code: str
    title: str
    definition: str
    group_title: str | None  # None: a unit's own item
    unit_id: int | None
    texts: Mapping[str, str]  # standing texts by key (not answers)


@dataclass(frozen=True)
class Reporter:
    """Who answers an item for every unit: one person, or several (seed 004's «AKJ / NPE»),
    any of whom may answer; `name` names them all, `key` is the first's."""

    key: str
    name: str
    keys: tuple[str, ...] = ()

    def answers(self, person_key: str) -> bool:
        return person_key == self.key or person_key in self.keys


@dataclass(frozen=True)
class Structure:
    """One programme's structure at one revision; plain, frozen, shared by every click."""

    programme_id: int
    token: Token
    info: ProgrammeInfo  # how the programme presents itself: nouns, questions, labels
    language: str
    timezone: str
    late_answers: str
    units: Mapping[str, UnitRow]  # by key, in the programme's order
    milestones: tuple[MilestoneRow, ...]  # by group, then position; local items last
    by_code: Mapping[str, MilestoneRow]
    baselines: Mapping[int, Mapping[str, str]]  # milestone id → scope → deadline as written
    reporters: Mapping[str, Reporter]  # milestone code → who answers it for every unit
    roles: frozenset[tuple[int, RoleKind, str]]  # (person id, kind, scope) of answerers

    def may_answer_unit(self, person_id: int, unit_key: str) -> bool:
        return any(
            (person_id, kind, unit_key) in self.roles for kind in (RoleKind.LEAD, RoleKind.DEPUTY)
        )

    def is_reporter(self, person_id: int) -> bool:
        return any(pid == person_id and kind is RoleKind.REPORTER for pid, kind, _ in self.roles)

    def baseline(self, milestone_id: int, unit_key: str | None) -> str:
        """The unit's own baseline deadline, else the one for every unit, else ''."""
        found = self.baselines.get(milestone_id, {})
        if unit_key is not None and unit_key in found:
            return found[unit_key]
        return found.get(ALL_UNITS, "")


async def bump_revision(*programme_ids: int) -> None:
    """Tell every replica the structure changed; call in the transaction that changed it.
    With no ids, every programme's (a person's name, shared by programmes, changed)."""
    query = Programme.filter(id__in=list(programme_ids)) if programme_ids else Programme.all()
    await query.update(revision=F("revision") + 1)


async def _token(programme_id: int) -> tuple[Programme, Token]:
    programme = await Programme.get(id=programme_id)
    return programme, Token(programme.revision, programme.created_at)


async def load_structure(programme_id: int) -> Structure:
    """The programme's structure as stored now, read consistently (see the module)."""
    programme, token = await _token(programme_id)
    for _ in range(READS):
        structure = await _read(programme, token)
        programme, now = await _token(programme_id)
        if now == token:
            return structure
        token = now
    return structure  # a load every few milliseconds: the last read is as good as any


async def _read(programme: Programme, token: Token) -> Structure:
    units = await Unit.filter(programme_id=programme.id).order_by("position", "id")
    milestones = await Milestone.filter(programme_id=programme.id).prefetch_related("group")
    ordered = sorted(
        milestones, key=lambda m: (m.group.position if m.group else 10**6, m.position, m.id)
    )
    baselines: dict[int, dict[str, str]] = {}
    for row in await BaselineDeadline.filter(milestone__programme_id=programme.id):
        baselines.setdefault(row.milestone_id, {})[row.scope] = row.text
    roles = await Role.filter(programme_id=programme.id, kind__in=ANSWERERS).prefetch_related(
        "person"
    )
    settings = programme.settings or {}
    rows = tuple(
        MilestoneRow(
            m.id,
            m.code,
            m.title,
            m.definition,
            m.group.title if m.group else None,
            m.unit_id,
            dict(m.texts or {}),
        )
        for m in ordered
    )
    return Structure(
        programme_id=programme.id,
        token=token,
        info=programme_info(programme),
        language=programme.language,
        timezone=programme.timezone,
        late_answers=str(settings.get("late_answers", "refuse")),
        units={u.key: UnitRow(u.id, u.key, u.name, u.position) for u in units},
        milestones=rows,
        by_code={row.code: row for row in rows},
        baselines=baselines,
        reporters=_reporters(roles),
        roles=frozenset((r.person_id, r.kind, r.scope) for r in roles),
    )


def _reporters(roles: list[Role]) -> dict[str, Reporter]:
    """Item code → its reporter(s), several in the order of their names («AKJ / NPE»)."""
    by_code: dict[str, list[Person]] = {}
    for role in roles:
        if role.kind is RoleKind.REPORTER:
            by_code.setdefault(role.scope, []).append(role.person)
    found = {}
    for code, people in by_code.items():
        people.sort(key=lambda person: (person.name, person.key))
        names = " / ".join(person.name for person in people)
        found[code] = Reporter(people[0].key, names, tuple(person.key for person in people))
    return found


class StructureCache:
    """Structures by programme, each kept until its programme's revision moves on.

    One per runner (so per process in `serve`); `get` is told the token the click read in
    its own transaction and reads the structure again only when it differs from the kept
    one's. Bounded: the `keep` programmes used last.
    """

    def __init__(self, keep: int = 16, keep_previous: int = 1024) -> None:
        self.keep = keep
        self.keep_previous_answers = keep_previous
        self.loads = 0  # how many times a structure was read (tests count them)
        self._kept: OrderedDict[int, Structure] = OrderedDict()
        self._previous: OrderedDict[Hashable, dict[str, AnswerData]] = OrderedDict()

    async def get(self, programme_id: int, token: Token | None) -> Structure:
        kept = self._kept.get(programme_id)
        if kept is not None and token is not None and kept.token == token:
            self._kept.move_to_end(programme_id)
            return kept
        structure = await load_structure(programme_id)
        self.loads += 1
        self._kept[programme_id] = structure
        self._kept.move_to_end(programme_id)
        while len(self._kept) > self.keep:
            self._kept.popitem(last=False)
        return structure

    def kept_previous(self, key: Hashable) -> dict[str, AnswerData] | None:
        """A checklist's answers in the round before, kept under `key` (which names that
        round as it stood, the structure and the checklist's scopes), or None."""
        found = self._previous.get(key)
        if found is not None:
            self._previous.move_to_end(key)
        return found

    def keep_previous(self, key: Hashable, answers: dict[str, AnswerData]) -> None:
        self._previous[key] = answers
        while len(self._previous) > self.keep_previous_answers:
            self._previous.popitem(last=False)


class NoCache(StructureCache):
    """Reads the structure every time: for one-off reads (an invitation, `fremdrift try`)."""

    async def get(self, programme_id: int, token: Token | None) -> Structure:
        self.loads += 1
        return await load_structure(programme_id)

    def kept_previous(self, key: Hashable) -> dict[str, AnswerData] | None:
        return None

    def keep_previous(self, key: Hashable, answers: dict[str, AnswerData]) -> None:
        return None
