"""The round's document in table layout (seed 004): one row per item, as a PDF.

Seed 004 is a table of topics: «Emne» with «Ansvarlig: AKJ», «ØA tekst», «Økonomi (aftalt
økonomi og/eller skøn over regionale udgifter)», «Status og/eller bemærkninger». This draws
`render.table_view.table_of` with render/templates/documents/table.html.j2: the title,
the submitted-at line in the programme's words, how many items have an answer and who has
not answered, then the table under a heading per group, its column headings repeated on
every page (WeasyPrint repeats <thead>). Landscape A4, as seed 004. A programme without a
traffic light shows no colour and no key of colours anywhere.
"""

from __future__ import annotations

from render.documents.html import Pdf, write_pdf
from render.documents.overview import meeting
from render.documents.palette import PALETTE
from render.table_view import say, table_of
from render.templating import document_environment
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.tables import LocalItems


def table_html(matrix: Matrix, comparison: Comparison, local: LocalItems = ()) -> str:
    table = table_of(matrix, comparison, local)
    language = matrix.language
    said = say(language, table.nouns)
    return (
        document_environment()
        .get_template("documents/table.html.j2")
        .render(
            language=language,
            orientation="landscape",
            say=said,
            table=table,
            meeting=meeting(matrix.round, language),
            steering_group=matrix.programme.steering_group,
            source=matrix.programme.source,
            palette=tuple(PALETTE.values()),
            symbols={colour: swatch.symbol for colour, swatch in PALETTE.items()},
        )
    )


def render_table_pdf(matrix: Matrix, comparison: Comparison, local: LocalItems = ()) -> Pdf:
    """Seed 004's table: title, meeting line, who answered, a row per item."""
    return write_pdf(table_html(matrix, comparison, local))
