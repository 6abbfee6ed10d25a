"""Importing an earlier round from a file: `fremdrift round import`.

The whole file is read and checked first (`reporting.import_files`, or for a round in table
layout `reporting.import_table`, then `reporting.import_rows`, with the catalogue's words
from `render.import_words`); only a file without a mistake is
stored, in one transaction: a closed round marked imported, one answer and one revision
(source "import") per row. A refused file stores nothing.

The round's name is the one given, else the JSON export's; its date (which orders
history) the one given, else the JSON export's, else today in the programme's time zone.
From a JSON export the round keeps its opening, deadline and closing moments and each
answer its time and lateness, so an export imported and exported again is the same file.
Who answered is not kept: a name in a file is not a person in the programme.

The file is read as the chat's text is taken (`conversations.text`, `conversations.limits`):
only a regular file of at most 5 MB (`read_import_file`: a FIFO or /dev/zero is refused,
not waited on), every text normalised, a remark or forecast no longer than the chat allows,
the round's name as `round open` takes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from conversations.errors import UserError
from conversations.limits import DEADLINE_LIMIT, FILE_BYTES_LIMIT
from conversations.questions import parse_questions
from conversations.text import UnreadableText, clean, shown
from models.answer import Answer, AnswerRevision
from models.files import FileTooLarge, NotARegularFile, read_regular_file
from models.programme import Milestone, Programme, Unit
from models.round import Round, RoundStatus, local_day
from render.import_words import import_vocabulary
from reporting.deadlines import forecast_range
from reporting.import_files import ImportFailed, ImportFile
from reporting.import_rows import ImportRow, check_rows
from reporting.import_table import read_import
from service.rounds import checked_name, read_round_date

__all__ = ["IMPORT_SOURCE", "ImportFailed", "answer_count", "import_round", "read_import_file"]

IMPORT_SOURCE = "import"
FILE_LIMIT_TEXT = f"{FILE_BYTES_LIMIT // (1024 * 1024)} MB"


def read_import_file(path: Path) -> bytes:
    """The bytes of the file to import: a regular file within the size limit.

    Raises UserError import.file_missing (also: no permission, a folder), import.not_regular
    (a FIFO, a device) or import.file_too_large."""
    where = shown(str(path), 255)
    try:
        return read_regular_file(path)
    except NotARegularFile:
        raise UserError("import.not_regular", path=where) from None
    except FileTooLarge:
        raise UserError("import.file_too_large", path=where, limit=FILE_LIMIT_TEXT) from None
    except OSError:
        raise UserError("import.file_missing", path=where) from None


async def find_programme(key: str) -> Programme:
    programme = await Programme.get_or_none(key=key)
    if programme is None:
        raise UserError("import.unknown_programme", value=key)
    return programme


async def answer_count(round_: Round) -> int:
    """How many answers a round holds: what `round import` reports it stored."""
    return await Answer.filter(round_id=round_.id).count()


def _read_forecast(text: str, today: date) -> tuple[date, date] | None:
    return forecast_range(text, today=today)


def _round_value(file: ImportFile, key: str) -> Any:
    return (file.round or {}).get(key)


def _round_moment(file: ImportFile, key: str) -> datetime | None:
    """A moment of the exported round (JSON), or None; a malformed one is refused."""
    value = _round_value(file, key)
    if value is None:
        return None
    try:
        if isinstance(value, str):
            found = datetime.fromisoformat(value)
            return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
    except ValueError:
        pass
    raise ImportFailed(
        [
            UserError(
                "import.json_type",
                where=UserError("import.at_round"),
                field=f"round.{key}",
                expected="moment",
            )
        ]
    )


def _round_text(file: ImportFile, key: str) -> str:
    """A text of the exported round (JSON: its deadline as written), normalised and within
    the chat's limit for it; "" when absent."""
    value = _round_value(file, key)
    if value is None:
        return ""
    where = UserError("import.at_round")
    field = f"round.{key}"
    if not isinstance(value, str):
        raise ImportFailed(
            [UserError("import.json_type", where=where, field=field, expected="text")]
        )
    try:
        text = clean(value).strip()
    except UnreadableText:
        raise ImportFailed([UserError("import.bad_text", where=where, field=field)]) from None
    if len(text) > DEADLINE_LIMIT:
        raise ImportFailed(
            [
                UserError(
                    "import.too_long",
                    where=where,
                    field=field,
                    limit=DEADLINE_LIMIT,
                    length=len(text),
                )
            ]
        )
    return text


