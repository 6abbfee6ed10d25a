"""Reading a round in table layout back (`fremdrift round import`): seed 004's CSV and JSON.

`round export` writes a programme in table layout item by item (`reporting.table_export`,
docs/formats.md): a CSV with `code`, `unit`, the item's own columns (`group`, `title`,
`reporter`, `text_<key>`), the answer's (`progress`, `delay`, `critical` where there is a
traffic light, then a column per question answered by typing) and who and when; a JSON with
`"layout": "table"` and `items`, each with its `answers` per unit. This reads both into the
records `reporting.import_rows` checks, as a matrix file's are: `code` is the item's code
(told as `code` in a mistake), a programme without a traffic light answers `none` for
progress, and what the export writes only to be read by a person — the item's group, title,
owner and standing texts, the colour and status in words, who answered — is not read (the
programme file says those). Any other column or field is refused, so a misspelt one is
never silently dropped.

Pure: text in, `ImportFile` out; `read_import` tells a table file from a matrix file by its
content and hands a matrix file to `reporting.import_files.read_file`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Final

from conversations.errors import UserError
from conversations.text import shown
from reporting.import_files import (
    CSV,
    TABLE_JSON,
    ImportFailed,
    ImportFile,
    Problems,
    Record,
    csv_rows,
    decode,
    delimiter,
    read_file,
    where,
)
from reporting.tables import JSON_FORMAT

ITEM: Final = ("code", "group", "title", "reporter")
ANSWER: Final = ("unit", "progress", "delay", "critical", "colour", "text")
TYPED: Final = ("status", "economy", "forecast", "remark", "sub_milestones", "ready")
WHO: Final = ("answered_by", "answered_at", "late", "source")
REQUIRED: Final = ("code", "unit")
SHOWN_ONLY: Final = frozenset(("group", "title", "reporter", "colour", "text", "answered_by"))
"""Written for a person to read, not read back: the programme file says what they say."""
TEXT_PREFIX: Final = "text_"
NAMES: Final = {"milestone": "code"}
"""The checked field as the table's files call it."""
JSON_ITEM_KEYS: Final = frozenset((*ITEM, "local", "texts", "answers"))
JSON_ANSWER_KEYS: Final = frozenset((*ANSWER, *TYPED, *WHO))


def read_import(data: bytes) -> ImportFile:
    """An import file of either layout; raises ImportFailed when its shape is wrong."""
    content = decode(data)
    if content.lstrip().startswith("{"):
        found = _json(content)
        if isinstance(found, dict) and found.get("layout") == "table":
            return _read_json(found)
        return read_file(data)
    header = next(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter(content)), [])
    columns = {column.strip().lower() for column in header}
    if "code" in columns and "milestone" not in columns:  # else the matrix's reader tells
        return _read_csv(content)
    return read_file(data)


def _json(content: str) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None  # read_file tells what is wrong with it


def _answer(values: dict[str, Any], code: Any) -> dict[str, Any]:
    """An answer's values as a matrix cell's: its item's code, progress `none` when the
    programme has no traffic light, nothing kept that is only shown."""
    kept = {key: value for key, value in values.items() if key not in SHOWN_ONLY}
    kept = {key: value for key, value in kept.items() if not key.startswith(TEXT_PREFIX)}
    kept.pop("code", None)
    kept.setdefault("progress", "none")
    return {"milestone": code, **kept}


def _header(found: list[str]) -> list[str]:
    columns = [column.strip().lower() for column in found]
    known = (*ITEM, *ANSWER, *TYPED, *WHO)
    if (
        any(column not in known and not column.startswith(TEXT_PREFIX) for column in columns)
        or len(set(columns)) != len(columns)
        or any(column not in columns for column in REQUIRED)
    ):
        optional = [c for c in known if c not in REQUIRED]
        raise ImportFailed(
            [
                UserError(
                    "import.header",
                    expected=",".join(REQUIRED),
                    optional=",".join([*optional, TEXT_PREFIX + "…"]),
                    found=",".join(found),
                )
            ]
        )
    return columns


def _read_csv(content: str) -> ImportFile:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter(content))
    records: list[Record] = []
    for line, row in csv_rows(reader, _header(next(reader))):
        if not row.get("answered_at"):
            row.pop("answered_at", None)  # a row of a spreadsheet's own: not known
        records.append(Record(line, _answer(row, row.get("code", ""))))
    return ImportFile(CSV, tuple(records), names=NAMES)


def _answers(items: list[Any], errors: Problems) -> Iterator[Record]:
    """Each answer of each item, numbered by its item's place in `items`."""
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("answers"), list):
            errors.append(UserError("import.json_item", where=where(TABLE_JSON, number)))
            continue
        unknown = [key for key in item if key not in JSON_ITEM_KEYS]
        for answer in item["answers"]:
            if not isinstance(answer, dict):
                errors.append(UserError("import.json_item", where=where(TABLE_JSON, number)))
                continue
            unknown += [key for key in answer if key not in JSON_ANSWER_KEYS]
            yield Record(number, _answer(dict(answer), item.get("code")))
        for field in dict.fromkeys(unknown):
            errors.append(
                UserError(
                    "import.unknown_field",
                    where=where(TABLE_JSON, number),
                    row=number,
                    field=shown(str(field)),
                )
            )


def _read_json(data: dict[str, Any]) -> ImportFile:
    if not isinstance(data.get("items"), list):
        raise ImportFailed([UserError("import.json_items")])
    found = data.get("format", JSON_FORMAT)
    if found != JSON_FORMAT:
        raise ImportFailed(
            [UserError("import.json_format", found=shown(str(found)), expected=JSON_FORMAT)]
        )
    programme = data.get("programme")
    key = programme.get("key") if isinstance(programme, dict) else None
    round_ = data.get("round")
    errors = Problems()
    records = tuple(_answers(data["items"], errors))
    if errors:
        raise errors.failed()
    return ImportFile(
        TABLE_JSON,
        records,
        programme=key if isinstance(key, str) else None,
        round=round_ if isinstance(round_, dict) else None,
        names=NAMES,
    )
