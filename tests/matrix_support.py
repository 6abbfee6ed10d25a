# ruff: noqa: E501  (titles and definitions are quoted from the seeds whole)
"""The KOL programme of seeds 000 and 001, built through the ORM for the matrix and document tests.

Groups, milestone codes and titles as seed 000 prints them; definitions, Syddanmark's
deadlines and its own items as seed 001 gives them; the central procurement (FUT)
reports 6.1 A, 6.2 A, 6.1 B, 6.2 B and 6.4 for every unit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.demo.checkout import demo_inputs
from conversations.vocabulary import ALL_UNITS, Delay, Progress
from models.answer import Answer
from models.people import Person, Role, RoleKind
from models.programme import BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus, Submission
from reporting.deadlines import read_deadline

FIXTURES = Path(__file__).parent / "fixtures"
SEED000_CSV = demo_inputs().seed
ROUND_NAME = "12. møde, 20. juni 2018"
STEERING_GROUP = (
    "den fællesoffentlige porteføljestyregruppe for landsdækkende udbredelse af"
    " telemedicinsk hjemmemonitorering til borgere med KOL"
)

UNITS = (
    ("hovedstaden", "Hovedstaden"),
    ("midtjylland", "Midtjylland"),
    ("nordjylland", "Nordjylland"),
    ("sjaelland", "Sjælland"),
    ("syddanmark", "Syddanmark"),
)
FUT = ("6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4")
GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "1",
        "Etablering af styregruppe for landsdelsprogram, herunder udpegning af projektleder, samt evt. etablering af sekretariat",
        (
            (
                "1.1",
                "Etablering af styregruppe, herunder udpegning af projektleder samt evt. sekretariat",
            ),
        ),
    ),
    (
        "2",
        "Første version af programgrundlag godkendt",
        (("2.1", "Første version af programgrundlag godkendt (projektplan opdateres løbende)"),),
    ),
    (
        "3",
        "Behandlingstilbud inden for landsdelen er godkendt",
        (
            (
                "3.1",
                "Behandlingstilbud inden for landsdelen godkendt (Sundhedsfagligt indhold, organisering og målgruppe)",
            ),
        ),
    ),
    (
        "4",
        "Aftaler indgået",
        (
            ("4.1", "Behandlingstilbud indskrevet i Sundhedsaftalen"),
            ("4.2", "Behandlingstilbud indskrevet i Praksisplanen"),
            ("4.3", "Behandlingstilbud indskrevet i Forløbsprogrammet"),
        ),
    ),
    (
        "5",
        "Koncept, etablering og idriftsættelse af Service, support og logistikfunktioner",
        (
            ("5.1", "Fastlagt koncept for SSL"),
            ("5.2", "Udbud og tildeling/kontraktindgåelse gennemført"),
            ("5.3", "SSL i drift"),
        ),
    ),
    (
        "6",
        "Teknisk løsning er indkøbt og klar til drift",
        (
            ("6.1 A", "Bekendtgørelse af udbud af telemedicinsk infrastruktur"),
            ("6.2 A", "Bekendtgørelse af udbud af telemedicinske løsninger"),
            (
                "6.1 B",
                "Tildeling af leverandør på telemedicinsk infrastruktur og afslutning af udbuddet",
            ),
            (
                "6.2 B",
                "Tildeling af leverandør på telemedicinske løsninger og afslutning af udbuddet",
            ),
            ("6.3", "Landsdelsprogram har indgået aftale med leverandør på rammeaftale"),
            ("6.4", "Telemedicinsk infrastruktur og løsninger er idriftsat til national drift"),
            ("6.5", "Landsdelsspecifikke optioner og medarbejdervendt løsning sat i drift"),
            ("6.6", "Anskaffelsesstrategi for udstyr til borgere fastlagt"),
            ("6.7", "Udstyr til borgere sat i drift"),
        ),
    ),
    (
        "7",
        "Sundhedsfaglige instrukser og retningslinjer udfærdiget",
        (("7.1", "Sundhedsfaglige instrukser og retningslinjer udfærdiget"),),
    ),
    (
        "8",
        "Uddannelse og kompetenceudvikling",
        (
            (
                "8.1",
                "Koncept, plan og materiale for uddannelse af sundhedsfaglige personale er klart",
            ),
            ("8.2", "Koncept, plan og materiale for uddannelse af borgere er klart"),
            ("8.3", "Uddannelsestilbud til borgere og sundhedsfaglige er sat i drift"),
        ),
    ),
    (
        "9",
        "Integrationer til IT-fagssystemer",
        (
            (
                "9.1",
                "Snitfladekoncept og muligheder afklaret og informeret til lokale beslutningstagere",
            ),
            (
                "9.2",
                "Lokale (region, kommuner og almen praksis) beslutninger om snitflader truffet",
            ),
            ("9.3", "Integrationer sat i drift (data kan ses i fagsystemer)"),
        ),
    ),
    (
        "10",
        "Rammer for driftsorganisation",
        (
            (
                "10.1",
                "Fastlægge rammer for driftsorganisation (governance, systemforvaltning og sundhedsfagligt indhold)",
            ),
            ("10.2", "Pilot 1 gennemført"),
            ("10.3", "Pilot 2 (Teknisk og organisatorisk afprøvning i produktionsmiljø)"),
        ),
    ),
    (
        "11",
        "Implementering",
        (
            ("11.1", "Implementeringsplan fastlagt og godkendt"),
            ("11.2", "x pct. af relevante borgere er inkluderet i hvert landsdelsprogram"),
            ("11.3", "x pct. af relevante borgere er inkluderet i hvert landsdelsprogram"),
            ("11.4", "Mindst 95 pct. af relevante borgere er inkluderet i hvert landsdelsprogram"),
        ),
    ),
)
DEFINITIONS = {
    "3.1": "Milepælen er gennemført, når rammerne for det telemedicinske behandlingstilbud er godkendt i relevante styregrupper.",
    "4.1": "Milepælen er godkendt når behandlingstilbud er indskrevet i sundhedsaftalen og godkendt i Sundhedsstyrelsen.",
    "4.2": "Milepælen er gennemført, når der er indgået aftale om behandlingstilbud med almen praksis.",
    "5.1": "Milepælen er gennemført, når den overordnede ramme/koncept for SSL i landsdelen ligger fast og er godkendt i programstyregruppen.",
    "6.1 A": "Milepælen er gennemført når udbuddet er bekendtgjort offentligt.",
    "6.2 A": "Milepælen er gennemført når udbuddet er bekendtgjort offentligt.",
    "6.1 B": "Milepælen er gennemført når udbuddet er gennemført, og der er indgået rammeaftaler med en leverandør.",
    "6.4": "Milepælen er gennemført, når infrastruktur og TM-løsninger (borgere og medarbejdere) er klar til fuld drift.",
    "7.1": "Milepælen er gennemført, når relevante fælles sundhedsfaglige instrukser og retningslinjer for landsdelen er udarbejdet og godkendt af programstyregruppen.",
}
DEADLINES_ALL = {
    "6.1 A": "27-11-2017",
    "6.2 A": "18-12-2017",
    "6.1 B": "31-07-2018",
    "6.2 B": "15-09-2018",
    "6.4": "01-09-2019",
}
DEADLINES_SYDDANMARK = {
    "3.1": "November 2017",
    "4.1": "Medio 2019",
    "4.2": "Januar 2019",
    "4.3": "2. kvartal 2018",
    "5.1": "Oktober 2018",
    "5.2": "Marts 2019",
    "5.3": "April 2019",
    "6.5": "01-10-2019",
    "6.6": "Januar 2019",
    "6.7": "Juli 2019",
    "7.1": "Juli 2018",
    "11.2": "Juli 2019",
}
LOCAL_ITEMS = (
    ("SYD-1", "Leveranceplan for 2018", "Februar 2018"),
    ("SYD-2", "Leverancebeskrivelser til relevante følgegrupper", ""),
)


async def _deadline(milestone: Milestone, scope: str, text: str) -> None:
    read = read_deadline(text)
    await BaselineDeadline.create(
        milestone=milestone,
        scope=scope,
        text=text,
        earliest_date=read.earliest,
        latest_date=read.latest,
    )


async def create_kol(language: str = "da") -> Programme:
    """The KOL programme: five regions, 11 groups, 32 milestones, FUT, Syddanmark's own items."""
    programme = await Programme.create(
        key="kol-2018",
        title="Fremdrift på tværs af landsdelsprogrammerne",
        subtitle="Landsdækkende udbredelse af telemedicinsk hjemmemonitorering til borgere med KOL",
        language=language,
        unit_label="Landsdelsprogram",
        source="Landsdelsprogrammerne",
        settings={"steering_group": STEERING_GROUP},
    )
    units = {}
    for position, (key, name) in enumerate(UNITS):
        units[key] = await Unit.create(programme=programme, key=key, name=name, position=position)
        lead = await Person.create(key=f"pl-{key}", name=f"Projektleder {name}")
        await Role.create(programme=programme, person=lead, kind=RoleKind.LEAD, scope=key)
    fut = await Person.create(key="fut", name="FUT")
    position = 0
    for group_position, (number, title, milestones) in enumerate(GROUPS):
        group = await MilestoneGroup.create(
            programme=programme, number=number, title=title, position=group_position
        )
        for code, milestone_title in milestones:
            milestone = await Milestone.create(
                programme=programme,
                group=group,
                code=code,
                title=milestone_title,
                definition=DEFINITIONS.get(code, ""),
                position=position,
            )
            position += 1
            if code in FUT:
                await Role.create(
                    programme=programme, person=fut, kind=RoleKind.REPORTER, scope=code
                )
            if code in DEADLINES_ALL:
                await _deadline(milestone, ALL_UNITS, DEADLINES_ALL[code])
            if code in DEADLINES_SYDDANMARK:
                await _deadline(milestone, "syddanmark", DEADLINES_SYDDANMARK[code])
    for code, title, deadline in LOCAL_ITEMS:
        item = await Milestone.create(
            programme=programme, unit=units["syddanmark"], code=code, title=title, position=position
        )
        position += 1
        if deadline:
            await _deadline(item, "syddanmark", deadline)
    return programme


