"""Seed 000 rebuilt: its 160 cells imported from CSV, compiled, and read back word for word.

The expected grid below is transcribed from the matrix posted to the 12th steering-group
meeting (seed 000), cell by cell, as the seed prints it with its line breaks removed.
The import file (tests/fixtures/seed000.csv) holds the same cells as codes
(progress, delay, critical), so this checks the import, the resolution of answers into
cells, the status words and the colours against the real document.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.vocabulary import Colour, Delay, Progress
from models.snapshot import load_snapshot
from render.words import status_text, worded_matrix
from reporting.matrix import Matrix
from service.imports import import_round
from tests.matrix_support import ROUND_NAME, SEED000_CSV, UNITS, create_kol

N = "Intet angivet"
R = "Milepæl nået"
S = "Milepæl igangsat"
S3 = "Milepæl igangsat, men 0-3 måneder forsinket"
E = "Forventer at nå milepæl"
E3 = "0-3 måneder forsinket"
E36 = "3-6 måneder forsinket"
K = " (milepælen er kritisk for hele projektet)"

# Hovedstaden, Midtjylland, Nordjylland, Sjælland, Syddanmark — as seed 000 prints them.
SEED000: dict[str, tuple[str, str, str, str, str]] = {
    "1.1": (R, R, R, R, R),
    "2.1": (R, R, R, R, R),
    "3.1": (R, S3, R, R, S3),
    "4.1": (S, E + K, R, E, E),
    "4.2": (E, E + K, R, E, S),
    "4.3": (E, S3, R, E, S),
    "5.1": (S, R, R, S, S),
    "5.2": (E, E, E, E, E),
    "5.3": (E + K, S, E3, E, E),
    "6.1 A": (R, R, R, R, R),
    "6.2 A": (R, R, R, R, R),
    "6.1 B": (E, E + K, E, E, E),
    "6.2 B": (E, E, E, E, E),
    "6.3": (E + K, E + K, S, E, N),
    "6.4": (S3 + K, S3 + K, S3 + K, S3 + K, S3 + K),
    "6.5": (E + K, E3, E3, E, E),
    "6.6": (E, E, R, E, E),
    "6.7": (E + K, E3, E3, E, E),
    "7.1": (S, E, R, E, S),
    "8.1": (E, S + K, E, E, E),
    "8.2": (E, S + K, E, E, E),
    "8.3": (E + K, E + K, E3, E, E),
    "9.1": (E, S, S, E, E),
    "9.2": (E, S, S, E, E),
    "9.3": (E, E, E, E, E3),
    "10.1": (E + K, E, R, E, E),
    "10.2": (E + K, E, E, E, E),
    "10.3": (E + K, E, E, E, E),
    "11.1": (S, S + K, E, S, E),
    "11.2": (N, E + K, R, E3, E3),
    "11.3": (E3, E + K, R, E3, E3),
    "11.4": (E36, E3 + K, E, E3, E3),
}
# The seed's legend: green on schedule, yellow up to 3 months late, red more, none unstated.
COLOUR = {
    R: Colour.GREEN,
    S: Colour.GREEN,
    E: Colour.GREEN,
    S3: Colour.YELLOW,
    E3: Colour.YELLOW,
    E36: Colour.RED,
    N: Colour.NONE,
}


async def seed000_matrix() -> Matrix:
    await create_kol()
    round_ = await import_round(
        "kol-2018", ROUND_NAME, SEED000_CSV.read_bytes(), datetime(2018, 6, 20, 12, tzinfo=UTC)
    )
    return worded_matrix(await load_snapshot(round_.id))


def test_the_transcription_has_every_cell_of_seed000() -> None:
    assert len(SEED000) == 32
    assert sum(len(row) for row in SEED000.values()) == 160


async def test_every_cell_reads_as_in_seed000(db: str) -> None:
    matrix = await seed000_matrix()
    assert [row.milestone.code for group in matrix.groups for row in group.rows] == list(SEED000)
    assert [unit.key for unit in matrix.units] == [key for key, _ in UNITS]
    mismatches = []
    for code, expected_row in SEED000.items():
        for (unit, _), expected in zip(UNITS, expected_row, strict=True):
            cell = matrix.cell(code, unit)
            colour = COLOUR[expected.removesuffix(K)]
            if (cell.text, cell.colour, cell.critical) != (expected, colour, expected.endswith(K)):
                mismatches.append((code, unit, cell.text, cell.colour, expected, colour))
    assert mismatches == []


async def test_seed000_counts_and_spot_checks(db: str) -> None:
    matrix = await seed000_matrix()
    assert sum(1 for _ in matrix.cells()) == 160
    assert matrix.counts() == {
        Colour.GREEN: 134,
        Colour.YELLOW: 23,
        Colour.RED: 1,
        Colour.NONE: 2,  # «Intet angivet» as the seed prints it: stated by a lead
        Colour.NOT_REPORTED: 0,  # every cell of the seed was answered
    }
    assert matrix.cell("3.1", "midtjylland").progress is Progress.STARTED
    assert matrix.cell("3.1", "midtjylland").delay is Delay.UP_TO_3
    cell = matrix.cell("4.1", "midtjylland")
    assert (cell.progress, cell.delay, cell.critical) == (Progress.EXPECTED, Delay.ON_TIME, True)
    assert matrix.cell("6.3", "syddanmark").text == "Intet angivet"
    assert matrix.cell("11.4", "hovedstaden").text == "3-6 måneder forsinket"
    assert matrix.cell("11.4", "hovedstaden").colour is Colour.RED
    assert matrix.cell("4.1", "syddanmark").forecast == "Medio 2019"
    assert [group.number for group in matrix.groups] == [str(n) for n in range(1, 12)]


@pytest.mark.parametrize(
    ("progress", "delay", "critical", "expected"),
    [
        (Progress.REACHED, Delay.ON_TIME, False, "Milestone reached"),
        (Progress.STARTED, Delay.ON_TIME, False, "Milestone started"),
        (Progress.STARTED, Delay.UP_TO_3, False, "Milestone started, but 0–3 months late"),
        (Progress.STARTED, Delay.OVER_6, False, "Milestone started, but more than 6 months late"),
        (Progress.EXPECTED, Delay.ON_TIME, False, "Expected to reach the milestone"),
        (Progress.EXPECTED, Delay.UP_TO_3, False, "0–3 months late"),
        (
            Progress.EXPECTED,
            Delay.UP_TO_6,
            True,
            "3–6 months late (the milestone is critical for the whole project)",
        ),
        (Progress.NONE, Delay.UP_TO_6, False, "Nothing stated"),
        (Progress.REACHED, Delay.OVER_6, False, "Milestone reached"),
    ],
)
def test_english_status_words(
    progress: Progress, delay: Delay, critical: bool, expected: str
) -> None:
    assert status_text("en", progress, delay, critical) == expected


@pytest.mark.parametrize(
    ("progress", "delay", "expected"),
    [
        (Progress.STARTED, Delay.UP_TO_6, "Milepæl igangsat, men 3-6 måneder forsinket"),
        (Progress.STARTED, Delay.OVER_6, "Milepæl igangsat, men mere end 6 måneder forsinket"),
        (Progress.EXPECTED, Delay.OVER_6, "Mere end 6 måneder forsinket"),
    ],
)
def test_danish_words_beyond_seed000(progress: Progress, delay: Delay, expected: str) -> None:
    assert status_text("da", progress, delay, False) == expected


def test_status_words_are_rendered_once_per_combination() -> None:
    status_text.cache_clear()
    for _ in range(3):
        for progress in Progress:
            for delay in Delay:
                for critical in (False, True):
                    status_text("da", progress, delay, critical)
    assert status_text.cache_info().currsize == 32
    assert status_text.cache_info().hits == 64
