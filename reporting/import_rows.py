"""Checking an import file's rows against the programme (`fremdrift round import`).

Pure: the records of `reporting.import_files` and the programme's structure in, answer
rows out; all rows right, or none. Every mistake is collected — row (CSV: the line in the
file; JSON: the cell's position) and field named — and `ImportFailed` carries them all, so
a person fixes the file once.

Values: progress, delay and critical are read as codes (reached, 0-3, yes …) or as the
words a person sees, in Danish or English («Milepæl nået», «Igangsat», «ja» …): the
`ImportVocabulary` the caller builds from the message catalogue. Only started or expected
work can be late. A forecast is read as a deadline; one that cannot be read is kept as
written, without dates, as the checklist keeps it; JSON's `forecast_earliest` and
`forecast_latest` (and `ready_earliest`, `ready_latest`), when present, are taken as they
are. A unit of `*` gives the answer for every unit. The export's `text` and `colour` are
derived from the answer and not read.

What round-trips an export (docs/formats.md): a cell whose `source` is `none` (nobody
answered it) with nothing in it is not stored, so it stays not reported; the cells of a
milestone whose `source` is `all` (one answer for every unit, a reporter's) become that one
answer again when every unit has its row and they agree.

A table's file (`reporting.import_table`), and a matrix's of a programme that asks them,
carries the answers to the programme's typed questions too — status, economy,
sub-milestones, ready (read as a forecast is) — and a table's mistake names its fields as
the file does (`code`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Final, TypeVar

from conversations.errors import UserError
from conversations.limits import FORECAST_LIMIT, REMARK_LIMIT
from conversations.questions import TEXT_LIMITS, TYPED, Question
from conversations.text import UnreadableText, clean, shown
from conversations.vocabulary import ALL_UNITS, Delay, Progress, delay_allowed
from reporting.import_files import (
    CSV,
    REQUIRED_COLUMNS,
    ImportFailed,
    ImportFile,
    Problems,
    Record,
    where,
)

__all__ = ["ImportFailed", "ImportRow", "ImportVocabulary", "check_rows", "fold"]

SOURCES: Final = ("unit", "all", "none")
ForecastReader = Callable[[str, date], tuple[date, date] | None]
T = TypeVar("T")


def fold(text: str) -> str:
    """A value as compared: case, spacing and the kind of dash do not matter."""
    return " ".join(text.replace("–", "-").replace("—", "-").split()).casefold()


@dataclass(frozen=True)
class ImportVocabulary:
    """The values a file may use, folded; the codes are always among them."""

    progress: Mapping[str, Progress]
    delay: Mapping[str, Delay]
    critical: Mapping[str, bool]

    @classmethod
    def of(
        cls,
        progress: Collection[tuple[str, Progress]] = (),
        delay: Collection[tuple[str, Delay]] = (),
        critical: Collection[tuple[str, bool]] = (),
    ) -> ImportVocabulary:
        """The codes and these words; a word meaning two values is a mistake (ValueError)."""
        return cls(
            _table([(p.value, p) for p in Progress], progress),
            _table([(d.value, d) for d in Delay] + [("", Delay.ON_TIME)], delay),
            _table(
                [("yes", True), ("no", False), ("true", True), ("false", False), ("", False)],
                critical,
            ),
        )

    def read_progress(self, value: str) -> Progress | None:
        """A progress, also as «Milepæl nået (Afsluttet)»: both parts must agree."""
        found = self.progress.get(fold(value))
        if found is None and value.rstrip().endswith(")") and "(" in value:
            head, _, tail = value.rstrip()[:-1].partition("(")
            both = {self.progress.get(fold(head)), self.progress.get(fold(tail))}
            found = both.pop() if len(both) == 1 else None
        return found


def _table(codes: list[tuple[str, T]], words: Collection[tuple[str, T]]) -> dict[str, T]:
    table: dict[str, T] = {}
    for word, value in (*codes, *words):
        key = fold(word)
        if table.setdefault(key, value) != value:
            raise ValueError(f"{word!r} means both {table[key]!r} and {value!r}")
    return table


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One answer to store; `line` is the row (CSV) or cell (JSON) it came from."""

    line: int
    milestone: str
    scope: str
    progress: Progress
    delay: Delay
    critical: bool
    forecast_text: str
    forecast_earliest: date | None
    forecast_latest: date | None
    remark: str
    answered_at: datetime | None = None  # JSON: when it was answered; CSV: unknown
    late: bool = False
    status: str = ""  # the typed answers of a table's file (seed 004), in the Answer's names
    economy: str = ""
    sub_milestones: str = ""
    ready_text: str = ""
    ready_earliest: date | None = None
    ready_latest: date | None = None

    def same_answer(self, other: ImportRow) -> bool:
        ignored = ("line", "scope")
        return all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
            if f.name not in ignored
        )


