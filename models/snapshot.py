"""Read a round from the database into `reporting.snapshot`'s plain, frozen data.

`load_snapshot(round_id)` runs a fixed handful of queries (one per table, as value rows, no
model instances), whatever the size of the programme, so a 100 units × 300 milestones round
loads in one go; nothing returned here touches the ORM again. `previous_round` finds the
round a comparison is made against: the latest earlier one by date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from tortoise.expressions import Q

from conversations.questions import parse_questions
from conversations.vocabulary import Delay, Progress
from models.answer import Answer
from models.people import Role, RoleKind
from models.programme import BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus, Submission
from reporting.form import Labelled, labelled
from reporting.snapshot import (
    AnswerInfo,
    DeadlineInfo,
    GroupInfo,
    MilestoneInfo,
    ProgrammeInfo,
    ReporterInfo,
    RoundInfo,
    Snapshot,
    SubmissionInfo,
    UnitInfo,
    make_snapshot,
)


def _round_info(round_: Round) -> RoundInfo:
    return RoundInfo(
        id=round_.id,
        name=round_.name,
        status=RoundStatus(round_.status),
        opened_at=round_.opened_at,
        deadline=round_.deadline,
        deadline_text=round_.deadline_text,
        closed_at=round_.closed_at,
        published_at=round_.published_at,
        imported=round_.imported,
        date=round_.date,
    )


def _labelled(rows: list[dict[str, Any]], key: str) -> tuple[Labelled, ...]:
    return tuple(labelled(str(row[key]), dict(row.get("label") or {})) for row in rows)


def programme_info(programme: Programme) -> ProgrammeInfo:
    """The programme as plain data: what it is called and how it presents itself."""
    asked = list(programme.questions or [])
    return ProgrammeInfo(
        key=programme.key,
        title=programme.title,
        subtitle=programme.subtitle,
        language=programme.language,
        timezone=programme.timezone,
        source=programme.source,
        unit_label=programme.unit_label,
        steering_group=str((programme.settings or {}).get("steering_group", "")),
        layout=programme.layout,
        nouns=MappingProxyType(
            {lang: MappingProxyType(dict(words)) for lang, words in (programme.nouns or {}).items()}
        ),
        questions=parse_questions([str(row["ask"]) for row in asked]),
        labels=tuple(label for label in _labelled(asked, "ask") if label.labels),
        texts=_labelled(list(programme.texts or []), "key"),
    )


Reporters = dict[str, list[tuple[str, str]]]
"""Item code → (key, name) of each who answers it for every unit, in the order of their names."""


async def _people(programme_id: int) -> tuple[dict[tuple[str, str], list[str]], Reporters]:
    """Names by (role kind, scope), by name; item code → its reporters' (key, name)."""
    rows = (
        await Role.filter(programme_id=programme_id)
        .order_by("person__name", "id")
        .values("kind", "scope", "person__key", "person__name")
    )
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    reporters: Reporters = defaultdict(list)
    for row in rows:
        names[(str(row["kind"]), row["scope"])].append(row["person__name"])
        if row["kind"] == RoleKind.REPORTER:
            reporters[row["scope"]].append((row["person__key"], row["person__name"]))
    return names, reporters


async def _milestones(
    programme_id: int, reporters: Reporters
) -> tuple[tuple[GroupInfo, ...], dict[str, tuple[MilestoneInfo, ...]]]:
    groups = (
        await MilestoneGroup.filter(programme_id=programme_id)
        .order_by("position", "id")
        .values("id", "number", "title")
    )
    rows = (
        await Milestone.filter(programme_id=programme_id)
        .order_by("position", "id")
        .values("id", "code", "title", "definition", "texts", "group_id", "unit__key")
    )
    deadlines: dict[int, list[DeadlineInfo]] = defaultdict(list)
    for row in (
        await BaselineDeadline.filter(milestone__programme_id=programme_id)
        .order_by("id")
        .values("milestone_id", "scope", "text", "earliest_date", "latest_date")
    ):
        deadlines[row["milestone_id"]].append(
            DeadlineInfo(row["scope"], row["text"], row["earliest_date"], row["latest_date"])
        )
    by_group: dict[int | None, list[MilestoneInfo]] = defaultdict(list)
    local: dict[str, list[MilestoneInfo]] = defaultdict(list)
    for row in rows:
        reporter = reporters.get(row["code"])  # «AKJ / NPE» where several answer it
        milestone = MilestoneInfo(
            code=row["code"],
            title=row["title"],
            definition=row["definition"],
            reporter=" / ".join(name for _, name in reporter) if reporter else None,
            reporter_key=reporter[0][0] if reporter else None,
            deadlines=tuple(deadlines.get(row["id"], ())),
            unit=row["unit__key"],
            texts=tuple((str(key), str(text)) for key, text in (row["texts"] or {}).items()),
        )
        if milestone.unit is not None:
            local[milestone.unit].append(milestone)
        else:
            by_group[row["group_id"]].append(milestone)
    result = [
        GroupInfo(str(group["number"]), group["title"], tuple(by_group.pop(group["id"], ())))
        for group in groups
    ]
    if by_group.get(None):
        result.append(GroupInfo("", "", tuple(by_group.pop(None))))
    return tuple(result), {key: tuple(items) for key, items in local.items()}


