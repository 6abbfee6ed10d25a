"""A programme's own nouns (issue 18, item 1): KOL's are the catalogue's defaults, and a
programme that names its own is spoken of in them — in a matrix's documents too."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

from conversations.vocabulary import Delay, Progress, RoundStatus
from render.i18n import catalogue
from render.nouns import default_nouns, nouns_for
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.snapshot import (
    AnswerInfo,
    GroupInfo,
    MilestoneInfo,
    ProgrammeInfo,
    RoundInfo,
    UnitInfo,
    make_snapshot,
)
from tests.test_documents import matrix_words

NOW = datetime(2019, 10, 1, 10, tzinfo=UTC)
OWN = {"item": "Indsats", "plural": "Indsatser", "group": "Spor", "reporter": "Ansvarlig: {name}"}


def test_kol_is_spoken_of_as_it_always_was() -> None:
    da = default_nouns("da")
    assert (da["item"], da["group"], da["reporter"]) == (
        "Milepæl",
        "Milepæl",
        "(indtastet af {name})",
    )
    words = catalogue("da")
    assert words.text("documents.milestone", code="6.1 A", title="Udbud") == "Milepæl 6.1 A – Udbud"
    assert words.text("documents.answered_by", reporter="FUT") == "(indtastet af FUT)"
    assert words.text("documents.group", number="6", title="Teknisk løsning") == (
        "Milepæl 6: Teknisk løsning"
    )


def test_a_programmes_own_nouns_fill_in_the_rest_from_kols() -> None:
    nouns = nouns_for("da", OWN, unit_label="Region")
    assert nouns["item"] == "Indsats" and nouns["unit"] == "Region"
    assert nouns["an_item"] == "en milepæl", "a noun not given is KOL's"
    words = catalogue("da")
    assert words.text("documents.group", number="2", title="Data", noun={**nouns, "group": ""}) == (
        "Data"
    ), "no group noun: the title alone"
    said = words.text("checklist.missing", codes=["1.1"], count=2, light=True, noun=nouns)
    assert "2 indsatser" in said


def test_a_matrix_programme_with_its_own_nouns_has_them_in_its_document() -> None:
    programme = ProgrammeInfo(
        "spor", "Sporene", "", "da", "Europe/Copenhagen", "", "Region",
        nouns=MappingProxyType({"da": MappingProxyType(OWN)}),
    )  # fmt: skip
    snapshot = make_snapshot(
        programme,
        RoundInfo(1, "Runde 1", RoundStatus.CLOSED, NOW, None, "", NOW, None, False),
        (UnitInfo("nord", "Nord"), UnitInfo("syd", "Syd")),
        (GroupInfo("1", "Data", (MilestoneInfo("1.1", "Datakatalog", reporter="Anne"),)),),
        (
            AnswerInfo(
                "1.1",
                "*",
                Progress.STARTED,
                Delay.ON_TIME,
                False,
                "",
                None,
                None,
                "",
                "Anne",
                NOW,
                False,
            ),
        ),
    )
    matrix = worded_matrix(snapshot)
    html = matrix_words(matrix, compare(matrix, None, snapshot))  # what the PDF shows
    assert "Spor 1: Data" in html and "Indsats 1.1 – Datakatalog" in html
    assert "Ansvarlig: Anne" in html
    assert "Milepæl 1.1" not in html and "indtastet af" not in html
