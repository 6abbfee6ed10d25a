"""Reading an import file into records: CSV (ours or a spreadsheet's) or our JSON export.

Pure: bytes in, `ImportFile` out. Which format is told by the content: JSON starts with
`{`, anything else is CSV. CSV may come with or without a byte-order mark, with CRLF or
LF, separated by commas or (as Danish Excel saves it) semicolons — the header line says
which. Its header names the columns in any order: `milestone`, `unit` and `progress` are
required, `delay`, `critical`, `forecast`, `remark` optional, and the export's `text`,
`colour` and `source` are read too, and the typed answers the export writes for a
programme that asks them (`status`, `economy`, `sub_milestones`, `ready`); any other column
is refused, so a misspelt column is never silently dropped. A CSV value written with the
export's formula guard (a leading `'`) is read without it. JSON is `reporting.tables`'
export: `format` 1, `programme`, `round`, `cells` (with the same typed answers).
docs/formats.md describes both. A round in table layout's files
(seed 004's) are read by `reporting.import_table`, into the same records.

Mistakes in the file's shape raise `ImportFailed` at once; the values are checked by
`reporting.import_rows`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from conversations.errors import UserError
from conversations.limits import PROBLEMS_SHOWN
from conversations.questions import TYPED
from conversations.text import shown
from reporting.tables import JSON_FORMAT, unguard

REQUIRED_COLUMNS: Final = ("milestone", "unit", "progress")
OPTIONAL_COLUMNS: Final = ("delay", "critical", "forecast", "remark", "text", "colour", "source")
TYPED_COLUMNS: Final = tuple(question.value for question in TYPED)
"""The typed answers of a programme asking more than KOL's five (`reporting.tables`)."""
JSON_ONLY: Final = (
    "forecast_earliest",
    "forecast_latest",
    "ready_earliest",
    "ready_latest",
    "answered_by",
    "answered_at",
    "late",
    "local",
)
CELL_KEYS: Final = frozenset((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *TYPED_COLUMNS, *JSON_ONLY))
CSV: Final = "csv"
JSON: Final = "json"
TABLE_JSON: Final = "table-json"  # a table's JSON: a record is an answer of the n-th item


class ImportFailed(Exception):
    """The file was refused; `errors` say why, each naming its row and field.

    At most `PROBLEMS_SHOWN` are kept; `total` counts them all (a file of 100,000 bad rows
    is told in 20 lines and a count, not 100,000 lines)."""

    def __init__(self, errors: list[UserError], total: int | None = None) -> None:
        super().__init__(f"{total or len(errors)} errors")
        self.errors = errors[:PROBLEMS_SHOWN]
        self.total = max(total or 0, len(errors))


class Problems:
    """The mistakes found in a file: the first `PROBLEMS_SHOWN` kept, every one counted."""

    def __init__(self) -> None:
        self.shown: list[UserError] = []
        self.count = 0

    def append(self, error: UserError) -> None:
        self.count += 1
        if len(self.shown) < PROBLEMS_SHOWN:
            self.shown.append(error)

    def __len__(self) -> int:
        return self.count

    def failed(self) -> ImportFailed:
        return ImportFailed(self.shown, self.count)


@dataclass(frozen=True, slots=True)
class Record:
    """One row of a CSV file (number: its line) or one cell of a JSON file (its position).

    CSV values are text; JSON values are as the file has them (checked later).
    """

    number: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportFile:
    kind: str  # csv | json | table-json
    records: tuple[Record, ...]
    programme: str | None = None  # JSON: the programme it was exported from
    round: dict[str, Any] | None = None  # JSON: the exported round's record
    names: Mapping[str, str] = field(default_factory=dict)  # a field as the file calls it

    @property
    def table(self) -> bool:
        """A round in table layout's file (`reporting.import_table`): items, not cells."""
        return "milestone" in self.names


def where(kind: str, number: int) -> UserError:
    """How a message names a place in the file: «Række 3» (CSV line), «Celle 3» (JSON) or
    «Punkt 3 i items» (a table's JSON)."""
    at = {CSV: "import.at_row", TABLE_JSON: "import.at_item"}.get(kind, "import.at_cell")
    return UserError(at, row=number)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed([UserError("import.unreadable")]) from error


def read_file(data: bytes) -> ImportFile:
    """The file's records; raises ImportFailed when its shape is wrong."""
    content = decode(data)
    if content.lstrip().startswith("{"):
        return _read_json(content)
    return _read_csv(content)


def delimiter(content: str) -> str:
    header = content.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _header(found: list[str]) -> list[str]:
    columns = [column.strip().lower() for column in found]
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *TYPED_COLUMNS)
    if (
        any(column not in known for column in columns)
        or len(set(columns)) != len(columns)
        or any(column not in columns for column in REQUIRED_COLUMNS)
    ):
        raise ImportFailed(
            [
                UserError(
                    "import.header",
                    expected=",".join(REQUIRED_COLUMNS),
                    optional=",".join((*OPTIONAL_COLUMNS, *TYPED_COLUMNS)),
                    found=",".join(found),
                )
            ]
        )
    return columns


def _read_csv(content: str) -> ImportFile:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter(content))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([UserError("import.empty")]) from None
    except csv.Error as error:
        raise ImportFailed([UserError("import.malformed", row=1, reason=str(error))]) from None
    records = [Record(line, row) for line, row in csv_rows(reader, _header(header))]
    return ImportFile(CSV, tuple(records))


def csv_rows(reader: Any, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """A CSV's rows after its header, each by its line and columns, values stripped and
    unguarded; blank rows skipped. Raises ImportFailed naming every row of the wrong width
    (and where the CSV could not be read): the matrix's reader and the table's share it."""
    rows: list[tuple[int, dict[str, str]]] = []
    errors = Problems()
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(columns):
                errors.append(
                    UserError(
                        "import.columns",
                        where=where(CSV, line),
                        row=line,
                        expected=len(columns),
                        found=len(values),
                    )
                )
                continue
            cleaned = (unguard(value.strip()) for value in values)
            rows.append((line, dict(zip(columns, cleaned, strict=True))))
    except csv.Error as error:
        errors.append(UserError("import.malformed", row=reader.line_num, reason=str(error)))
    if errors:
        raise errors.failed()
    return rows


def _read_json(content: str) -> ImportFile:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            [UserError("import.json_malformed", row=error.lineno, reason=error.msg)]
        ) from None
    except (RecursionError, ValueError):  # nested past the stack; a number past 4,300 digits
        raise ImportFailed([UserError("import.json_too_complex")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ImportFailed([UserError("import.json_cells")])
    found = data.get("format", JSON_FORMAT)
    if found != JSON_FORMAT:
        raise ImportFailed(
            [UserError("import.json_format", found=shown(str(found)), expected=JSON_FORMAT)]
        )
    programme = data.get("programme")
    key = programme.get("key") if isinstance(programme, dict) else None
    round_ = data.get("round")
    records: list[Record] = []
    errors = Problems()
    for number, cell in enumerate(data["cells"], start=1):
        if not isinstance(cell, dict):
            errors.append(UserError("import.json_cell", where=where(JSON, number), row=number))
            continue
        for name in cell:
            if name not in CELL_KEYS:
                errors.append(
                    UserError(
                        "import.unknown_field",
                        where=where(JSON, number),
                        row=number,
                        field=shown(str(name)),
                    )
                )
        records.append(Record(number, dict(cell)))
    if errors:
        raise errors.failed()
    return ImportFile(
        JSON,
        tuple(records),
        programme=key if isinstance(key, str) else None,
        round=round_ if isinstance(round_, dict) else None,
    )
