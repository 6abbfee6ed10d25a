"""Writing a validated programme file to the database, and reading a programme back.

One transaction, row by row on natural keys (programme key, unit key, group number,
milestone code, person key; a deadline by milestone and scope), so a reload updates rows
in place and rounds and answers stay attached; only columns that differ are written, so
reloading the same file changes nothing. Units and milestones the file no longer names
are deleted, unless someone has answered them: then the load is refused, as is moving a
milestone into a unit's own items when other units have answered it (their answers would
vanish from the matrix). What a load means for an open round (who is invited, who is no
longer reminded, the schedule) is service/programme_changes.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS
from models.people import Account, Person, Platform, Role, RoleKind
from models.planned import plan_meetings
from models.programme import BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.programme_guard import refuse_lost_answers
from models.programme_spec import ProgrammeFile, ProgrammeSpec, codes
from models.structure import bump_revision
from reporting.deadlines import read_deadline


@dataclass
class Tally:
    """What one load did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        """Rows of this kind the file now has."""
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass
class LoadSummary:
    """What `save_programme` did, for the CLI to print and the tests to check."""

    key: str
    title: str
    created: bool
    programme: Tally = field(default_factory=Tally)
    units: Tally = field(default_factory=Tally)
    groups: Tally = field(default_factory=Tally)
    milestones: Tally = field(default_factory=Tally)
    local_items: Tally = field(default_factory=Tally)
    people: Tally = field(default_factory=Tally)
    deadlines: Tally = field(default_factory=Tally)
    roles: Tally = field(default_factory=Tally)
    accounts: Tally = field(default_factory=Tally)
    meetings: Tally = field(default_factory=Tally)  # rounds planned for the file's meetings
    nouns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # its own, by language

    @property
    def changed(self) -> bool:
        tallies = (self.programme, self.units, self.groups, self.milestones, self.local_items)
        more = (self.people, self.deadlines, self.roles, self.accounts, self.meetings)
        return any(tally.changed for tally in (*tallies, *more))


M = TypeVar("M", bound=Model)


