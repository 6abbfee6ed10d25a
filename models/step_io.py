"""The checklist step's own SQL: one read of what changes per click, one write of its outcome.

A click reads, in its transaction (service/runner.py):
1. `read_step`: the round, its programme's revision (models/structure.py), the round before
   it, the checklist's submission and the person's conversation row, in one statement;
2. `read_answers`: the answers of the checklist's scopes in this round (and, when they are
   not kept, in the round before), with who gave them, in one statement.
It writes with `write_step`: the conversation row, the answer (inserted, or updated when a
value changed, its revision raised) and that revision. On PostgreSQL that is one statement
(data-modifying CTEs); SQLite, in-process and without them, takes one per row.

Written as SQL because the ORM would take a statement per relation: the columns and their
conversions are still the models' (`Model._meta`), so a column added to Answer is written
with its default here too. Identifiers are quoted; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from tortoise import connections
from tortoise.fields import DateField, DatetimeField, Field
from tortoise.models import Model

from conversations.context import AnswerData
from conversations.vocabulary import RoundStatus
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.db import dialect
from models.people import Person
from models.programme import Programme
from models.round import Round, Submission
from models.structure import Token

WHO_AND_WHEN = ("answered_by", "answered_at")
ANSWER_VALUES = tuple(f.name for f in fields(AnswerData) if f.name not in WHO_AND_WHEN)
"""The columns an answer's values live in (and its revisions'), named as AnswerData names
them: a change to any is a new revision."""

FINISHED = (RoundStatus.CLOSED.value, RoundStatus.PUBLISHED.value)
PREVIOUS_COLUMNS = ("id", "name", "status", "closed_at", "imported")
CONVERSATION_COLUMNS = ("id", "state", "version", "message_ref")


def answer_values(data: AnswerData) -> dict[str, Any]:
    return {name: getattr(data, name) for name in ANSWER_VALUES}


class Params:
    """Placeholders in the order they appear: `?` (SQLite) or `$n::type` (PostgreSQL, typed,
    as a parameter in a SELECT list of an INSERT must be)."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self.values: list[Any] = []

    def __call__(self, value: Any, cast: str = "") -> str:
        self.values.append(value)
        if not self.pg:
            return "?"
        return f"${len(self.values)}" + (f"::{cast}" if cast else "")

    def column(self, model: type[Model], name: str, value: Any) -> str:
        """A placeholder for a value of `model`'s column `name`, converted as the ORM would."""
        field = _field(model, name)
        cast = str(field.get_for_dialect("postgres", "SQL_TYPE")) if self.pg else ""
        return self(field.to_db_value(value, model), cast.split("(")[0])


def _field(model: type[Model], column: str) -> Field[Any]:
    meta = model._meta
    return meta.fields_map[meta.fields_db_projection_reverse.get(column, column)]


def _python(model: type[Model], column: str, value: Any) -> Any:
    """A column's value as the ORM gives it; None as None."""
    return None if value is None else _converter(model, column)(value)


@cache
def _converter(model: type[Model], column: str) -> Callable[[Any], Any]:
    """How a column's stored value becomes the model's: the field's own conversion, but
    the standard library's ISO reader for SQLite's text dates and moments (read many times
    a click, and a tenth of the cost of the general one)."""
    field = _field(model, column)
    convert = field.to_python_value
    if isinstance(field, DatetimeField):

        def moment(value: Any) -> Any:
            if not isinstance(value, str):
                return convert(value)
            read = datetime.fromisoformat(value)
            return read if read.tzinfo is not None else read.replace(tzinfo=UTC)

        return moment
    if isinstance(field, DateField):
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
    return convert


def _columns(model: type[Model]) -> list[str]:
    return sorted(column for column in model._meta.db_fields if column != "id")


