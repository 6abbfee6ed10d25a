"""KOL as shipped (programmes/kol-2018.yaml) asks seed 000's five questions and seed 001's two:
its units' sheets have seed 001's six columns under their full headings, and seed 000's
matrix is still reproduced cell for cell from the same file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from conversations.questions import DEFAULT_QUESTIONS, Question
from models.programme_file import load_programme_file
from models.snapshot import load_snapshot
from render.documents.sheets import render_sheet_pdf, sheet_data
from render.words import worded_matrix
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot
from service.imports import import_round
from tests.matrix_support import ROUND_NAME, SEED000_CSV, UNITS
from tests.slack_app import KOL
from tests.test_matrix_seed000 import COLOUR, SEED000, K
from tests.test_pdf_layout import pages_text

SEED001_HEADINGS = (
    "Nationale milepæle",
    "Status på milepælen",
    "Evt. delmilepæle",
    "Forventes at være klar til fremlæggelse for SKU/DAK",
    "Angivet deadline for indfrielse af milepæl",
    "Øvrige bemærkninger/ Evt. hvornår de første resultater af indsatsen kan ses",
)


async def shipped_seed000() -> tuple[Snapshot, Matrix]:
    await load_programme_file(KOL)
    round_ = await import_round(
        "kol-2018", ROUND_NAME, SEED000_CSV.read_bytes(), datetime(2018, 6, 20, 12, tzinfo=UTC)
    )
    snapshot = await load_snapshot(round_.id)
    return snapshot, worded_matrix(snapshot)


async def test_kol_asks_seed000s_five_questions_and_seed001s_two(db: str) -> None:
    snapshot, _ = await shipped_seed000()
    assert snapshot.programme.questions == (
        *DEFAULT_QUESTIONS,
        Question.SUB_MILESTONES,
        Question.READY,
    )
    assert snapshot.programme.labels == ()  # the sheet's headings are seed 001's own words


async def test_the_shipped_kol_still_reproduces_seed000_cell_for_cell(db: str) -> None:
    _, matrix = await shipped_seed000()
    assert [row.milestone.code for group in matrix.groups for row in group.rows] == list(SEED000)
    assert [unit.key for unit in matrix.units] == [key for key, _ in UNITS]
    mismatches = []
    for code, expected_row in SEED000.items():
        for (unit, _), expected in zip(UNITS, expected_row, strict=True):
            cell = matrix.cell(code, unit)
            colour = COLOUR[expected.removesuffix(K)]
            if (cell.text, cell.colour, cell.critical) != (expected, colour, expected.endswith(K)):
                mismatches.append((code, unit, cell.text, cell.colour, expected, colour))
    assert sum(1 for _ in matrix.cells()) == 160
    assert mismatches == []


async def test_the_units_sheet_has_seed001s_six_columns_in_full(db: str, tmp_path: Path) -> None:
    snapshot, matrix = await shipped_seed000()
    syddanmark = [unit for unit in matrix.units if unit.key == "syddanmark"]
    assert tuple(sheet_data(snapshot, matrix, syddanmark)["headings"]) == SEED001_HEADINGS
    content = render_sheet_pdf(snapshot, matrix, "syddanmark").content
    pages = pages_text(content, tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        joined = page.replace("‐ ", "").replace("\xad ", "")  # hyphenated headings, joined
        for heading in SEED001_HEADINGS:
            assert heading in joined, (number, heading)  # on every page, none cut
    first = pages_text(content, tmp_path, layout=True)[0].splitlines()
    heads = next(line for line in first if "Nationale milepæle" in line)
    order = [
        heads.index(word) for word in ("Status på", "Evt. delmilepæle", "Forventes", "Angivet")
    ]
    assert order == sorted(order), "in seed 001's order, left to right"
