"""A programme read back from the database as plain data: what `programme show` and `list` print.

Views are frozen dataclasses in the file's order (groups, milestones, units), with names
resolved, so the CLI and the tests read one shape and never query rows themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS
from models.people import Person, Role, RoleKind
from models.programme import Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus
from reporting.deadlines import read_deadline


@dataclass(frozen=True)
class PersonRef:
    key: str
    name: str


@dataclass(frozen=True)
class DeadlineView:
    """A baseline deadline; `unit` is None when it holds for every unit."""

    unit: str | None
    text: str
    earliest: date
    latest: date
    remark: str


@dataclass(frozen=True)
class MilestoneView:
    """A row (or a local item); no `reporters` means each unit's leads answer it."""

    code: str
    title: str
    definition: str
    reporters: tuple[PersonRef, ...]  # who answer it for every unit, by name («AKJ / NPE»)
    deadlines: tuple[DeadlineView, ...]

    @property
    def reporter(self) -> PersonRef | None:
        """The first who answers it for every unit; None: each unit's leads do."""
        return self.reporters[0] if self.reporters else None

    def deadline_for(self, unit_key: str) -> DeadlineView | None:
        """The unit's own deadline, else the one for every unit."""
        for wanted in (unit_key, None):
            for deadline in self.deadlines:
                if deadline.unit == wanted:
                    return deadline
        return None


@dataclass(frozen=True)
class GroupView:
    number: str
    title: str
    milestones: tuple[MilestoneView, ...]


@dataclass(frozen=True)
class UnitView:
    key: str
    name: str
    leads: tuple[PersonRef, ...]
    deputies: tuple[PersonRef, ...]
    local_items: tuple[MilestoneView, ...]


@dataclass(frozen=True)
class ProgrammeView:
    key: str
    title: str
    subtitle: str
    language: str
    timezone: str
    unit_label: str
    steering_channel: str
    source: str
    admins: tuple[PersonRef, ...]
    groups: tuple[GroupView, ...]
    units: tuple[UnitView, ...]
    open_round: str | None
    nouns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # its own, by language

    @property
    def milestones(self) -> tuple[MilestoneView, ...]:
        """The matrix's rows in order, local items left out."""
        return tuple(m for group in self.groups for m in group.milestones)


@dataclass(frozen=True)
class ProgrammeRow:
    """One line of `programme list`."""

    key: str
    title: str
    units: int
    milestones: int
    open_round: str | None


async def _programme(key: str) -> Programme:
    programme = await Programme.get_or_none(key=key)
    if programme is None:
        known = await Programme.all().order_by("key").values_list("key", flat=True)
        raise UserError(
            "programme.unknown_programme", programme=key, known=", ".join(map(str, known))
        )
    return programme


async def _open_round(programme: Programme) -> str | None:
    found = await Round.filter(programme=programme, status=RoundStatus.OPEN).first()
    return found.name if found is not None else None


def _ref(person: Person) -> PersonRef:
    return PersonRef(person.key, person.name)


async def programme_overview(key: str) -> ProgrammeView:
    """The programme `key` as the file laid it out; UserError if there is none by that key."""
    programme = await _programme(key)
    units = await Unit.filter(programme=programme).order_by("position")
    groups = await MilestoneGroup.filter(programme=programme).order_by("position")
    rows = (
        await Milestone.filter(programme=programme)
        .order_by("position")
        .prefetch_related("deadlines")
    )
    roles: dict[tuple[RoleKind, str], list[PersonRef]] = defaultdict(list)
    for role in await Role.filter(programme=programme).prefetch_related("person").order_by("id"):
        roles[(role.kind, role.scope)].append(_ref(role.person))
    names = {unit.key: unit.name for unit in units}
    views = {row.id: _milestone(row, roles, names) for row in rows}
    return ProgrammeView(
        key=programme.key,
        title=programme.title,
        subtitle=programme.subtitle,
        language=programme.language,
        timezone=programme.timezone,
        unit_label=programme.unit_label,
        steering_channel=programme.steering_channel,
        source=programme.source,
        admins=tuple(roles[(RoleKind.ADMIN, "")]),
        groups=tuple(
            GroupView(g.number, g.title, tuple(views[m.id] for m in rows if m.group_id == g.id))
            for g in groups
        ),
        units=tuple(
            UnitView(
                key=u.key,
                name=u.name,
                leads=tuple(roles[(RoleKind.LEAD, u.key)]),
                deputies=tuple(roles[(RoleKind.DEPUTY, u.key)]),
                local_items=tuple(views[m.id] for m in rows if m.unit_id == u.id),
            )
            for u in units
        ),
        open_round=await _open_round(programme),
        nouns=programme.nouns or {},
    )


def _milestone(
    row: Milestone, roles: dict[tuple[RoleKind, str], list[PersonRef]], units: dict[str, str]
) -> MilestoneView:
    """A milestone with its reporter and its deadlines (every unit's first, then in unit order)."""
    order = list(units)
    found = sorted(
        row.deadlines,
        key=lambda d: order.index(d.scope) if d.scope in order else -1,
    )
    reporters = sorted(roles.get((RoleKind.REPORTER, row.code), []), key=lambda p: (p.name, p.key))
    return MilestoneView(
        code=row.code,
        title=row.title,
        definition=row.definition,
        reporters=tuple(reporters),
        deadlines=tuple(
            DeadlineView(
                unit=None if d.scope == ALL_UNITS else d.scope,
                text=d.text,
                earliest=d.earliest_date,
                latest=d.latest_date,
                remark=read_deadline(d.text).remark,
            )
            for d in found
        ),
    )


async def list_programmes() -> list[ProgrammeRow]:
    """Every programme by key, with its size and its open round (if any)."""
    found = []
    for programme in await Programme.all().order_by("key"):
        found.append(
            ProgrammeRow(
                key=programme.key,
                title=programme.title,
                units=await Unit.filter(programme=programme).count(),
                milestones=await Milestone.filter(programme=programme, unit_id=None).count(),
                open_round=await _open_round(programme),
            )
        )
    return found