def _row(model: type[Model], given: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of a new row: what is given, else the field's default."""
    row: dict[str, Any] = {}
    for column in _columns(model):
        if column in given:
            row[column] = given[column]
            continue
        default = _field(model, column).default
        row[column] = default() if callable(default) else default
    return row


async def _query(sql: str, params: Params) -> list[dict[str, Any]]:
    return list(await connections.get("default").execute_query_dict(sql, params.values))


# -- reading -------------------------------------------------------------------------------


async def person_of_account(
    platform: str, user_id: str, workspaces: Sequence[str]
) -> Person | None:
    """Who clicks: the person with this account on the platform (in one of `workspaces`).
    One statement, as every click asks it."""
    p = Params(dialect() == "postgres")
    columns = sorted(Person._meta.db_fields)
    selected = ", ".join(f'pe."{c}" AS "{c}"' for c in columns)
    sql = (
        f'SELECT {selected} FROM "person" pe JOIN "account" a ON a."person_id" = pe."id" '
        f'WHERE a."platform" = {p(platform)} AND a."user_id" = {p(user_id)} '
        f'AND a."workspace" IN ({", ".join(p(w) for w in workspaces)}) LIMIT 1'
    )
    rows = await _query(sql, p)
    if not rows:
        return None
    return Person._init_from_db(**{c: _python(Person, c, rows[0][c]) for c in columns})


@dataclass(frozen=True)
class PreviousRound:
    """The round before (models.snapshot.round_before): its answers show beside this round's."""

    id: int
    name: str
    status: str
    closed_at: datetime | None
    imported: bool


@dataclass(frozen=True)
class ConversationRow:
    id: int
    state: dict[str, Any]
    version: int
    message_ref: dict[str, object] | None


@dataclass(frozen=True)
class StepRead:
    round: Round
    token: Token
    submitted_at: datetime | None
    previous: PreviousRound | None
    conversation: ConversationRow | None


async def read_step(round_id: int, person_id: int, scope: str, *, writer: bool) -> StepRead | None:
    """What a step reads that any click may have changed; None when there is no such round.

    `writer`: the step will write. On SQLite its transaction must then take the write lock
    with its first statement (models/locks.py, `writer_first`), so that nothing read here
    changes before it commits: this read is that statement, an update that changes nothing
    and returns what is read. PostgreSQL locks what it writes, when it writes it.
    """
    pg = dialect() == "postgres"
    p = Params(pg)
    columns = sorted(Round._meta.db_fields)  # complete once Tortoise is initialised
    lock = writer and not pg
    where = f'"round"."id" = {p(round_id)}' if lock else ""
    finished = ", ".join(f"'{status}'" for status in FINISHED)  # our own words, not input
    before = (
        '(SELECT x."id" FROM "round" x WHERE x."programme_id" = "round"."programme_id" '
        f'AND x."status" IN ({finished}) AND (x."date" < "round"."date" OR '
        '(x."date" = "round"."date" AND x."id" < "round"."id")) '
        'ORDER BY x."date" DESC, x."id" DESC LIMIT 1)'
    )

    def of_programme(column: str) -> str:
        return f'(SELECT pg."{column}" FROM "programme" pg WHERE pg."id" = "round"."programme_id")'

    def of_previous(column: str) -> str:
        return f'(SELECT pr."{column}" FROM "round" pr WHERE pr."id" = {before})'

    def of_conversation(column: str) -> str:
        return (
            f'(SELECT c."{column}" FROM "conversation" c WHERE c."round_id" = "round"."id" '
            f'AND c."person_id" = {p(person_id)} AND c."scope" = {p(scope)})'
        )

    selected = [f'"round"."{c}" AS "r_{c}"' for c in columns]
    selected += [f'{of_programme(c)} AS "p_{c}"' for c in ("revision", "created_at")]
    selected.append(
        '(SELECT s."submitted_at" FROM "submission" s WHERE s."round_id" = "round"."id" '
        f'AND s."scope" = {p(scope)}) AS "s_submitted_at"'
    )
    selected += [f'{of_previous(c)} AS "pr_{c}"' for c in PREVIOUS_COLUMNS]
    selected += [f'{of_conversation(c)} AS "c_{c}"' for c in CONVERSATION_COLUMNS]
    if lock:  # the round's row is written as it is: the write lock, taken first
        sql = (
            'UPDATE "round" SET "deadline_text" = "deadline_text" '
            f"WHERE {where} RETURNING {', '.join(selected)}"
        )
    else:
        sql = f'SELECT {", ".join(selected)} FROM "round" WHERE "round"."id" = {p(round_id)}'
    rows = await _query(sql, p)
    if not rows:
        return None
    row = rows[0]
    round_ = Round._init_from_db(**{c: _python(Round, c, row[f"r_{c}"]) for c in columns})
    token = Token(int(row["p_revision"]), _python(Programme, "created_at", row["p_created_at"]))
    previous = None
    if row["pr_id"] is not None:
        previous = PreviousRound(
            id=int(row["pr_id"]),
            name=str(row["pr_name"]),
            status=str(row["pr_status"]),
            closed_at=_python(Round, "closed_at", row["pr_closed_at"]),
            imported=bool(row["pr_imported"]),
        )
    conversation = None
    if row["c_id"] is not None:
        conversation = ConversationRow(
            id=int(row["c_id"]),
            state=_python(Conversation, "state", row["c_state"]) or {},
            version=int(row["c_version"]),
            message_ref=_python(Conversation, "message_ref", row["c_message_ref"]),
        )
    submitted = _python(Submission, "submitted_at", row["s_submitted_at"])
    return StepRead(round_, token, submitted, previous, conversation)


@dataclass(frozen=True)
class AnswerRow:
    round_id: int
    milestone_id: int
    scope: str
    data: AnswerData


async def read_answers(wanted: Sequence[tuple[int, Sequence[str]]]) -> list[AnswerRow]:
    """The answers of each (round, scopes) asked for, with the name of who gave them."""
    p = Params(dialect() == "postgres")
    values = ", ".join(f'a."{c}"' for c in ANSWER_VALUES)
    where = " OR ".join(
        f'(a."round_id" = {p(round_id)} AND a."scope" IN ({", ".join(p(s) for s in scopes)}))'
        for round_id, scopes in wanted
    )
    sql = (
        f'SELECT a."round_id", a."milestone_id", a."scope", a."answered_at", {values}, '
        'pe."name" AS "answered_by" FROM "answer" a '
        f'LEFT JOIN "person" pe ON pe."id" = a."answered_by_id" WHERE {where}'
    )
    rows = await _query(sql, p)
    return [
        AnswerRow(
            int(row["round_id"]),
            int(row["milestone_id"]),
            str(row["scope"]),
            AnswerData(
                answered_by=row["answered_by"] or "",
                answered_at=_python(Answer, "answered_at", row["answered_at"]),
                **{name: _python(Answer, name, row[name]) for name in ANSWER_VALUES},
            ),
        )
        for row in rows
    ]


# -- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationWrite:
    """The conversation's new state: over `existing` at `read_version`, or a new row."""

    existing: int | None
    read_version: int
    person_id: int
    round_id: int
    scope: str
    state: dict[str, Any]
    version: int


@dataclass(frozen=True)
class AnswerWrite:
    round_id: int
    milestone_id: int
    unit_id: int | None
    scope: str
    values: Mapping[str, Any]
    actor_id: int
    now: datetime
    late: bool
    source: str


@dataclass(frozen=True)
class Written:
    conversation_id: int | None  # None: the row had moved on (a stale write)
    added: bool  # the answer changed, and a revision was added


def _conversation_sql(p: Params, write: ConversationWrite) -> str:
    if write.existing is not None:
        state = p.column(Conversation, "state", write.state)
        version = p.column(Conversation, "version", write.version)
        return (
            f'UPDATE "conversation" SET "state" = {state}, "version" = {version} '
            f'WHERE "id" = {p(write.existing, "int")} '
            f'AND "version" = {p(write.read_version, "int")} RETURNING "id"'
        )
    row = _row(
        Conversation,
        {
            "person_id": write.person_id,
            "round_id": write.round_id,
            "scope": write.scope,
            "updated_at": datetime.now(UTC),  # as the ORM's auto_now would
            "message_ref": None,
            "state": write.state,
            "version": write.version,
        },
    )
    columns = ", ".join(f'"{c}"' for c in row)
    placeholders = ", ".join(p.column(Conversation, c, v) for c, v in row.items())
    return f'INSERT INTO "conversation" ({columns}) VALUES ({placeholders}) RETURNING "id"'


def _answer_sql(p: Params, write: AnswerWrite, source: str) -> str:
    """The answer, inserted or updated only when a value changed; returns its id and revision.
    `source`: what the row's values are selected from (a CTE, or nothing)."""
    row = _row(
        Answer,
        {
            "round_id": write.round_id,
            "milestone_id": write.milestone_id,
            "unit_id": write.unit_id,
            "scope": write.scope,
            "answered_by_id": write.actor_id,
            "answered_at": write.now,
            "late": write.late,
            "revision": 1,
            **write.values,
        },
    )
    columns = ", ".join(f'"{c}"' for c in row)
    selected = ", ".join(p.column(Answer, c, v) for c, v in row.items())
    changed = ("answered_by_id", "answered_at", "late", *write.values)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in changed)
    distinct = "IS DISTINCT FROM" if p.pg else "IS NOT"
    differs = " OR ".join(f'"answer"."{c}" {distinct} excluded."{c}"' for c in write.values)
    return (
        f'INSERT INTO "answer" ({columns}) SELECT {selected}{source} '
        'ON CONFLICT ("round_id", "milestone_id", "scope") DO UPDATE SET '
        f'{sets}, "revision" = "answer"."revision" + 1 WHERE {differs} '
        'RETURNING "id", "revision"'
    )


