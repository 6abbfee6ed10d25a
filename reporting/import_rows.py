"""Reading a round's answers from CSV (`fremdrift round import`): all rows right, or none.

Pure: bytes and the programme's structure in, answer rows out. The header must be exactly
`milestone,unit,progress,delay,critical,forecast,remark`; progress is reached | started |
expected | none; delay 0 | 0-3 | 3-6 | 6+ (empty means 0; only started or expected work can
be late); critical yes | no | empty; forecast a deadline `reporting.deadlines` can read,
or empty. A unit of `*` gives the answer for every unit (a reporter's). Every mistake is
collected — row (the line in the file) and field named — and `ImportFailed` carries them
all, so a person fixes the file once; nothing is returned unless every row is right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS, Delay, Progress, delay_allowed
from reporting.deadlines import DeadlineRange, read_deadline

IMPORT_COLUMNS = ("milestone", "unit", "progress", "delay", "critical", "forecast", "remark")
CRITICAL_VALUES = {"yes": True, "no": False, "": False}
MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    milestone: str
    scope: str
    progress: Progress
    delay: Delay
    critical: bool
    forecast: DeadlineRange | None
    remark: str


class ImportFailed(Exception):
    """The file was refused; `errors` say why, each naming its row and field."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed([UserError("import.unreadable")]) from error


def _row(
    line: int,
    values: list[str],
    milestones: Mapping[str, str | None],
    units: set[str],
    errors: list[UserError],
) -> ImportRow | None:
    """One row checked field by field; its mistakes appended to `errors`."""
    before = len(errors)
    fields = dict(zip(IMPORT_COLUMNS, (value.strip() for value in values), strict=True))

    def bad(key: str, field: str, **params: object) -> None:
        errors.append(UserError(f"import.{key}", row=line, field=field, **params))

    code, scope = fields["milestone"], fields["unit"]
    if code not in milestones:
        bad("unknown_milestone", "milestone", value=code)
    if scope != ALL_UNITS and scope not in units:
        bad("unknown_unit", "unit", value=scope)
    elif code in milestones and milestones[code] not in (None, scope):
        bad("other_units_item", "unit", value=scope, milestone=code, owner=milestones[code])
    progress = delay = None
    try:
        progress = Progress(fields["progress"])
    except ValueError:
        bad("progress", "progress", value=fields["progress"])
    try:
        delay = Delay(fields["delay"] or Delay.ON_TIME.value)
    except ValueError:
        bad("delay", "delay", value=fields["delay"])
    if progress is not None and delay not in (None, Delay.ON_TIME) and not delay_allowed(progress):
        bad("delay_not_allowed", "delay", value=fields["delay"], progress=progress.value)
    critical = CRITICAL_VALUES.get(fields["critical"].lower())
    if critical is None:
        bad("critical", "critical", value=fields["critical"])
    forecast = None
    if fields["forecast"]:
        try:
            forecast = read_deadline(fields["forecast"])
        except UserError as error:
            bad("forecast", "forecast", value=fields["forecast"], reason=error)
    if len(errors) > before or progress is None or delay is None or critical is None:
        return None
    return ImportRow(line, code, scope, progress, delay, critical, forecast, fields["remark"])


def parse_import(
    data: bytes, milestones: Mapping[str, str | None], units: set[str]
) -> list[ImportRow]:
    """The rows of an import file, checked against the programme.

    `milestones` maps every milestone code to the unit key owning it (a local item) or None;
    `units` holds the unit keys. Raises ImportFailed with every mistake found.
    """
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([UserError("import.empty")]) from None
    except csv.Error as error:
        raise ImportFailed([UserError("import.malformed", row=1, reason=str(error))]) from None
    if [column.strip().lower() for column in header] != list(IMPORT_COLUMNS):
        raise ImportFailed(
            [UserError("import.header", expected=",".join(IMPORT_COLUMNS), found=",".join(header))]
        )
    errors: list[UserError] = []
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(IMPORT_COLUMNS):
                errors.append(
                    UserError(
                        "import.columns", row=line, expected=len(IMPORT_COLUMNS), found=len(values)
                    )
                )
                continue
            row = _row(line, values, milestones, units, errors)
            if row is None:
                continue
            first = seen.setdefault((row.milestone, row.scope), line)
            if first != line:
                errors.append(
                    UserError(
                        "import.duplicate",
                        row=line,
                        field="unit",
                        first=first,
                        milestone=row.milestone,
                        value=row.scope,
                    )
                )
                continue
            rows.append(row)
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as error:
        errors.append(UserError("import.malformed", row=reader.line_num, reason=str(error)))
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([UserError("import.no_rows")])
    return rows
