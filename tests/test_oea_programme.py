"""ØA20 as seed 004 has it: every topic, its owner, its ØA tekst, its economy and its deadline.

The expected texts are quoted from seed 004 (the Danish Regions' follow-up on Økonomiaftale
2020), with only the PDF's line breaks and hyphenations taken out, so a topic whose text is
cut short, moved to the wrong topic or retyped fails here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from models.programme import Programme
from models.programme_file import load_programme_file, read_programme_file
from models.programme_spec import MilestoneSpec
from models.round import Round
from models.snapshot import load_snapshot
from reporting.form import Layout
from reporting.snapshot import MilestoneInfo

OEA = Path(__file__).parent.parent / "programmes" / "oea-2020.yaml"

SEED_004_TOPICS = (
    "Fremtidssikring af den fællesoffentlige infrastruktur",
    "Investeringsfond for nye teknologier og digitale velfærdsløsninger",
    "Telemedicinsk tilbud til borgere med hjertesvigt",
    "Cyber – og informationssikkerhed",
    "Datalandkort og en fælles indgang til vejledning om adgang til sundhedsdata",
    "Rammer for bedre brug af data",
    "Mit overblik",
    "Et samlet patientoverblik",
    "Digital løsning til graviditetsforløb",
    "Patientrapporterede oplysninger (PRO)",
    "Digitalt sundhedskort",
    "Tilbud om aktiv patientstøtte",
    "Guide til sundhedsapps",
    "Borgervisning af logoplysninger fra elektroniske patientjournaler",
    "Fælles målbillede",
    "Nyt landspatientregister (LPR3)",
    "Sygehusmedicinregister",
    "Tele-KOL (udbredelse og anskaffelse af en fælles, generisk og fleksibel telemedicinsk "
    "løsning)",
    "CPR grunddata",
    "Telemedicin til gravide",
    "National udrulning af den patientansvarlige læge",
    "Fællesoffentlig digitaliseringsstrategi 2016-2020 (FODS)",
    "Patient-rapporterede Oplysninger (PRO)",
    "Forløbsplaner i almen praksis",
    "PRO til ambulante kontroller",
    "Implantat-register",
    "SOR",
    "Beslutnings-støtte i Fælles Medicinkort (FMK)",
    "Nordiske e-recepter",
)
"""Seed 004's «Emne» column, top to bottom."""


def topics() -> dict[str, MilestoneSpec]:
    spec = read_programme_file(OEA).spec
    return {m.code: m for group in spec.groups for m in group.milestones}


def test_every_topic_of_seed_004_is_there_in_its_order() -> None:
    assert tuple(m.title for m in topics().values()) == SEED_004_TOPICS


@pytest.mark.parametrize(
    ("code", "owner", "oea", "economy"),
    [
        (
            "ØA20.1",
            "AKJ",
            "For 2020 er den kommunale og regionale andel af det centrale nettofinansieringsbehov "
            "henholdsvis 47,6 mio. kr. og 23,8 mio. kr.",
            "Omkostningerne til den regionale omstilling vurderes samlet at beløbe sig til mere "
            "end 100 mio. kr.",
        ),
        (
            "ØA20.2",
            "SVO",
            "Parterne er enige om at udmønte 20,0 mio. kr. i 2019 og 47,0 mio. kr. i 2020 til "
            "signaturprojekter.",
            "Ved ØA20 er det aftalt at prioritere 8 regionale AI-signaturprojekter for 40 mio. kr.",
        ),
        (
            "ØA20.8",
            "SVO",
            "staten har leveret de nødvendige forudsætningsskabende leverancer senest 1. januar "
            "2020.",
            "Det vurderes med usikkerhed, at den samlede implementering beløber sig til ca. 65-75 "
            "mio. kr. i regionerne.",
        ),
        (
            "ØA18.2",
            "EBP",
            "Udgifterne til indkøbet af den telemedicinske løsning udgør 24,5 mio. kr. (2017-pl) "
            "for regionerne.",
            "Anskaffelsen løber op i ca. 68 mio. kr. Den regionale andel udgør ca. 47 mio. kr.",
        ),
        (
            "ØA15.2",
            "MMG",
            "skal være klar til brug på alle sygehuse og for praksissektoren senest i 2017.",
            "Hertil kommer lokale implementeringsomkostninger i regionerne – forventet 17 mio. kr. "
            "i alt fordelt på de fem regioner.",
        ),
        (
            "ØA20.6",
            "SPO",
            "Parterne er enige om fortsat at arbejde med rammerne for bedre brug af data, fx til "
            "beslutningsstøtte, værdibaseret sundhed og proaktiv forebyggelse.",
            "Ingen umiddelbare økonomiske konsekvenser.",
        ),
    ],
)
def test_topics_carry_seed_004s_texts_word_for_word(
    code: str, owner: str, oea: str, economy: str
) -> None:
    topic = topics()[code]
    assert topic.reporter == owner
    assert oea in topic.texts["oea"].replace("\n", " ")
    assert economy in topic.texts["economy"].replace("\n", " ")