async def open_round(programme: Programme, name: str, opened_at: datetime) -> Round:
    return await Round.create(
        programme=programme, name=name, opened_at=opened_at, open_slot=programme.id
    )


async def close_round(round_: Round, closed_at: datetime) -> None:
    round_.status = RoundStatus.CLOSED
    round_.open_slot = None
    round_.closed_at = closed_at
    await round_.save()


async def submit(round_: Round, scope: str, at: datetime | None = None) -> None:
    await Submission.create(round=round_, scope=scope, submitted_at=at or datetime.now(UTC))


async def answer(
    round_: Round,
    code: str,
    scope: str,
    progress: Progress,
    delay: Delay = Delay.ON_TIME,
    *,
    critical: bool = False,
    forecast: str = "",
    remark: str = "",
    by: Person | None = None,
) -> Answer:
    """Store one answer as the checklist would (no revision: the matrix reads answers only)."""
    milestone = await Milestone.get(programme_id=round_.programme_id, code=code)
    unit = (
        None if scope == ALL_UNITS else await Unit.get(programme_id=round_.programme_id, key=scope)
    )
    read = read_deadline(forecast) if forecast else None
    return await Answer.create(
        round=round_,
        milestone=milestone,
        unit=unit,
        scope=scope,
        progress=progress,
        delay=delay,
        critical=critical,
        forecast_text=forecast,
        forecast_earliest=read.earliest if read else None,
        forecast_latest=read.latest if read else None,
        remark=remark,
        answered_by=by,
        answered_at=datetime.now(UTC),
    )