def _revision_row(write: AnswerWrite) -> dict[str, Any]:
    return _row(
        AnswerRevision,
        {
            "answer_id": 0,
            "number": 0,
            "changed_by_id": write.actor_id,
            "changed_at": write.now,
            "source": write.source,
            **write.values,
        },
    )


async def write_step(conversation: ConversationWrite, answer: AnswerWrite | None) -> Written:
    """Write the conversation and (if any) the answer with its revision, in the caller's
    transaction. A stale conversation (moved on since it was read) writes nothing else; the
    caller starts over. PostgreSQL: one statement; SQLite: one per row."""
    if dialect() == "postgres":
        return await _write_pg(conversation, answer)
    p = Params(False)
    rows = await _query(_conversation_sql(p, conversation), p)
    if not rows:
        return Written(None, False)
    conversation_id = int(rows[0]["id"])
    if answer is None:
        return Written(conversation_id, False)
    p = Params(False)
    changed = await _query(_answer_sql(p, answer, " WHERE 1"), p)  # WHERE: SQLite's upsert
    if not changed:
        return Written(conversation_id, False)
    row = _revision_row(answer)
    row.update(answer_id=changed[0]["id"], number=changed[0]["revision"])
    p = Params(False)
    placeholders = ", ".join(p.column(AnswerRevision, c, v) for c, v in row.items())
    columns = ", ".join(f'"{c}"' for c in row)
    await _query(f'INSERT INTO "answer_revision" ({columns}) VALUES ({placeholders})', p)
    return Written(conversation_id, True)


async def _write_pg(conversation: ConversationWrite, answer: AnswerWrite | None) -> Written:
    p = Params(True)
    parts = [f'"conv" AS ({_conversation_sql(p, conversation)})']
    added = "0"
    if answer is not None:
        parts.append(f'"ans" AS ({_answer_sql(p, answer, " FROM conv")})')
        row = _revision_row(answer)
        columns = ", ".join(f'"{c}"' for c in row)
        selected = ", ".join(
            'ans."id"'
            if c == "answer_id"
            else 'ans."revision"'
            if c == "number"
            else p.column(AnswerRevision, c, v)
            for c, v in row.items()
        )
        parts.append(
            f'"rev" AS (INSERT INTO "answer_revision" ({columns}) '
            f'SELECT {selected} FROM ans RETURNING "id")'
        )
        added = "(SELECT count(*) FROM rev)"
    sql = f'WITH {", ".join(parts)} SELECT (SELECT "id" FROM conv) AS "id", {added} AS "added"'
    rows = await _query(sql, p)
    found = rows[0]["id"] if rows else None
    return Written(int(found) if found is not None else None, bool(rows and rows[0]["added"]))
