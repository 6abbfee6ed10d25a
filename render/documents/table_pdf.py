"""The round's document in table layout (seed 004): one row per item, as a PDF.

Seed 004 is a table of topics: «Emne» with «Ansvarlig: AKJ», «ØA tekst», «Økonomi (aftalt
økonomi og/eller skøn over regionale udgifter)», «Status og/eller bemærkninger». This lays
out `render.table_view.table_of` with Typst (render/templates/documents/table.typ; WeasyPrint
took ten times the CPU, issue 19): the title, the submitted-at line in the programme's
words, how many items have an answer and who has not answered, then the table under a
heading per group, its column headings repeated on every page. Landscape A4, as seed 004.
A programme without a traffic light shows no colour and no key of colours anywhere.
`table_data` gives the template every word already said and every answer as typed, which
it shows as text, never as markup.
"""

from __future__ import annotations

from typing import Any

from render.documents.overview import meeting
from render.documents.page_words import page_data
from render.documents.pool import Pdf
from render.documents.typst_pdf import TypstSource, page_count, write_typst
from render.table_view import Entry, TableRow, say, table_of
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.tables import LocalItems

TABLE_TEMPLATE = "table.typ"


def table_data(matrix: Matrix, comparison: Comparison, local: LocalItems = ()) -> dict[str, Any]:
    """What table.typ lays out: the table of `table_of` with its page's words."""
    table = table_of(matrix, comparison, local)
    language = matrix.language
    said = say(language, table.nouns)
    when = meeting(matrix.round, language)
    return {
        "lang": language,
        "title": table.title,
        "subtitle": table.subtitle,
        "round": table.round_name,
        "meeting": said(
            "table.submitted",
            round=when.name,
            body=matrix.programme.steering_group,
            when=when.when,
        ),
        "summary": [
            said("table.answered", answered=table.answered, total=table.total),
            said("table.missing", names=table.missing) if table.missing else said("table.everyone"),
        ],
        "light": table.light,
        **page_data(said, critical=False),
        "widths": [column.width for column in table.columns],
        "headings": [column.label for column in table.columns],
        "not_reported": table.not_reported,
        "groups": [
            {"heading": group.heading, "rows": [_row(row) for row in group.rows]}
            for group in table.groups
        ],
        "source": said("documents.source", source=matrix.programme.source)
        if matrix.programme.source
        else "",
    }


def _paragraphs(text: str) -> list[str]:
    """A text's paragraphs, as the HTML drew them: one per line that is not blank."""
    return [part for part in text.split("\n") if part.strip()]


def _row(row: TableRow) -> list[dict[str, Any]]:
    """A row's cells, as table.typ's `cell-of` reads them."""
    item = {"title": row.title, "code": row.code, "unit": row.unit, "reporter": row.reporter}
    return [item, *(_entry(entry) for entry in row.entries)]


def _entry(entry: Entry) -> dict[str, Any]:
    if entry.colour:
        return {"colour": entry.colour, "text": entry.text}
    if entry.not_reported:
        return {"nothing": True}
    return {
        "paragraphs": _paragraphs(entry.text),
        "added": [{"label": label, "paragraphs": _paragraphs(text)} for label, text in entry.added],
    }


def table_source(matrix: Matrix, comparison: Comparison, local: LocalItems = ()) -> TypstSource:
    """Seed 004's table as a Typst source (table.typ and its data), for a `PdfBatch`."""
    return TypstSource.of(TABLE_TEMPLATE, table_data(matrix, comparison, local))


def render_table_pdf(matrix: Matrix, comparison: Comparison, local: LocalItems = ()) -> Pdf:
    """Seed 004's table: title, meeting line, who answered, a row per item."""
    content = write_typst(table_source(matrix, comparison, local))
    return Pdf(content=content, pages=page_count(content))
