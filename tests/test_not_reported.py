"""Not reported is its own state: a cell nobody answered is neither «Intet angivet» nor a change.

Planview's Gray: a region that stays silent reads «Ikke indberettet» (❔) in every document and
post, is counted apart from a lead's explicit «Intet angivet» (⚪), and never appears as
better, worse, newly stated, no longer stated or no longer critical.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conversations.vocabulary import ALL_UNITS, Colour, Delay, Progress
from models.round import Round
from models.snapshot import load_snapshot
from render.publication import summary_message
from render.teams.views import publication_messages
from render.words import sheet_status_of, worded_matrix
from reporting.comparison import CellRef, ColourChange, Comparison
from reporting.matrix import Matrix
from service.comparisons import compile_comparison
from tests.matrix_support import UNITS, answer, close_round, create_kol, open_round, submit
from tests.test_documents import matrix_words

MARCH = datetime(2018, 3, 1, 9, tzinfo=UTC)
JUNE = datetime(2018, 6, 1, 9, tzinfo=UTC)
CODES = ("3.1", "4.1", "4.2", "5.3", "8.3")


async def answered_march() -> Round:
    """March: every region answers five milestones, some late, some critical; FUT its own."""
    programme = await create_kol()
    march = await open_round(programme, "11. møde", MARCH)
    for key, _ in UNITS:
        for code in CODES:
            await answer(march, code, key, Progress.STARTED, Delay.UP_TO_6, critical=True)
    await answer(march, "6.1 B", ALL_UNITS, Progress.EXPECTED, critical=True)
    for key, _ in UNITS:
        await submit(march, f"unit:{key}")
    await submit(march, "reporter:fut")
    await close_round(march, MARCH)
    return march


def summary_text(matrix: Matrix, comparison: Comparison) -> tuple[str, str]:
    """The Slack summary's sections and its notification text."""
    message = summary_message(matrix, comparison, published=JUNE, with_files=False)
    sections = "\n".join(
        block["text"]["text"] for block in message.blocks if block["type"] == "section"
    )
    return sections, message.text


async def test_a_round_nobody_answered_reads_not_reported_and_changes_nothing(db: str) -> None:
    march = await answered_march()
    june = await open_round(await march.programme, "12. møde", JUNE)
    await close_round(june, JUNE)
    matrix = worded_matrix(await load_snapshot(june.id))

    cells = list(matrix.cells())
    assert len(cells) == 160
    assert {(c.text, c.colour, c.reported, c.stated) for c in cells} == {
        ("Ikke indberettet", Colour.NOT_REPORTED, False, False)
    }
    assert matrix.counts() == {
        Colour.GREEN: 0,
        Colour.YELLOW: 0,
        Colour.RED: 0,
        Colour.NONE: 0,
        Colour.NOT_REPORTED: 160,
    }
    assert sheet_status_of("da", cells[0]) == "Ikke indberettet"

    comparison = await compile_comparison(june.id)
    assert comparison.previous == "11. møde"
    assert (comparison.better, comparison.worse, comparison.newly_stated) == ((), (), ())
    assert comparison.no_longer_stated == ()  # no lost answers
    assert comparison.cleared_critical == ()  # 30 critical in March: none reads as cleared
    assert (comparison.new_critical, comparison.later_forecasts) == ((), ())
    assert not comparison.changed
    assert len(comparison.not_reported) == 160
    assert comparison.not_reported[:2] == (
        CellRef("1.1", "hovedstaden"),
        CellRef("2.1", "hovedstaden"),
    )
    assert [unit for unit, _ in comparison.not_reported_by_unit()] == [key for key, _ in UNITS]
    assert len(comparison.missing) == 6  # five regions and FUT
    assert Comparison.from_json(comparison.to_json()) == comparison

    sections, fallback = summary_text(matrix, comparison)
    assert "⚪ *0* intet angivet    ❔ *160* ikke indberettet" in sections
    assert "❔ *Ikke indberettet i denne runde* (160 celler)" in sections
    assert "*Hovedstaden*: intet indberettet (32 milepæle)" in sections
    assert "Ikke længere" not in sections and "Ingen ændringer" in sections
    assert fallback.endswith("0 uden angivelse, 160 ikke indberettede.")

    html = matrix_words(matrix, comparison)  # what the PDF shows
    assert "Ikke indberettet i denne runde (160)" in html
    assert "Hovedstaden (32): 1.1, 2.1, 3.1" in html
    assert "Ikke længere" not in html


async def test_one_silent_region_after_an_answered_round(db: str) -> None:
    march = await answered_march()
    june = await open_round(await march.programme, "12. møde", JUNE)
    for key, _ in UNITS:
        if key == "sjaelland":
            continue  # Sjælland stays silent
        await answer(june, "3.1", key, Progress.REACHED)  # red → green
        await answer(june, "4.1", key, Progress.STARTED, Delay.UP_TO_6, critical=True)  # same
        await answer(june, "4.2", key, Progress.NONE)  # stated nothing: no longer stated
        await submit(june, f"unit:{key}")
    await answer(june, "6.1 B", ALL_UNITS, Progress.EXPECTED)  # cleared for every region
    await submit(june, "reporter:fut")
    await close_round(june, JUNE)
    matrix = worded_matrix(await load_snapshot(june.id))
    comparison = await compile_comparison(june.id)

    silent = matrix.cell("3.1", "sjaelland")
    stated_nothing = matrix.cell("4.2", "hovedstaden")
    assert (silent.text, silent.colour) == ("Ikke indberettet", Colour.NOT_REPORTED)
    assert (stated_nothing.text, stated_nothing.colour) == ("Intet angivet", Colour.NONE)
    assert matrix.cell("6.1 B", "sjaelland").reported  # FUT answered for every region

    def units(refs: tuple[ColourChange | CellRef, ...]) -> set[str]:
        return {ref.unit for ref in refs}

    assert units(comparison.better) == {"hovedstaden", "midtjylland", "nordjylland", "syddanmark"}
    assert units(comparison.no_longer_stated) == units(comparison.better)
    changed = (
        comparison.better,
        comparison.worse,
        comparison.newly_stated,
        comparison.no_longer_stated,
        comparison.new_critical,
    )
    assert all("sjaelland" not in units(kind) for kind in changed)
    cleared = {(ref.milestone, ref.unit) for ref in comparison.cleared_critical}
    assert ("6.1 B", "sjaelland") in cleared  # FUT cleared it: an answer, not silence
    assert not any(unit == "sjaelland" and code != "6.1 B" for code, unit in cleared)
    assert units(comparison.not_reported) == {key for key, _ in UNITS}
    assert len([r for r in comparison.not_reported if r.unit == "sjaelland"]) == 31
    assert [m.key for m in comparison.missing] == ["sjaelland"]
    counts = matrix.counts()
    assert (counts[Colour.NONE], counts[Colour.NOT_REPORTED]) == (4, 160 - 4 * 3 - 5)

    sections, _ = summary_text(matrix, comparison)
    assert "❔ *143* ikke indberettet" in sections
    assert "*Sjælland*: intet indberettet" not in sections  # 6.1 B came from FUT
    assert "*Sjælland* (31): 1.1, 2.1, 3.1, 4.1, 4.2" in sections

    cards = publication_messages(matrix, comparison, published=JUNE, links=[])
    card = json.dumps(cards[0].card, ensure_ascii=False)
    assert "❔" in card and "143" in card and "Ikke indberettet i denne runde" in card
    assert "Sjælland" in card and "Ikke længere angivet" in card  # the others' lost answers
    assert "ikke indberettede" in cards[0].summary
