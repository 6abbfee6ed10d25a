"""Hostile text stays text in every output: Slack mentions, links, markup, HTML and formulas.

Unit names, titles, definitions, round and reporter names and remarks are typed by people;
none of them may notify a channel, forge a link, inject HTML into the PDF or run as a
spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from conversations.vocabulary import Delay, Progress
from models.people import Person, Role, RoleKind
from models.programme import Milestone, MilestoneGroup, Programme, Unit
from models.snapshot import load_snapshot
from render.documents.pdf import render_matrix_pdf, render_sheet_pdf
from render.documents.xlsx import render_xlsx
from render.publication import Block, build_publication
from render.words import worded_matrix
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot
from reporting.tables import read_csv, render_csv, render_json
from service.comparisons import compile_comparison
from tests.matrix_support import answer, open_round
from tests.test_documents import pdf_text

CHANNEL = "<!channel>"
MENTION = "<@U123>"
LINK = "<https://evil|click>"
BOLD = "*bold*"
SCRIPT = "<script>alert(1)</script>"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR")
HOSTILE = (CHANNEL, MENTION, LINK, BOLD, SCRIPT, *FORMULAS)
TYPST = r'#panic("x") $x^2$ *fed* _skrå_ ] [ \ @ref <etiket> `kode` // ikke en kommentar'
"""Typst's markup: the matrix PDF is a Typst template, and shows all of it as text."""


async def hostile_round() -> tuple[Snapshot, Matrix, Comparison]:
    programme = await Programme.create(
        key="evil", title=f"Program {CHANNEL}", source=f"Kilde {SCRIPT} {TYPST}", language="da"
    )
    first = await Unit.create(programme=programme, key="a", name=f"Enhed {MENTION}", position=0)
    await Unit.create(programme=programme, key="b", name=f"Enhed {LINK}", position=1)
    lead = await Person.create(key="lead", name=f"Leder {CHANNEL}")
    await Role.create(programme=programme, person=lead, kind=RoleKind.LEAD, scope="b")
    reporter = await Person.create(key="rep", name=f"Rapportør {SCRIPT}")
    group = await MilestoneGroup.create(programme=programme, number="1", title=f"Gruppe {SCRIPT}")
    codes = []
    for index, text in enumerate(HOSTILE):
        code = f"1.{index + 1}"
        codes.append(code)
        await Milestone.create(
            programme=programme,
            group=group,
            code=code,
            title=f"Titel {text}",
            definition=f"Definition {text}",
            position=index,
        )
    await Role.create(programme=programme, person=reporter, kind=RoleKind.REPORTER, scope="1.1")
    await Milestone.create(programme=programme, unit=first, code="A-1", title=SCRIPT, position=99)
    round_ = await open_round(
        programme, f"Runde {CHANNEL} {BOLD}", datetime(2018, 6, 1, tzinfo=UTC)
    )
    for code, text in zip(codes, HOSTILE, strict=True):
        await answer(round_, code, "a", Progress.STARTED, Delay.UP_TO_3, critical=True, remark=text)
    await answer(round_, "1.1", "b", Progress.EXPECTED, remark=CHANNEL)
    snapshot = await load_snapshot(round_.id)
    return snapshot, worded_matrix(snapshot), await compile_comparison(round_.id)


async def test_the_sheets_pdf_shows_hostile_text_as_text(db: str, tmp_path: Path) -> None:
    """The sheets are Typst (sheet.typ): typed text reaches it as data and prints as typed;
    Typst's own markup (#, $, ], \\ …) is proven in tests/test_typst_documents.py."""
    snapshot, matrix, _ = await hostile_round()
    text = pdf_text(render_sheet_pdf(snapshot, matrix).content, tmp_path)
    folded = text.replace("\xad", "").replace(" ", "")  # words hyphenated at a line's end
    for value in (CHANNEL, MENTION, LINK, BOLD, SCRIPT, *FORMULAS[:4]):
        assert f"Titel{value}".replace(" ", "") in folded, value
        assert f"Definition{value}".replace(" ", "") in folded, value
    assert "Rapportør<script>alert(1)</script>" in folded
    assert "Runde <!channel> *bold*" in text and "Enhed <@U123>" in text


async def test_the_pdf_shows_hostile_text_as_text(db: str, tmp_path: Path) -> None:
    _, matrix, comparison = await hostile_round()
    pdf = render_matrix_pdf(matrix, comparison)
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "Leder<!channel>" in text.replace(" ", "")  # in "did not answer" (may wrap)
    assert f"Kilde: Kilde {SCRIPT} {TYPST}" in text  # Typst's markup, printed as it is
    assert "Titel <script>alert(1)</script>" in text.replace("- ", "")  # a label (may wrap)


async def test_the_workbook_never_holds_a_formula(db: str) -> None:
    snapshot, matrix, _ = await hostile_round()
    book = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix)))
    found: dict[str, list[str]] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    found.setdefault(cell.value, []).append(ws.title)
    for value in FORMULAS:
        # Stored as itself, as text (XML reads a bare CR back as a line feed).
        assert value.replace("\r", "\n") in found, value
    answers = book.worksheets[-1]
    assert answers.title == "Svar"
    assert any(cell.value == FORMULAS[0] and cell.data_type == "s" for cell in answers["G"])


async def test_csv_guards_formulas_and_json_keeps_text_exact(db: str) -> None:
    _, matrix, _ = await hostile_round()
    raw = list(csv.DictReader(io.StringIO(render_csv(matrix).decode("utf-8-sig"), newline="")))
    guarded = {row["remark"] for row in raw}
    for value in FORMULAS:
        assert f"'{value}" in guarded and value not in guarded
    rows = read_csv(render_csv(matrix))
    remarks = {row["remark"] for row in rows}
    assert set(HOSTILE) <= remarks
    data = json.loads(render_json(matrix))
    assert set(HOSTILE) <= {cell["remark"] for cell in data["cells"]}
    assert data["programme"]["title"] == f"Program {CHANNEL}"


def _slack_texts(blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append((node["type"], node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(blocks)
    return found


async def test_slack_never_mentions_or_links_from_user_text(db: str) -> None:
    snapshot, matrix, comparison = await hostile_round()
    publication = build_publication(snapshot, matrix, comparison, with_files=False)
    mrkdwn = [
        text
        for message in publication.messages
        for kind, text in _slack_texts(message.blocks)
        if kind == "mrkdwn"
    ]
    mrkdwn += [message.text for message in publication.messages]
    joined = "\n".join(mrkdwn)
    assert "<" not in joined and ">" not in joined.replace("→", "")
    assert "&lt;!channel&gt;" in joined  # the programme's title, the lead's name
    assert "&lt;@U123&gt;" in joined  # a unit's name
    assert "&lt;https://evil|click&gt;" in joined
    assert "&lt;script&gt;" in joined
