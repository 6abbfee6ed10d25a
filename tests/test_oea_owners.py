"""A topic with two owners (issue 18, item 3): seed 004's «Ansvarlig: AKJ / NPE».

oea-2020.yaml names every owner seed 004 names, in its order (two of them where seed 004 has
two); each owner has the topic in their checklist and either may answer it; the documents
print both. A second owner the file does not know is refused where it stands.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations.context import AnswerData
from conversations.errors import UserError
from conversations.vocabulary import RoundStatus
from models.checklists import REPORTER, Scope, load_context, store_answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file, read_programme_file
from models.round import Round
from models.snapshot import load_snapshot
from render.documents.pdf import render_matrix_pdf
from render.i18n import catalogue
from render.words import worded_matrix
from reporting.comparison import compare
from reporting.exports import csv_of
from tests.test_documents import pdf_text

ROOT = Path(__file__).parent.parent
OEA = ROOT / "programmes" / "oea-2020.yaml"
SEED_004_OWNERS = (  # every «Ansvarlig: …» of seed 004, in its order, as it writes them
    "AKJ", "SVO", "EBP", "MLN", "JFP", "SPO", "AKJ / NPE", "SVO", "AKJ", "MBS", "CBE", "KIK",
    "NPE", "ADJ/RRS", "EBP", "LGL", "JFP", "EBP", "LBL", "NPE", "LMR", "LGL", "MBS", "EBP",
    "MMG", "CBE/RRS", "LBL", "MMG",
)  # fmt: skip
NOW = datetime(2019, 10, 20, 10, tzinfo=UTC)


def test_every_owner_seed_004_names_is_the_topics_in_its_order() -> None:
    owners = [tuple(name.strip() for name in found.split("/")) for found in SEED_004_OWNERS]
    spec = read_programme_file(OEA).spec
    topics = [m for group in spec.groups for m in group.milestones]
    assert [m.reporters for m in topics if m.reporters] == owners
    assert ("AKJ", "NPE") in owners and len(owners) == 28, "ØA15.3 has no owner"
    assert sum(len(found) == 2 for found in owners) == 3


def test_a_second_owner_nobody_knows_is_refused_where_it_stands(tmp_path: Path) -> None:
    bad = tmp_path / "oea.yaml"
    bad.write_text(
        OEA.read_text("utf-8").replace("reporter: [AKJ, NPE]", "reporter: [AKJ, NOPE]"), "utf-8"
    )
    with pytest.raises(UserError) as refused:
        read_programme_file(bad)
    assert refused.value.key == "programme.unknown_person"
    said = catalogue("da").text(refused.value.key, **refused.value.params)
    assert "NOPE" in said and "reporter[1]" in said


async def test_both_owners_have_the_topic_either_answers_and_both_are_printed(
    db: str, tmp_path: Path
) -> None:
    await load_programme_file(OEA)
    programme = await Programme.get(key="oea-2020")
    round_ = await Round.create(
        programme=programme, name="Status oktober 2019", status=RoundStatus.OPEN, opened_at=NOW
    )
    topic = "ØA20.7"
    for owner in ("AKJ", "NPE"):
        person = await Person.get(key=owner)
        context = await load_context(round_, Scope(REPORTER, owner), person, NOW)
        assert topic in [item.code for item in context.items], owner
    svo = await Person.get(key="SVO")
    others = await load_context(round_, Scope(REPORTER, "SVO"), svo, NOW)
    assert topic not in [item.code for item in others.items]
    for owner, status in (("AKJ", "Mit overblik er i drift."), ("NPE", "Udvidet i 2020.")):
        person = await Person.get(key=owner)
        await store_answer(
            round_,
            Scope(REPORTER, owner),
            topic,
            AnswerData(status=status),
            person,
            now=NOW,
            late=False,
            source="test",
        )
    snapshot = await load_snapshot(round_.id)
    matrix = worded_matrix(snapshot)
    text = pdf_text(render_matrix_pdf(matrix, compare(matrix, None, snapshot)).content, tmp_path)
    assert "Ansvarlig: AKJ / NPE" in text and "Ansvarlig: ADJ / RRS" in text
    assert "Udvidet i 2020." in text, "the later owner's answer stands"
    assert "AKJ / NPE" in csv_of(matrix).decode("utf-8-sig")
    assert {r.key for r in snapshot.reporters if topic in r.milestones} == {"AKJ", "NPE"}
