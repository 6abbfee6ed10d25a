"""The Slack post of a published round: within Block Kit's limits, for KOL and for 20 × 120."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from conversations.vocabulary import ALL_UNITS, Colour, Delay, Progress, delay_allowed
from models.round import RoundStatus
from render.publication import MAX_SECTION, Message, build_publication, slug, split_section
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.snapshot import (
    AnswerInfo,
    GroupInfo,
    MilestoneInfo,
    ProgrammeInfo,
    RoundInfo,
    Snapshot,
    SubmissionInfo,
    UnitInfo,
    make_snapshot,
)
from standins.slack.blockkit import validate_message_blocks
from tests.test_documents import seed000

NOW = datetime(2018, 6, 20, 12, tzinfo=UTC)


def synthetic(
    units: int, milestones: int, *, seed: int, language: str = "da", name: str = "R", size: int = 10
) -> Snapshot:
    """A programme of `units` × `milestones` in groups of `size`, long names, random answers."""
    rng = random.Random(seed)
    unit_infos = tuple(
        UnitInfo(f"u{i:03}", f"Enhed nummer {i} med et langt navn", (f"Leder {i}",))
        for i in range(units)
    )
    groups = []
    for g in range(0, milestones, size):
        rows = tuple(
            MilestoneInfo(f"{g // size + 1}.{m + 1}", "Milepæl med en meget lang titel " * 5)
            for m in range(min(size, milestones - g))
        )
        groups.append(
            GroupInfo(str(g // size + 1), "En gruppe af milepæle med en lang overskrift " * 3, rows)
        )
    answers = []
    for group in groups:
        for milestone in group.milestones:
            for unit in unit_infos:
                progress = rng.choice(list(Progress))
                delay = rng.choice(list(Delay)) if delay_allowed(progress) else Delay.ON_TIME
                answers.append(
                    AnswerInfo(
                        milestone.code,
                        unit.key,
                        progress,
                        delay,
                        rng.random() < 0.15,
                        "Medio 2019",
                        date(2019, 5, 1),
                        date(2019, rng.randint(5, 12), 28),
                        "",
                        "Leder",
                        NOW,
                        False,
                    )
                )
    return make_snapshot(
        ProgrammeInfo("big", "Et stort program", "", language, "Europe/Copenhagen", "Kilden", ""),
        RoundInfo(1, name, RoundStatus.CLOSED, NOW, None, "", NOW, None, False),
        unit_infos,
        tuple(groups),
        tuple(answers),
        submissions=tuple(
            SubmissionInfo(f"unit:u{i:03}", "x", NOW, False) for i in range(0, units, 2)
        ),
    )


def assert_within_slack_limits(messages: tuple[Message, ...]) -> None:
    for message in messages:
        assert validate_message_blocks(list(message.blocks)) == []
        assert 0 < len(message.blocks) <= 50
        assert 0 < len(message.text) <= 40_000
        for block in message.blocks:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION


async def test_the_kol_publication_fits_slack(db: str) -> None:
    snapshot, matrix, comparison = await seed000()
    publication = build_publication(snapshot, matrix, comparison, published=NOW)
    assert_within_slack_limits(publication.messages)
    assert len(publication.messages) == 2
    summary = publication.messages[0]
    assert summary.blocks[0]["text"]["text"] == "Fremdrift: 12. møde, 20. juni 2018"
    assert "20. juni 2018" in summary.blocks[1]["elements"][0]["text"]
    counts = summary.blocks[2]["text"]["text"]
    assert (
        "🟢 *134*" in counts and "🟡 *23*" in counts and "🔴 *1*" in counts and "⚪ *2*" in counts
    )
    assert "❔ *0* ikke indberettet" in counts  # every cell of seed 000 was answered
    # The channel's notification, as the demo posts it: Danish plurals by count (issue 16).
    assert summary.text == (
        "Fremdrift på tværs af landsdelsprogrammerne – 12. møde, 20. juni 2018: 134 grønne, "
        "23 gule, 1 rød, 2 uden angivelse, 0 ikke indberettede."
    )
    assert "Ikke indberettet i denne runde" not in str(summary.blocks)
    critical = summary.blocks[3]["text"]["text"]
    assert (
        "*Midtjylland*: 4.1, 4.2, 6.1 B, 6.3, 6.4, 8.1, 8.2, 8.3, 11.1, 11.2, 11.3, 11.4"
        in critical
    )
    grid = "\n".join(
        b["text"]["text"] for b in publication.messages[1].blocks if b["type"] == "section"
    )
    assert "🔴🟡🟢🟡🟡  `11.4`" in grid
    assert "⚪🟢🟢🟡🟡  `11.2`" in grid
    assert [f.filename for f in publication.files] == [
        "kol-2018-12-moede-20-juni-2018-matrix.pdf",
        "kol-2018-12-moede-20-juni-2018-sheets.pdf",
        "kol-2018-12-moede-20-juni-2018.xlsx",
        "kol-2018-12-moede-20-juni-2018.csv",
        "kol-2018-12-moede-20-juni-2018.json",
    ]
    assert all(f.content for f in publication.files)
    assert publication.files[0].content.startswith(b"%PDF")
    assert publication.files[2].content.startswith(b"PK")


@pytest.mark.parametrize(("size", "messages"), [(10, 1), (2, 2), (1, 3)])
def test_twenty_units_by_120_milestones_fit_slack(size: int, messages: int) -> None:
    before = synthetic(20, 120, seed=1, name="Forrige", size=size)
    after = synthetic(20, 120, seed=2, name="Denne", size=size)
    matrix = worded_matrix(after)
    comparison = compare(matrix, worded_matrix(before), after)
    assert len(comparison.worse) > 100  # enough changes to need cutting
    publication = build_publication(after, matrix, comparison, published=NOW, with_files=False)
    assert publication.files == ()
    assert_within_slack_limits(publication.messages)
    grid = publication.messages[1:]
    assert len(grid) == messages  # 48 groups' sections a message, after two blocks of heading
    lines = [
        line
        for message in grid
        for block in message.blocks
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
        if "`" in line
    ]
    assert len(lines) == 120  # every milestone once, none lost at a split
    assert all(
        line.count("🟢") + line.count("🟡") + line.count("🔴") + line.count("⚪") == 20
        for line in lines
    )
    summary = "\n".join(
        b["text"]["text"] for b in publication.messages[0].blocks if b["type"] == "section"
    )
    assert "og " in summary and " flere" in summary  # long lists say how many were left out
    parts = [m.blocks[0]["text"]["text"] for m in grid]
    assert parts[0].endswith(f"del 1 af {len(grid)}")


def test_english_publication_and_a_hundred_units() -> None:
    snapshot = synthetic(100, 30, seed=3, language="en")
    matrix = worded_matrix(snapshot)
    publication = build_publication(
        snapshot, matrix, compare(matrix, None, snapshot), with_files=False
    )
    assert_within_slack_limits(publication.messages)
    summary = publication.messages[0]
    assert summary.blocks[0]["text"]["text"] == "Progress: R"
    assert "There is no earlier round to compare with." in str(summary.blocks)
    assert len(matrix.units) == 100


def test_split_section_keeps_lines_whole() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    pieces = split_section(text)
    assert all(len(piece) <= MAX_SECTION for piece in pieces)
    assert "\n".join(pieces) == text
    assert split_section("y" * 4000)[0] == "y" * 2999 + "…"


def test_slugs_are_ascii() -> None:
    assert slug("12. møde, 20. juni 2018") == "12-moede-20-juni-2018"
    assert slug("Ærø/Åbenrå") == "aeroe-aabenraa"
    assert slug("!!!") == "round"


def test_colours_and_scope_are_what_the_grid_shows() -> None:
    snapshot = synthetic(2, 1, seed=4)
    matrix = worded_matrix(snapshot)
    assert {cell.colour for cell in matrix.cells()} <= set(Colour)
    assert ALL_UNITS == "*"
