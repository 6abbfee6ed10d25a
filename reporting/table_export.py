"""A round in table layout (seed 004) as CSV and JSON: one row per item, not per cell.

Seed 004 is one table: per topic its title and owner («Ansvarlig: AKJ»), its standing texts
(ØA tekst, the agreed economy) and what was answered this round (status and/or remarks).
A programme in table layout (`reporting.form.Layout.TABLE`, and every one-unit programme)
is exported so: a row per item and unit, its standing texts under `text_<key>`, and a
column per question the programme asks, named as the question (`status`, `economy`, …;
progress, delay, critical and colour only where it has a traffic light). JSON says
`"layout": "table"` and nests each item's answers per unit; docs/formats.md shows both.
A matrix programme's CSV and JSON are `reporting.tables`' (which sends a table here).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from conversations.questions import Question
from reporting.matrix import Cell, Matrix
from reporting.snapshot import MilestoneInfo
from reporting.tables import JSON_FORMAT, LocalItems, guard, round_record

WHO = ("answered_by", "answered_at", "late", "source")
LIGHT = ("progress", "delay", "critical", "colour", "text")
"""A traffic light's columns: the cell's values, its colour and its status in words."""


def typed_answer(cell: Cell, question: Question) -> str:
    """A cell's typed answer to `question` ('' for a question not answered by typing)."""
    return {
        Question.FORECAST: cell.forecast,
        Question.REMARK: cell.remark,
        Question.STATUS: cell.status,
        Question.ECONOMY: cell.economy,
        Question.SUB_MILESTONES: cell.sub_milestones,
        Question.READY: cell.ready,
    }.get(question, "")


def answer_fields(matrix: Matrix) -> tuple[str, ...]:
    """The answer's columns, in the order the programme asks its questions."""
    programme = matrix.programme
    typed = tuple(q.value for q in programme.questions if q not in _LIGHT_QUESTIONS)
    return (*(LIGHT if programme.light else ()), *typed)


_LIGHT_QUESTIONS = frozenset({Question.PROGRESS, Question.DELAY, Question.CRITICAL})


def columns(matrix: Matrix) -> tuple[str, ...]:
    texts = tuple(f"text_{text.key}" for text in matrix.programme.texts)
    return ("code", "group", "title", "reporter", "unit", *texts, *answer_fields(matrix), *WHO)


def _moment(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _answer(cell: Cell, fields: tuple[str, ...]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in fields:
        if name == "progress":
            record[name] = cell.progress.value
        elif name == "delay":
            record[name] = cell.delay.value
        elif name == "critical":
            record[name] = cell.critical
        elif name == "colour":
            record[name] = cell.colour.value
        elif name == "text":
            record[name] = cell.text
        else:
            record[name] = typed_answer(cell, Question(name))
    return record


def _rows(matrix: Matrix, local: LocalItems) -> Iterator[tuple[str, MilestoneInfo, Cell]]:
    """(group title, item, cell) for every item and unit in the programme's order, then the
    units' own items (no group)."""
    for group in matrix.groups:
        for row in group.rows:
            for cell in row.cells:
                yield group.title, row.milestone, cell
    for item, cell in local:
        yield "", item, cell


def table_record(matrix: Matrix, local: LocalItems = ()) -> dict[str, Any]:
    programme = matrix.programme
    fields = answer_fields(matrix)
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for group, item, cell in _rows(matrix, local):
        found = items.setdefault(
            (item.code, item.unit or ""),
            {
                "code": item.code,
                "group": group,
                "title": item.title,
                "reporter": item.reporter,
                "local": item.unit is not None,
                "texts": {text.key: item.text(text.key) for text in programme.texts},
                "answers": [],
            },
        )
        found["answers"].append(
            {
                "unit": cell.unit,
                **_answer(cell, fields),
                "answered_by": cell.answered_by,
                "answered_at": _moment(cell.answered_at),
                "late": cell.late,
                "source": cell.source.value,
            }
        )
    language = programme.language
    return {
        "format": JSON_FORMAT,
        "layout": "table",
        "programme": {
            "key": programme.key,
            "title": programme.title,
            "subtitle": programme.subtitle,
            "language": language,
            "source": programme.source,
        },
        "round": round_record(matrix.round),
        "units": [{"key": unit.key, "name": unit.name} for unit in matrix.units],
        "texts": [{"key": t.key, "label": t.any_label(language)} for t in programme.texts],
        "questions": [
            {"key": q.value, "label": programme.label_of(q.value, language)}
            for q in programme.questions
        ],
        "items": list(items.values()),
    }


def render_table_json(matrix: Matrix, local: LocalItems = ()) -> bytes:
    """The round as JSON, item by item; `local`: the units' own items, after the table."""
    record = table_record(matrix, local)
    return json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")


def render_table_csv(matrix: Matrix, local: LocalItems = (), *, bom: bool = True) -> bytes:
    """UTF-8 CSV, a row per item and unit (the units' own items last); with a byte-order
    mark by default, so spreadsheets read æ, ø and å."""
    fields = answer_fields(matrix)
    texts = matrix.programme.texts
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns(matrix))
    for group, item, cell in _rows(matrix, local):
        answer = _answer(cell, fields)
        if "critical" in answer:
            answer["critical"] = "yes" if cell.critical else "no"
        values: list[Any] = [
            item.code,
            group,
            item.title,
            item.reporter or "",
            cell.unit,
            *(item.text(text.key) for text in texts),
            *answer.values(),
            cell.answered_by or "",
            _moment(cell.answered_at) or "",
            "yes" if cell.late else "no",
            cell.source.value,
        ]
        writer.writerow(guard(value) if isinstance(value, str) else value for value in values)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")
