"""Every cell of the matrix as CSV and JSON, for people's own tools.

JSON: round and programme metadata at the top, then one object per cell with `milestone`
(code), `unit` (key), `progress`, `delay` ("0", "0-3", "3-6", "6+"), `critical`,
`forecast`, `remark`, `text` (the status as the matrix shows it) and `colour`.
CSV: the same columns, one row per cell, its first seven as the import format reads them.

Spreadsheets run text that begins with =, +, -, @, tab or CR as a formula; such values
(and those beginning with ' so the guard stays reversible) are written with a leading '.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from reporting.matrix import Cell, Matrix
from reporting.snapshot import RoundInfo

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


def cell_record(cell: Cell) -> dict[str, Any]:
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
        "text": cell.text,
        "colour": cell.colour.value,
        "source": cell.source.value,
        "answered_by": cell.answered_by,
        "answered_at": _moment(cell.answered_at),
        "late": cell.late,
    }


def round_record(round_: RoundInfo) -> dict[str, Any]:
    return {
        "name": round_.name,
        "status": round_.status.value,
        "opened_at": _moment(round_.opened_at),
        "deadline": _moment(round_.deadline),
        "closed_at": _moment(round_.closed_at),
        "published_at": _moment(round_.published_at),
        "imported": round_.imported,
    }


def matrix_record(matrix: Matrix) -> dict[str, Any]:
    programme = matrix.programme
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
        "cells": [cell_record(cell) for cell in matrix.cells()],
    }


def render_json(matrix: Matrix) -> bytes:
    return json.dumps(matrix_record(matrix), ensure_ascii=False, indent=1).encode("utf-8")


def render_csv(matrix: Matrix, *, bom: bool = True) -> bytes:
    """UTF-8 CSV; with a byte-order mark by default, so spreadsheets read æ, ø and å."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cell in matrix.cells():
        record = cell_record(cell)
        record["critical"] = "yes" if cell.critical else "no"
        writer.writerow(
            guard(record[column]) if isinstance(record[column], str) else record[column]
            for column in CSV_COLUMNS
        )
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of `render_csv`, the guard undone (for round trips and people's tools)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [{key: unguard(value) for key, value in row.items()} for row in reader]