@dataclass(frozen=True, slots=True)
class _Checked:
    row: ImportRow
    source: str


class _Cell:
    """One record being checked: its values as text, and the mistakes found in it."""

    def __init__(self, file: ImportFile, record: Record, errors: Problems) -> None:
        self.kind, self.number, self.errors = file.kind, record.number, errors
        self.names, self.table = file.names, file.table
        self.values = record.values
        self.before = len(errors)

    def bad(self, key: str, field: str, **params: object) -> None:
        """Tell a mistake; a value quoted back is clipped (`conversations.text.shown`)."""
        quoted = {name: shown(v) if isinstance(v, str) else v for name, v in params.items()}
        self.errors.append(
            UserError(
                f"import.{key}",
                where=where(self.kind, self.number),
                row=self.number,
                field=self.names.get(field, field),
                **quoted,
            )
        )

    def text(self, field: str, *, required: bool = False, limit: int | None = None) -> str | None:
        """The field's text, normalised as the chat's (`conversations.text`) and within
        `limit`; None when it is missing from a JSON cell, not text, unreadable or too long
        (told)."""
        value = self.values.get(field)
        if value is None:
            if required and self.kind != CSV:
                self.bad("missing_field", field)
                return None
            return ""
        if not isinstance(value, str):
            self.bad("json_type", field, expected="text")
            return None
        try:
            text = clean(value).strip()
        except UnreadableText:
            self.bad("bad_text", field)
            return None
        if limit is not None and len(text) > limit:
            self.bad("too_long", field, limit=limit, length=len(text))
            return None
        return text

    def lookup(self, field: str, read: Callable[[str], T | None], key: str) -> T | None:
        """The field read as a value (None: not one, and told as `key`)."""
        written = self.text(field, required=field in REQUIRED_COLUMNS)
        if written is None:
            return None
        found = read(written)
        if found is None:
            self.bad(key, field, value=written)
        return found

    def flag(self, field: str, table: Mapping[str, bool]) -> bool | None:
        value = self.values.get(field)
        if isinstance(value, bool):
            return value
        return self.lookup(field, lambda text: table.get(fold(text)), field)

    def day(self, field: str) -> date | None:
        value = self.values.get(field)
        if value is None:
            return None
        try:
            if isinstance(value, str):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.bad("json_type", field, expected="date")
        return None

    def moment(self, field: str) -> datetime | None:
        value = self.values.get(field)
        if value is None:
            return None
        try:
            if isinstance(value, str):
                found = datetime.fromisoformat(value)
                return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
        except ValueError:
            pass
        self.bad("json_type", field, expected="moment")
        return None

    @property
    def failed(self) -> bool:
        return len(self.errors) > self.before


def _source(text: str) -> str | None:
    """Where a cell's answer came from: unit (also empty), all or none."""
    found = text.lower() or "unit"
    return found if found in SOURCES else None


def _days(
    cell: _Cell, field: str, text: str, read_forecast: ForecastReader, today: date
) -> tuple[date, date] | None:
    """The days a typed `field` (forecast, ready) was read as: JSON's `<field>_earliest` and
    `<field>_latest` as they are, when present (null: kept as written); else read now."""
    earliest_field, latest_field = f"{field}_earliest", f"{field}_latest"
    if earliest_field in cell.values or latest_field in cell.values:
        earliest, latest = cell.day(earliest_field), cell.day(latest_field)
        return (earliest, latest) if earliest and latest and text else None
    return read_forecast(text, today) if text else None