def _name(name: str | None, file: ImportFile) -> str:
    given = name if name is not None else _round_value(file, "name")
    if not isinstance(given, str):
        raise UserError("import.name_missing")
    return checked_name(given)


def _day(date_text: str | None, file: ImportFile, programme: Programme, now: datetime) -> date:
    if date_text is not None:
        return read_round_date(date_text)
    exported = _round_value(file, "date")
    if isinstance(exported, str):
        return read_round_date(exported)
    return local_day(now, programme.timezone)


async def import_round(
    programme_key: str,
    name: str | None,
    data: bytes,
    now: datetime,
    *,
    date_text: str | None = None,
) -> Round:
    """Check the whole file, then store it as a closed, imported round.

    Raises ImportFailed (the file's mistakes, each naming its row and field) or UserError
    (import.unknown_programme, import.file_too_large, import.name_missing,
    import.round_exists, round.name_*, round.date_unreadable); either way nothing is stored.
    """
    programme = await find_programme(programme_key)
    if len(data) > FILE_BYTES_LIMIT:
        raise UserError("import.file_too_large", path="", limit=FILE_LIMIT_TEXT)
    file = read_import(data)
    name = _name(name, file)
    day = _day(date_text, file, programme, now)
    if await Round.exists(programme_id=programme.id, name=name):
        raise UserError("import.round_exists", name=name)
    milestones = {
        str(code): unit
        for code, unit in await Milestone.filter(programme_id=programme.id).values_list(
            "code", "unit__key"
        )
    }
    units = [
        str(key)
        for key in await Unit.filter(programme_id=programme.id)
        .order_by("position", "id")
        .values_list("key", flat=True)
    ]
    asked = parse_questions([str(q["ask"]) for q in programme.questions])
    rows = check_rows(
        file, milestones, units, import_vocabulary(), _read_forecast, today=day, asked=asked
    )
    opened_at = _round_moment(file, "opened_at") or now
    return await _store(
        programme,
        name,
        rows,
        now,
        date=day,
        opened_at=opened_at,
        closed_at=_round_moment(file, "closed_at") or max(opened_at, now),
        deadline=_round_moment(file, "deadline"),
        deadline_text=_round_text(file, "deadline_text"),
    )


async def _store(
    programme: Programme, name: str, rows: list[ImportRow], now: datetime, **round_values: Any
) -> Round:
    """The round, closed and marked imported, with one answer and one revision per row."""
    milestone_ids = dict(
        await Milestone.filter(programme_id=programme.id).values_list("code", "id")
    )
    unit_ids = dict(await Unit.filter(programme_id=programme.id).values_list("key", "id"))
    async with in_transaction():
        if await Round.exists(programme_id=programme.id, name=name):
            raise UserError("import.round_exists", name=name)
        round_ = await Round.create(
            programme=programme,
            name=name,
            status=RoundStatus.CLOSED,
            open_slot=None,
            imported=True,
            **round_values,
        )
        for row in rows:
            values: dict[str, Any] = {
                "progress": row.progress,
                "delay": row.delay,
                "critical": row.critical,
                "forecast_text": row.forecast_text,
                "forecast_earliest": row.forecast_earliest,
                "forecast_latest": row.forecast_latest,
                "remark": row.remark,
                "status": row.status,
                "economy": row.economy,
                "sub_milestones": row.sub_milestones,
                "ready_text": row.ready_text,
                "ready_earliest": row.ready_earliest,
                "ready_latest": row.ready_latest,
            }
            answered_at = row.answered_at or now
            answer = await Answer.create(
                round=round_,
                milestone_id=milestone_ids[row.milestone],
                unit_id=unit_ids.get(row.scope),
                scope=row.scope,
                answered_at=answered_at,
                late=row.late,
                revision=1,
                **values,
            )
            await AnswerRevision.create(
                answer=answer, number=1, changed_at=answered_at, source=IMPORT_SOURCE, **values
            )
    return round_
