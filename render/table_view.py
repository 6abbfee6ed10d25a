"""A round in table layout, worded: what seed 004's table shows, for every format to draw.

Seed 004 (ØA20) is one table, a row per topic: «Emne» with «Ansvarlig: AKJ», «ØA tekst»,
«Økonomi (aftalt økonomi og/eller skøn over regionale udgifter)», «Status og/eller
bemærkninger». `table_of` makes that of any round whose layout is a table
(`reporting.form.layout_of`): the item column, then a column per standing text the
programme's items carry, then — where it has a traffic light — the status in the matrix's
words and colour, then a column per typed question it asks. A typed question with the key
of a standing text (ØA20's economy) adds its answer to that text's column, under its label,
so the agreed economy and this round's news about it stand together. Every word is the
programme's where it names one, else the catalogue's; the PDF (render/documents/table_pdf.py),
the workbook (table_xlsx.py) and the channel posts (render/table_post.py) draw this alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conversations.questions import Question
from render.i18n import Target, catalogue
from render.nouns import Nouns, nouns_of, question_label
from reporting.comparison import Comparison
from reporting.matrix import Cell, Matrix
from reporting.snapshot import MilestoneInfo
from reporting.table_export import typed_answer
from reporting.tables import LocalItems

ITEM, LIGHT, TEXT, ANSWER = "item", "light", "text", "answer"
WEIGHTS = {ITEM: 1.0, LIGHT: 0.9, TEXT: 1.4, ANSWER: 1.5}
"""How wide each kind of column is, against the others."""


@dataclass(frozen=True, slots=True)
class Column:
    kind: str  # ITEM, LIGHT (the traffic light), TEXT (a standing text), ANSWER (typed)
    key: str  # the standing text's key or the question
    label: str
    width: int  # per cent of the table


@dataclass(frozen=True, slots=True)
class Entry:
    """What one column says in one row."""

    text: str = ""
    added: tuple[tuple[str, str], ...] = ()  # (label, answer) typed into a text's column
    colour: str = ""  # the traffic light's colour value (LIGHT only)
    not_reported: bool = False  # nobody answered: the answer columns say so


@dataclass(frozen=True, slots=True)
class TableRow:
    code: str
    title: str
    reporter: str  # the reporter line in the programme's words («Ansvarlig: AKJ»), or ''
    unit: str  # the unit's name where the programme has several, else ''
    entries: tuple[Entry, ...]  # one per column after the item's
    answered: bool


@dataclass(frozen=True, slots=True)
class TableGroup:
    heading: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    subtitle: str
    round_name: str
    nouns: Nouns
    light: bool
    columns: tuple[Column, ...]
    groups: tuple[TableGroup, ...]
    answered: int
    total: int
    missing: tuple[str, ...]  # who has not answered (units and reporters, by name)
    not_reported: str  # the words of an answer nobody gave

    def rows(self) -> tuple[TableRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)


def say(language: str, nouns: Nouns, target: Target = Target.PLAIN) -> Callable[..., str]:
    """`say(key, **data)`: a catalogue sentence in the programme's own nouns."""
    words = catalogue(language, target)

    def said(key: str, /, **params: object) -> str:
        return words.text(key, **{"noun": nouns, **params})

    return said


def _columns(matrix: Matrix) -> tuple[Column, ...]:
    programme = matrix.programme
    language = programme.language
    texts = {text.key for text in programme.texts}
    wanted: list[tuple[str, str, str]] = [(ITEM, "", nouns_of(programme)["item"])]
    wanted += [(TEXT, text.key, text.any_label(language)) for text in programme.texts]
    if programme.light:
        wanted.append((LIGHT, Question.PROGRESS.value, question_label(programme, "progress")))
    wanted += [
        (ANSWER, q.value, question_label(programme, q.value))
        for q in programme.questions
        if q not in (Question.PROGRESS, Question.DELAY, Question.CRITICAL) and q not in texts
    ]
    total = sum(WEIGHTS[kind] for kind, _, _ in wanted)
    return tuple(
        Column(kind, key, label, round(100 * WEIGHTS[kind] / total)) for kind, key, label in wanted
    )


def _entries(
    columns: tuple[Column, ...], item: MilestoneInfo, cell: Cell, matrix: Matrix
) -> tuple[Entry, ...]:
    programme = matrix.programme
    answered = cell.reported
    entries = []
    for column in columns[1:]:
        if column.kind == TEXT:
            added: tuple[tuple[str, str], ...] = ()
            if column.key in {q.value for q in programme.questions} and answered:
                typed = typed_answer(cell, Question(column.key))
                label = question_label(programme, column.key)
                added = ((label, typed),) if typed else ()
            entries.append(Entry(item.text(column.key), added))
        elif column.kind == LIGHT:
            entries.append(Entry(cell.text, colour=cell.colour.value))
        else:
            typed = typed_answer(cell, Question(column.key)) if answered else ""
            entries.append(Entry(typed, not_reported=not answered))
    return tuple(entries)


def table_of(matrix: Matrix, comparison: Comparison | None = None, local: LocalItems = ()) -> Table:
    """The round's table: its columns, its groups of rows, who answered (who did not, from
    the `comparison`, where there is one)."""
    programme = matrix.programme
    language = programme.language
    nouns = nouns_of(programme)
    said = say(language, nouns)
    columns = _columns(matrix)
    several = len(matrix.units) > 1

    def row(item: MilestoneInfo, cell: Cell) -> TableRow:
        reporter = said("documents.answered_by", reporter=item.reporter) if item.reporter else ""
        return TableRow(
            code=item.code,
            title=item.title,
            reporter=reporter,
            unit=matrix.unit_name(cell.unit) if several else "",
            entries=_entries(columns, item, cell, matrix),
            answered=cell.reported,
        )

    groups = [
        TableGroup(
            said("documents.group", number=group.number, title=group.title),
            tuple(row(r.milestone, cell) for r in group.rows for cell in r.cells),
        )
        for group in matrix.groups
    ]
    if local:
        own = tuple(row(item, cell) for item, cell in local)
        groups.append(TableGroup(said("documents.sheet.local_items"), own))
    rows = [r for group in groups for r in group.rows]
    return Table(
        title=programme.title,
        subtitle=programme.subtitle,
        round_name=matrix.round.name,
        nouns=nouns,
        light=programme.light,
        columns=columns,
        groups=tuple(groups),
        answered=sum(r.answered for r in rows),
        total=len(rows),
        missing=tuple(item.name for item in comparison.missing) if comparison else (),
        not_reported=said("matrix.status.not_reported"),
    )
