"""A round in table layout posted to the steering channel, on Slack and on Teams.

A matrix's post counts colours and draws a dot per unit (render/publication.py); a table's
(seed 004) says how many items have an answer and who has not answered, then what each item
was answered, item by item under its group's heading: its code, title and who answers it
(«Ansvarlig: AKJ»), the status in the matrix's words and colour where the programme has a
traffic light, and each typed answer under its label, cut to `ANSWER_LIMIT` characters (the
PDF alongside has them whole). The standing texts (seed 004's ØA tekst) are in the PDF, not
in the post. A programme without a traffic light posts no colours and no colour counts.

Both platforms draw the same `Post`; this module returns plain JSON-ready data and the
modules that own Slack's and Teams' message types wrap it (render/publication.py,
render/teams/views.py). Slack's 50 blocks and Teams' card budget are kept by cutting the
items into as many parts as they need.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from render.i18n import Target, card_escape, format_day
from render.table_view import ANSWER, LIGHT, TEXT, Table, TableRow, say, table_of
from render.templating import clip, drop_nulls, json_environment, slack_environment
from reporting.comparison import Comparison
from reporting.matrix import Matrix

ANSWER_LIMIT = 600
"""Characters of one typed answer in a post."""
SLACK_SECTIONS = 46
"""Sections per Slack message of items, under Slack's 50 blocks with the part's heading."""
CARD_BUDGET = 20 * 1024
"""Bytes of items per Teams card, under Teams' 28 KB with the card around them."""
DOTS = {"green": "🟢", "yellow": "🟡", "red": "🔴", "none": "⚪", "not_reported": "❔"}


@dataclass(frozen=True, slots=True)
class Said:
    label: str
    text: str
    cut: bool


@dataclass(frozen=True, slots=True)
class ItemPost:
    code: str
    title: str
    reporter: str
    unit: str
    dot: str  # the traffic light, where there is one
    status: str  # its words
    answers: tuple[Said, ...]
    answered: bool


@dataclass(frozen=True, slots=True)
class GroupPost:
    heading: str
    items: tuple[ItemPost, ...]


@dataclass(frozen=True, slots=True)
class Post:
    table: Table
    date: str
    groups: tuple[GroupPost, ...]


def _said(label: str, text: str) -> Said:
    return Said(label, clip(text, ANSWER_LIMIT), len(text) > ANSWER_LIMIT)


def _item(table: Table, row: TableRow) -> ItemPost:
    dot, status, answers = "", "", []
    for column, entry in zip(table.columns[1:], row.entries, strict=True):
        if column.kind == LIGHT:
            dot, status = DOTS.get(entry.colour, ""), entry.text
        elif column.kind == ANSWER and entry.text:
            answers.append(
                Said(column.label, clip(entry.text, ANSWER_LIMIT), len(entry.text) > ANSWER_LIMIT)
            )
        elif column.kind == TEXT:
            answers += [
                Said(label, clip(text, ANSWER_LIMIT), len(text) > ANSWER_LIMIT)
                for label, text in entry.added
            ]
    return ItemPost(
        row.code, row.title, row.reporter, row.unit, dot, status, tuple(answers), row.answered
    )


def post_of(matrix: Matrix, comparison: Comparison, published: datetime) -> Post:
    table = table_of(matrix, comparison)
    groups = tuple(
        GroupPost(group.heading, tuple(_item(table, row) for row in group.rows))
        for group in table.groups
    )
    return Post(table, format_day(published.date(), matrix.language), groups)


def _parts(post: Post, cost: Any, budget: float) -> list[list[tuple[str, ItemPost | None]]]:
    """The items cut into parts of at most `budget`: (heading, None) opens a group, and a
    group that goes on in the next part opens it again under its heading."""
    parts: list[list[tuple[str, ItemPost | None]]] = [[]]
    used = 0.0
    for group in post.groups:
        opened = False
        for item in group.items:
            need = cost(item) + (0 if opened else cost(None))
            if parts[-1] and used + need > budget:
                parts.append([])
                used, opened = 0.0, False
                need = cost(item) + cost(None)
            if not opened and group.heading:
                parts[-1].append((group.heading, None))
            parts[-1].append((group.heading, item))
            used += need
            opened = True
    return parts


# -- Slack --------------------------------------------------------------------------------


def slack_post(
    matrix: Matrix, comparison: Comparison, *, published: datetime, with_files: bool
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(fallback text, blocks) of each Slack message: the summary, then the items."""
    post = post_of(matrix, comparison, published)
    table = post.table
    language = matrix.language
    t = say(language, table.nouns, Target.SLACK)
    tp = say(language, table.nouns)
    env = slack_environment()

    def blocks(template: str, **data: Any) -> list[dict[str, Any]]:
        rendered = env.get_template(f"slack/{template}").render(t=t, tp=tp, **data)
        found: list[dict[str, Any]] = json.loads(rendered)
        return found

    summary = blocks(
        "table_summary.j2", table=table, round=matrix.round, date=post.date, with_files=with_files
    )
    fallback = tp(
        "table.fallback",
        title=table.title,
        round=table.round_name,
        answered=table.answered,
        total=table.total,
    )
    messages = [(fallback, summary)]
    parts = _parts(post, lambda item: 1, SLACK_SECTIONS)
    for number, part in enumerate(parts, start=1):
        text = tp(
            "table.part_fallback",
            title=table.title,
            round=table.round_name,
            part=number,
            parts=len(parts),
        )
        body = blocks(
            "table_items.j2",
            title=table.title,
            part=number,
            parts=len(parts),
            entries=part,
            not_reported=table.not_reported,
        )
        messages.append((text, body))
    return messages


# -- Teams --------------------------------------------------------------------------------


def teams_post(
    matrix: Matrix, comparison: Comparison, *, published: datetime, with_files: bool
) -> list[tuple[str, dict[str, Any]]]:
    """(summary, card) of each Teams message: the summary, then the items."""
    post = post_of(matrix, comparison, published)
    table = post.table
    language = matrix.language
    t = say(language, table.nouns, Target.TEAMS)
    tp = say(language, table.nouns, Target.TEAMS_PLAIN)
    env = json_environment(md=card_escape)

    def card(template: str, **data: Any) -> tuple[str, dict[str, Any]]:
        rendered = env.get_template(f"teams/publication/{template}").render(t=t, tp=tp, **data)
        found = drop_nulls(json.loads(rendered))
        return str(found["summary"]), dict(found["card"])

    messages = [
        card(
            "table_summary.json.j2",
            table=table,
            round=matrix.round,
            date=post.date,
            with_files=with_files,
        )
    ]

    def cost(item: ItemPost | None) -> int:
        if item is None:
            return 200
        words = len(item.title) + len(item.reporter) + len(item.status)
        return 300 + 2 * (words + sum(len(said.label) + len(said.text) for said in item.answers))

    parts = _parts(post, cost, CARD_BUDGET)
    for number, part in enumerate(parts, start=1):
        messages.append(
            card(
                "table_items.json.j2",
                title=table.title,
                round_name=table.round_name,
                part=number,
                parts=len(parts),
                entries=part,
                not_reported=table.not_reported,
            )
        )
    return messages
