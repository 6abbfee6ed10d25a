"""Every cell of the matrix, and the units' own items, as CSV and JSON: for people's own
tools, and for `round import`, which reads both back unchanged (docs/formats.md).

JSON: round and programme metadata at the top, then one object per cell with `milestone`
(code), `unit` (key), `progress`, `delay` ("0", "0-3", "3-6", "6+"), `critical`,
`forecast` (and the days it was read as), `remark`, `text` (the status as the matrix shows
it), `colour`, `source` (unit, all: the answer for every unit, none: not reported), who
answered when, and `local` (a unit's own item: its cells come after the matrix's); then
the answer to each typed question the programme asks besides forecast and remark
(`status`, `economy`, `sub_milestones`, `ready`: KOL's seed 001 columns), named as the
question, as the table layout's export names them (`reporting.table_export`) — only those
it asks, so a programme asking KOL's five questions exports as it always has; `ready` with
the days it was read as (`ready_earliest`, `ready_latest`), as the forecast has.
CSV: one row per cell with the columns of CSV_COLUMNS, in the same order, then those typed
answers' columns (`columns`).

Spreadsheets run text that begins with =, +, -, @, tab or CR as a formula; such values
(and those beginning with ' so the guard stays reversible) are written with a leading '.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from conversations.questions import TYPED, Question
from reporting.matrix import Cell, Describe, Matrix, local_cells
from reporting.snapshot import MilestoneInfo, RoundInfo, Snapshot

READY = Question.READY.value
"""The typed question whose answer is also read as days (`ready_earliest`, `ready_latest`)."""

LocalItems = Sequence[tuple[MilestoneInfo, Cell]]
"""Units' own items with their cells, unit by unit (`local_items`)."""

CSV_COLUMNS = (
    "milestone",
    "unit",
    "progress",
    "delay",
    "critical",
    "forecast",
    "remark",
    "text",
    "colour",
    "source",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
JSON_FORMAT = 1


def guard(value: str) -> str:
    """The value as a spreadsheet will show it as text, never run it."""
    if value.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + value
    return value


def unguard(value: str) -> str:
    """Undo `guard`."""
    return value[1:] if value.startswith(GUARD) else value


def _moment(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def local_items(snapshot: Snapshot, describe: Describe) -> tuple[tuple[MilestoneInfo, Cell], ...]:
    """Every unit's own items with their cells, in the units' order."""
    return tuple(
        pair for unit in snapshot.units for pair in local_cells(snapshot, unit.key, describe)
    )


def typed_columns(matrix: Matrix) -> tuple[str, ...]:
    """The typed questions the programme asks beyond forecast and remark, in its order: each
    a column (CSV) or field (JSON) named as the question, so an import reads them back."""
    return tuple(q.value for q in matrix.programme.questions if q in TYPED)


def columns(matrix: Matrix) -> tuple[str, ...]:
    """The CSV's header: CSV_COLUMNS, then the programme's typed questions."""
    return (*CSV_COLUMNS, *typed_columns(matrix))


def cell_record(cell: Cell, *, local: bool = False, typed: Sequence[str] = ()) -> dict[str, Any]:
    """A cell as JSON; `typed`: the typed questions asked (`typed_columns`), as the Cell
    names its answers."""
    return {
        "milestone": cell.milestone,
        "unit": cell.unit,
        "progress": cell.progress.value,
        "delay": cell.delay.value,
        "critical": cell.critical,
        "forecast": cell.forecast,
        "forecast_earliest": _moment(cell.forecast_earliest),
        "forecast_latest": _moment(cell.forecast_latest),
        "remark": cell.remark,
        **{name: getattr(cell, name) for name in typed},
        **(
            {  # read from the text when it was given, as the forecast's are
                "ready_earliest": _moment(cell.ready_earliest),
                "ready_latest": _moment(cell.ready_latest),
            }
            if READY in typed
            else {}
        ),
        "text": cell.text,
        "colour": cell.colour.value,
        "source": cell.source.value,
        "answered_by": cell.answered_by,
        "answered_at": _moment(cell.answered_at),
        "late": cell.late,
        "local": local,
    }


def round_record(round_: RoundInfo) -> dict[str, Any]:
    return {
        "name": round_.name,
        "date": _moment(round_.date),
        "status": round_.status.value,
        "opened_at": _moment(round_.opened_at),
        "deadline": _moment(round_.deadline),
        "deadline_text": round_.deadline_text,
        "closed_at": _moment(round_.closed_at),
        "published_at": _moment(round_.published_at),
        "imported": round_.imported,
    }


def matrix_record(matrix: Matrix, local: LocalItems = ()) -> dict[str, Any]:
    programme = matrix.programme
    typed = typed_columns(matrix)
    return {
        "format": JSON_FORMAT,
        "programme": {
            "key": programme.key,
            "title": programme.title,
            "subtitle": programme.subtitle,
            "language": programme.language,
            "source": programme.source,
        },
        "round": round_record(matrix.round),
        "units": [{"key": unit.key, "name": unit.name} for unit in matrix.units],
        "groups": [
            {
                "number": group.number,
                "title": group.title,
                "milestones": [
                    {"code": row.milestone.code, "title": row.milestone.title} for row in group.rows
                ],
            }
            for group in matrix.groups
        ],
        "local_items": [
            {"unit": cell.unit, "code": item.code, "title": item.title} for item, cell in local
        ],
        "cells": [cell_record(cell, typed=typed) for cell in matrix.cells()]
        + [cell_record(cell, local=True, typed=typed) for _, cell in local],
    }


def render_json(matrix: Matrix, local: LocalItems = ()) -> bytes:
    """The round as JSON; `local`: the units' own items (`local_items`), after the matrix."""
    return json.dumps(matrix_record(matrix, local), ensure_ascii=False, indent=1).encode("utf-8")


def render_csv(matrix: Matrix, local: LocalItems = (), *, bom: bool = True) -> bytes:
    """UTF-8 CSV; with a byte-order mark by default, so spreadsheets read æ, ø and å.

    `local`: the units' own items (`local_items`), as rows after the matrix's.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = columns(matrix)
    typed = typed_columns(matrix)
    writer.writerow(header)
    for cell in (*matrix.cells(), *(cell for _, cell in local)):
        record = cell_record(cell, typed=typed)
        record["critical"] = "yes" if cell.critical else "no"
        writer.writerow(
            guard(record[column]) if isinstance(record[column], str) else record[column]
            for column in header
        )
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of `render_csv`, the guard undone (for round trips and people's tools)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [{key: unguard(value) for key, value in row.items()} for row in reader]