def test_paragraphs_stay_apart_and_hyphenations_are_joined() -> None:
    economy = topics()["ØA20.1"].texts["economy"]
    assert economy.split("\n") == [
        "Omkostningerne til den regionale omstilling vurderes samlet at beløbe sig til mere end "
        "100 mio. kr.",
        "I samarbejde med DIGST udarbejdes en omkostningsanalyse af den decentrale omstilling for "
        "MitID og NemLog-in3 samt Næste Generation Digital Post, der vil tydeliggøre "
        "omkostningerne.",
    ]
    assert "bloktilskudsfordelingsnøglen" in topics()["ØA19.3"].texts["economy"]


@pytest.mark.parametrize(
    ("code", "deadline", "earliest", "latest"),
    [
        ("ØA20.1", "30. november 2021", date(2021, 11, 30), date(2021, 11, 30)),
        ("ØA20.3", "Forår 2020", date(2020, 3, 1), date(2020, 5, 31)),
        ("ØA20.8", "inden udgangen af tredje kvartal 2021", date(2021, 1, 1), date(2021, 9, 30)),
        ("ØA19.3", "inden udgangen af 2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("ØA18.5", "Ultimo 2019", date(2019, 9, 1), date(2019, 12, 31)),
        ("ØA15.1", "01.04.2021", date(2021, 4, 1), date(2021, 4, 1)),
    ],
)
async def test_deadlines_are_seed_004s_as_written_and_read(
    db: str, code: str, deadline: str, earliest: date, latest: date
) -> None:
    await load_programme_file(OEA)
    snapshot = await load_snapshot(await _round())
    found = next(m for m in snapshot.milestones() if m.code == code)
    baseline = found.deadline_for("danske-regioner")
    assert baseline is not None
    assert (baseline.text, baseline.earliest, baseline.latest) == (deadline, earliest, latest)


async def test_the_stored_programme_speaks_seed_004s_words(db: str) -> None:
    await load_programme_file(OEA)
    snapshot = await load_snapshot(await _round())
    programme = snapshot.programme
    assert snapshot.layout is Layout.TABLE
    assert not programme.light, "ØA20 asks no progress: no traffic light"
    assert [q.value for q in programme.questions] == ["status", "economy"]
    assert programme.nouns_in("da")["item"] == "Emne"
    assert programme.nouns_in("da")["reporter"] == "Ansvarlig: {name}"
    assert [text.any_label("da") for text in programme.texts] == [
        "ØA tekst",
        "Økonomi (aftalt økonomi og/eller skøn over regionale udgifter)",
    ]
    first: MilestoneInfo = next(snapshot.milestones())
    assert first.reporter == "AKJ"
    assert "mere end 100 mio. kr." in first.text("economy")
    assert first.text("oea").startswith("Danmarks digitale infrastruktur skal fremtidssikres")
    assert first.text("none") == ""


async def _round() -> int:
    programme = await Programme.get(key="oea-2020")
    now = datetime(2019, 10, 1, tzinfo=UTC)
    round_ = await Round.create(programme=programme, name="Status oktober 2019", opened_at=now)
    return round_.id