def _check(
    cell: _Cell,
    milestones: Mapping[str, str | None],
    units: Collection[str],
    vocabulary: ImportVocabulary,
    read_forecast: ForecastReader,
    today: date,
    asked: Collection[Question],
) -> _Checked | None:
    """One record checked field by field; its mistakes appended to the cell's errors."""
    code, scope = cell.text("milestone", required=True), cell.text("unit", required=True)
    if code is not None and code not in milestones:
        cell.bad("unknown_item" if cell.table else "unknown_milestone", "milestone", value=code)
    if scope is not None and scope != ALL_UNITS and scope not in units:
        cell.bad("unknown_unit", "unit", value=scope)
    elif code is not None and code in milestones and milestones[code] not in (None, scope):
        cell.bad("other_units_item", "unit", value=scope, milestone=code, owner=milestones[code])
    progress = cell.lookup("progress", vocabulary.read_progress, "progress")
    delay = cell.lookup("delay", lambda text: vocabulary.delay.get(fold(text)), "delay")
    if progress is not None and delay not in (None, Delay.ON_TIME) and not delay_allowed(progress):
        cell.bad("delay_not_allowed", "delay", value=cell.text("delay"), progress=progress.value)
    critical = cell.flag("critical", vocabulary.critical)
    late = cell.values.get("late")
    if isinstance(late, str):  # a table's CSV: yes or no
        late = cell.lookup("late", lambda text: vocabulary.critical.get(fold(text)), "critical")
    elif late is not None and not isinstance(late, bool):
        cell.bad("json_type", "late", expected="boolean")
    source = cell.lookup("source", _source, "source")
    forecast = cell.text("forecast", limit=FORECAST_LIMIT) or ""
    remark = cell.text("remark", limit=REMARK_LIMIT) or ""
    span = _days(cell, "forecast", forecast, read_forecast, today)
    answered_at = cell.moment("answered_at")
    typed = {
        question.value: cell.text(question.value, limit=TEXT_LIMITS[question]) or ""
        for question in (Question.STATUS, Question.ECONOMY, Question.SUB_MILESTONES)
    }
    ready = cell.text("ready", limit=TEXT_LIMITS[Question.READY]) or ""
    for question in TYPED:  # an answer nobody asked for would be stored and never shown
        if question not in asked and (ready if question is Question.READY else typed[question]):
            cell.bad("not_asked", question.value)
    ready_span = _days(cell, "ready", ready, read_forecast, today)
    if (
        cell.failed
        or code is None
        or scope is None
        or progress is None
        or delay is None
        or critical is None
        or source is None
    ):
        return None
    row = ImportRow(
        line=cell.number,
        milestone=code,
        scope=scope,
        progress=progress,
        delay=delay,
        critical=critical,
        forecast_text=forecast,
        forecast_earliest=span[0] if span else None,
        forecast_latest=span[1] if span else None,
        remark=remark,
        answered_at=answered_at,
        late=bool(late),
        **typed,
        ready_text=ready,
        ready_earliest=ready_span[0] if ready_span else None,
        ready_latest=ready_span[1] if ready_span else None,
    )
    return _Checked(row, source)


def _empty(row: ImportRow) -> bool:
    return (
        row.progress is Progress.NONE
        and row.delay is Delay.ON_TIME
        and not row.critical
        and not row.forecast_text
        and not row.remark
        and not (row.status or row.economy or row.sub_milestones or row.ready_text)
    )


def _as_answers(checked: list[_Checked], units: Collection[str]) -> list[ImportRow]:
    """The rows to store: not-reported cells left out, a common answer made one again."""
    kept = [c for c in checked if not (c.source == "none" and _empty(c.row))]
    by_milestone: dict[str, list[_Checked]] = defaultdict(list)
    for item in kept:
        by_milestone[item.row.milestone].append(item)
    common: dict[str, ImportRow] = {}
    for code, items in by_milestone.items():
        shared = [c.row for c in items if c.source == "all" and c.row.scope != ALL_UNITS]
        if (
            shared
            and all(c.row.scope != ALL_UNITS for c in items)
            and set(units) <= {c.row.scope for c in items}
            and all(row.same_answer(shared[0]) for row in shared)
        ):
            common[code] = replace(shared[0], scope=ALL_UNITS)
    rows: list[ImportRow] = []
    for item in kept:
        code = item.row.milestone
        if item.source == "all" and code in common:
            if common[code].line == item.row.line:
                rows.append(common[code])
            continue
        rows.append(item.row)
    return rows


def check_rows(
    file: ImportFile,
    milestones: Mapping[str, str | None],
    units: Collection[str],
    vocabulary: ImportVocabulary,
    read_forecast: ForecastReader,
    *,
    today: date,
    asked: Collection[Question],
) -> list[ImportRow]:
    """The answers of an import file, checked against the programme.

    `milestones` maps every milestone code to the unit key owning it (a local item) or None;
    `units` holds the unit keys; `read_forecast(text, today)` reads a forecast (None: kept
    as written); `today` is the round's date; `asked` holds the programme's questions, and
    a typed answer to one it does not ask is refused. Raises ImportFailed with every mistake
    found.
    """
    errors = Problems()
    checked: list[_Checked] = []
    seen: dict[tuple[str, str], int] = {}
    for record in file.records:
        cell = _Cell(file, record, errors)
        item = _check(cell, milestones, units, vocabulary, read_forecast, today, asked)
        if item is not None:
            first = seen.setdefault((item.row.milestone, item.row.scope), record.number)
            if first != record.number:
                cell.bad(
                    "duplicate_item" if file.table else "duplicate",
                    "unit",
                    first=where(file.kind, first),
                    first_row=first,
                    milestone=item.row.milestone,
                    value=item.row.scope,
                )
            else:
                checked.append(item)
    if errors:
        raise errors.failed()
    rows = _as_answers(checked, units)
    if not rows:
        raise ImportFailed([UserError("import.no_rows")])
    return rows