async def _put(model: type[M], row: M | None, values: Mapping[str, Any], tally: Tally) -> M:
    """Create the row, or update only the columns that differ (so a reload writes nothing)."""
    if row is None:
        tally.created += 1
        return await model.create(**values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if not changed:
        tally.unchanged += 1
        return row
    for name in changed:
        setattr(row, name, values[name])
    await row.save(update_fields=changed)
    tally.updated += 1
    return row


async def save_programme(file: ProgrammeFile) -> LoadSummary:
    """Write a validated file in one transaction; refuse to drop anything that has answers."""
    spec = file.spec
    async with in_transaction():
        programme = await Programme.get_or_none(key=spec.key)
        summary = LoadSummary(spec.key, spec.title, created=programme is None)
        summary.nouns = {lang: n.model_dump(exclude_none=True) for lang, n in spec.nouns.items()}
        if programme is not None:
            await refuse_lost_answers(programme, file)
        await _check_slack_accounts(file)
        people = await _save_people(spec, summary)
        values = {
            "key": spec.key,
            "title": spec.title,
            "subtitle": spec.subtitle,
            "language": spec.language,
            "timezone": spec.timezone,
            "unit_label": spec.unit_label,
            "steering_channel": spec.steering_channel,
            "source": spec.source,
            "settings": spec.settings.model_dump(mode="json"),
            "layout": spec.layout,
            "nouns": summary.nouns,
            "questions": [question.model_dump() for question in spec.questions],
            "texts": [text.model_dump() for text in spec.texts],
            "source_file": file.path,
        }
        programme = await _put(Programme, programme, values, summary.programme)
        units = await _save_units(programme, spec, summary)
        milestones = await _save_milestones(programme, spec, units, summary)
        await _remove_stale(programme, spec, summary)
        await _save_deadlines(spec, milestones, summary)
        await _save_roles(programme, spec, people, summary)
        meetings = await plan_meetings(programme, spec.meetings)  # models/planned.py
        summary.meetings = Tally(*meetings)
        if summary.people.changed:  # a name other programmes show too
            await bump_revision()
        elif summary.changed:  # every replica reads the structure again (models/structure.py)
            await bump_revision(programme.id)
    return summary


async def _check_slack_accounts(file: ProgrammeFile) -> None:
    """A Slack id in the file may belong to someone else only if the file moves them off it."""
    by_key = {person.key: person for person in file.spec.people}
    wanted = {p.slack: (i, p.key) for i, p in enumerate(file.spec.people) if p.slack}
    accounts = await Account.filter(
        platform=Platform.SLACK, workspace="", user_id__in=list(wanted)
    ).prefetch_related("person")
    for account in accounts:
        index, key = wanted[account.user_id]
        owner = account.person.key
        moved = owner in by_key and by_key[owner].slack not in (None, account.user_id)
        if owner != key and not moved:
            where = file.where(("people", index, "slack"))
            raise UserError("programme.slack_taken", **where, slack=account.user_id, person=owner)


async def _save_people(spec: ProgrammeSpec, summary: LoadSummary) -> dict[str, Person]:
    """People are shared by programmes: upserted by key, never deleted by a file."""
    people: dict[str, Person] = {}
    for person in spec.people:
        values: dict[str, object] = {
            "key": person.key,
            "name": person.name,
            "language": person.language,
            "email": person.email,
        }
        row = await Person.get_or_none(key=person.key)
        people[person.key] = await _put(Person, row, values, summary.people)
    await _save_accounts(spec, people, summary)
    return people


async def _save_accounts(
    spec: ProgrammeSpec, people: Mapping[str, Person], summary: LoadSummary
) -> None:
    """A person's `slack:` is their Slack account; without it, accounts are left as they are."""
    given = [(people[p.key], p.slack) for p in spec.people if p.slack]
    # Drop replaced ids before adding new ones, so two people can swap ids.
    for person, slack in given:
        stale = Account.filter(person_id=person.id, platform=Platform.SLACK, workspace="")
        for account in await stale.exclude(user_id=slack):
            await account.delete()
            summary.accounts.removed += 1
    for person, slack in given:
        values: dict[str, object] = {
            "person_id": person.id,
            "platform": Platform.SLACK,
            "workspace": "",
            "user_id": slack,
        }
        row = await Account.get_or_none(platform=Platform.SLACK, workspace="", user_id=slack)
        await _put(Account, row, values, summary.accounts)


async def _save_units(
    programme: Programme, spec: ProgrammeSpec, summary: LoadSummary
) -> dict[str, Unit]:
    rows = {unit.key: unit for unit in await Unit.filter(programme=programme)}
    units: dict[str, Unit] = {}
    for position, unit in enumerate(spec.units):
        values = {
            "programme_id": programme.id,
            "key": unit.key,
            "name": unit.name,
            "position": position,
        }
        units[unit.key] = await _put(Unit, rows.get(unit.key), values, summary.units)
    return units


async def _save_milestones(
    programme: Programme, spec: ProgrammeSpec, units: Mapping[str, Unit], summary: LoadSummary
) -> dict[str, Milestone]:
    """Groups and milestones; positions run through the file: matrix rows, then local items."""
    group_rows = {g.number: g for g in await MilestoneGroup.filter(programme=programme)}
    rows = {m.code: m for m in await Milestone.filter(programme=programme)}
    milestones: dict[str, Milestone] = {}
    position = 0
    for index, group in enumerate(spec.groups):
        values = {
            "programme_id": programme.id,
            "number": group.number,
            "title": group.title,
            "position": index,
        }
        group_row = await _put(MilestoneGroup, group_rows.get(group.number), values, summary.groups)
        for milestone in group.milestones:
            values = {
                "programme_id": programme.id,
                "group_id": group_row.id,
                "unit_id": None,
                "code": milestone.code,
                "title": milestone.title,
                "definition": milestone.definition,
                "texts": dict(milestone.texts),
                "position": position,
            }
            row = await _put(Milestone, rows.get(milestone.code), values, summary.milestones)
            milestones[milestone.code] = row
            position += 1
    for unit in spec.units:
        for item in unit.local_items:
            values = {
                "programme_id": programme.id,
                "group_id": None,
                "unit_id": units[unit.key].id,
                "code": item.code,
                "title": item.title,
                "definition": item.definition,
                "texts": dict(item.texts),
                "position": position,
            }
            row = await _put(Milestone, rows.get(item.code), values, summary.local_items)
            milestones[item.code] = row
            position += 1
    return milestones


async def _remove_stale(programme: Programme, spec: ProgrammeSpec, summary: LoadSummary) -> None:
    """Delete what the file no longer names (answers were checked before anything was written)."""
    named = [code for code, _ in codes(spec)]
    for milestone in await Milestone.filter(programme=programme).exclude(code__in=named):
        tally = summary.milestones if milestone.unit_id is None else summary.local_items
        summary.deadlines.removed += await BaselineDeadline.filter(milestone=milestone).count()
        await milestone.delete()
        tally.removed += 1
    numbers = [group.number for group in spec.groups]
    for group in await MilestoneGroup.filter(programme=programme).exclude(number__in=numbers):
        await group.delete()
        summary.groups.removed += 1
    keys = [unit.key for unit in spec.units]
    for unit in await Unit.filter(programme=programme).exclude(key__in=keys):
        await unit.delete()
        summary.units.removed += 1


def _wanted_deadlines(spec: ProgrammeSpec) -> Iterator[tuple[str, str, str]]:
    """(code, scope, text) for every baseline deadline in the file."""
    for group in spec.groups:
        for milestone in group.milestones:
            if milestone.deadline is not None:
                yield milestone.code, ALL_UNITS, milestone.deadline
            for unit_key, text in milestone.deadlines.items():
                yield milestone.code, unit_key, text
    for unit in spec.units:
        for item in unit.local_items:
            if item.deadline is not None:
                yield item.code, ALL_UNITS, item.deadline


async def _save_deadlines(
    spec: ProgrammeSpec, milestones: Mapping[str, Milestone], summary: LoadSummary
) -> None:
    ids = [milestone.id for milestone in milestones.values()]
    rows = {
        (row.milestone_id, row.scope): row
        for row in await BaselineDeadline.filter(milestone_id__in=ids)
    }
    for code, scope, text in _wanted_deadlines(spec):
        read = read_deadline(text)
        milestone_id = milestones[code].id
        values = {
            "milestone_id": milestone_id,
            "scope": scope,
            "text": read.text,
            "earliest_date": read.earliest,
            "latest_date": read.latest,
        }
        await _put(
            BaselineDeadline, rows.pop((milestone_id, scope), None), values, summary.deadlines
        )
    for row in rows.values():
        await row.delete()
        summary.deadlines.removed += 1


def _wanted_roles(spec: ProgrammeSpec) -> set[tuple[str, RoleKind, str]]:
    """(person key, kind, scope) for every role the file gives."""
    roles = {(key, RoleKind.ADMIN, "") for key in spec.admins}
    for unit in spec.units:
        roles |= {(key, RoleKind.LEAD, unit.key) for key in unit.leads}
        roles |= {(key, RoleKind.DEPUTY, unit.key) for key in unit.deputies}
    for group in spec.groups:
        for milestone in group.milestones:
            roles |= {(key, RoleKind.REPORTER, milestone.code) for key in milestone.reporters}
    return roles


async def _save_roles(
    programme: Programme, spec: ProgrammeSpec, people: Mapping[str, Person], summary: LoadSummary
) -> None:
    """The programme's roles become exactly the file's."""
    wanted = _wanted_roles(spec)
    for role in await Role.filter(programme=programme).prefetch_related("person"):
        found = (role.person.key, role.kind, role.scope)
        if found in wanted:
            wanted.discard(found)
            summary.roles.unchanged += 1
        else:
            await role.delete()
            summary.roles.removed += 1
    for key, kind, scope in sorted(wanted):
        await Role.create(programme=programme, person=people[key], kind=kind, scope=scope)
        summary.roles.created += 1