_ANSWER_FIELDS = (
    "milestone__code",
    "scope",
    "progress",
    "delay",
    "critical",
    "forecast_text",
    "forecast_earliest",
    "forecast_latest",
    "remark",
    "status",
    "economy",
    "sub_milestones",
    "ready_text",
    "ready_earliest",
    "ready_latest",
    "answered_by__name",
    "answered_at",
    "late",
)


def _answer(row: Mapping[str, Any]) -> AnswerInfo:
    return AnswerInfo(
        milestone=row["milestone__code"],
        scope=row["scope"],
        progress=Progress(row["progress"]),
        delay=Delay(row["delay"]),
        critical=bool(row["critical"]),
        forecast_text=row["forecast_text"],
        forecast_earliest=row["forecast_earliest"],
        forecast_latest=row["forecast_latest"],
        remark=row["remark"],
        answered_by=row["answered_by__name"],
        answered_at=row["answered_at"],
        late=bool(row["late"]),
        status=row["status"],
        economy=row["economy"],
        sub_milestones=row["sub_milestones"],
        ready_text=row["ready_text"],
        ready_earliest=row["ready_earliest"],
        ready_latest=row["ready_latest"],
    )


async def load_snapshot(round_id: int) -> Snapshot:
    """Read the round and its programme; raises tortoise's DoesNotExist for an unknown id."""
    round_ = await Round.get(id=round_id).prefetch_related("programme")
    programme = round_.programme
    people, reporters = await _people(programme.id)
    units = (
        await Unit.filter(programme_id=programme.id)
        .order_by("position", "id")
        .values("key", "name")
    )
    groups, local = await _milestones(programme.id, reporters)
    answer_rows = await Answer.filter(round_id=round_id).order_by("id").values(*_ANSWER_FIELDS)
    submission_rows = (
        await Submission.filter(round_id=round_id)
        .order_by("submitted_at", "id")
        .values("scope", "submitted_by__name", "submitted_at", "late")
    )
    reporter_milestones: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group in groups:
        for milestone in group.milestones:
            for key, name in reporters.get(milestone.code, ()):
                reporter_milestones[(key, name)].append(milestone.code)
    return make_snapshot(
        programme_info(programme),
        _round_info(round_),
        tuple(
            UnitInfo(
                key=unit["key"],
                name=unit["name"],
                leads=tuple(people.get((RoleKind.LEAD.value, unit["key"]), ())),
                deputies=tuple(people.get((RoleKind.DEPUTY.value, unit["key"]), ())),
            )
            for unit in units
        ),
        groups,
        tuple(_answer(row) for row in answer_rows),
        local_items=local,
        submissions=tuple(
            SubmissionInfo(
                row["scope"], row["submitted_by__name"], row["submitted_at"], bool(row["late"])
            )
            for row in submission_rows
        ),
        reporters=tuple(
            ReporterInfo(key, name, tuple(codes))
            for (key, name), codes in reporter_milestones.items()
        ),
    )


async def previous_round(programme_id: int, round_id: int) -> Round | None:
    """The round this one is compared with (`round_before`)."""
    current = await Round.get(id=round_id, programme_id=programme_id)
    return await round_before(current)


async def round_before(current: Round) -> Round | None:
    """The programme's latest closed or published round (imported history included) dated
    before this one, by `Round.date`; rounds of the same day are taken in the order they
    were made. The comparison is made with it, and the checklist shows its answers."""
    return (
        await Round.filter(
            Q(date__lt=current.date) | Q(date=current.date, id__lt=current.id),
            programme_id=current.programme_id,
            status__in=[RoundStatus.CLOSED, RoundStatus.PUBLISHED],
        )
        .order_by("-date", "-id")
        .first()
    )
