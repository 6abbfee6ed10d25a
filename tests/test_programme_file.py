"""The shipped programme files load as the seeds have them, and reloading is safe.

KOL (seeds 000 and 001): 11 groups, 32 milestones, five regions in the matrix's column
order, FUT answering what it enters, Syddanmark's deadlines read as written. ØA 2020
(seed 004): one unit, each topic answered by its owner. A reload changes nothing and
keeps answers; an edited file updates rows in place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from conversations.errors import UserError
from conversations.vocabulary import ALL_UNITS
from models.answer import Answer
from models.people import Account, Person, Platform, Role, RoleKind
from models.programme import BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.programme_file import (
    ProgrammeSettings,
    list_programmes,
    load_programme_file,
    parse_programme,
    programme_overview,
)
from models.round import Round, RoundStatus

PROGRAMMES = Path(__file__).parent.parent / "programmes"
KOL = PROGRAMMES / "kol-2018.yaml"
OEA = PROGRAMMES / "oea-2020.yaml"
WHEN = datetime(2018, 6, 1, 8, 0, tzinfo=UTC)

KOL_CODES = [
    "1.1", "2.1", "3.1", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3",
    "6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.3", "6.4", "6.5", "6.6", "6.7",
    "7.1", "8.1", "8.2", "8.3", "9.1", "9.2", "9.3", "10.1", "10.2", "10.3",
    "11.1", "11.2", "11.3", "11.4",
]  # fmt: skip
FUT_CODES = {"6.1 A", "6.2 A", "6.1 B", "6.2 B", "6.4"}
REGIONS = ["Hovedstaden", "Midtjylland", "Nordjylland", "Sjælland", "Syddanmark"]

SNAPSHOT_MODELS: tuple[Any, ...] = (
    Programme, Unit, MilestoneGroup, Milestone, BaselineDeadline,
    Person, Account, Role, Round, Answer,
)  # fmt: skip


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row the loader can touch, by table: equal snapshots mean nothing changed."""
    return {model.__name__: await model.all().order_by("id").values() for model in SNAPSHOT_MODELS}


async def answer(programme_key: str, code: str, unit_key: str | None) -> Answer:
    """An open round with one answer to `code` (for `unit_key`, or for every unit)."""
    programme = await Programme.get(key=programme_key)
    found = await Round.get_or_none(programme=programme, name="12. møde")
    if found is None:
        found = await Round.create(
            programme=programme,
            name="12. møde",
            status=RoundStatus.OPEN,
            open_slot=programme.id,
            opened_at=WHEN,
        )
    milestone = await Milestone.get(programme=programme, code=code)
    unit = await Unit.get(programme=programme, key=unit_key) if unit_key else None
    return await Answer.create(
        round=found,
        milestone=milestone,
        unit=unit,
        scope=unit_key or ALL_UNITS,
        answered_at=WHEN,
        remark="svar",
    )


def edited(tmp_path: Path, source: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of `source` with each (old, new) replaced; old must occur exactly once."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


async def test_kol_has_seed_000s_groups_milestones_and_regions_in_order(db: str) -> None:
    summary = await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    assert summary.created
    assert [g.number for g in view.groups] == [str(n) for n in range(1, 12)]
    assert [m.code for m in view.milestones] == KOL_CODES
    assert [u.name for u in view.units] == REGIONS
    assert view.title == "Fremdrift på tværs af landsdelsprogrammerne"
    assert view.source == "Landsdelsprogrammerne"
    assert view.groups[5].title == "Teknisk løsning er indkøbt og klar til drift"
    titles = {m.code: m.title for m in view.milestones}
    assert titles["11.2"] == "10 pct. af relevante borgere er inkluderet i hvert landsdelsprogram"
    assert titles["6.1 B"] == (
        "Tildeling af leverandør på telemedicinsk infrastruktur og afslutning af udbuddet"
    )


async def test_fut_answers_the_milestones_it_enters_and_the_leads_the_rest(db: str) -> None:
    await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    reporters = {m.code: m.reporter.key if m.reporter else None for m in view.milestones}
    assert {code for code, key in reporters.items() if key == "fut"} == FUT_CODES
    assert {key for key in reporters.values()} == {"fut", None}
    fut = await Person.get(key="fut")
    assert fut.name == "FUT"
    scopes = await Role.filter(person=fut, kind=RoleKind.REPORTER).values_list("scope", flat=True)
    assert set(map(str, scopes)) == FUT_CODES


@pytest.mark.parametrize(
    ("code", "text", "earliest", "latest", "remark"),
    [
        ("4.1", "Medio 2019", date(2019, 5, 1), date(2019, 8, 31), ""),
        ("4.3", "2. kvartal 2018", date(2018, 4, 1), date(2018, 6, 30), ""),
        ("6.1 A", "27-11-2017", date(2017, 11, 27), date(2017, 11, 27), ""),
        ("3.1", "November 2017", date(2017, 11, 1), date(2017, 11, 30), ""),
        (
            "11.2",
            "Juli 2019 – forventer 0-3 mdr's forsinkelser",
            date(2019, 7, 1),
            date(2019, 7, 31),
            "forventer 0-3 mdr's forsinkelser",
        ),
        (
            "11.4",
            "December 2019 Forventer forsinkelse på 0-3 måneder",
            date(2019, 12, 1),
            date(2019, 12, 31),
            "Forventer forsinkelse på 0-3 måneder",
        ),
    ],
)
async def test_syddanmarks_deadlines_read_as_the_seed_means_them(
    db: str, code: str, text: str, earliest: date, latest: date, remark: str
) -> None:
    await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    milestone = next(m for m in view.milestones if m.code == code)
    assert len(milestone.deadlines) == 1
    deadline = milestone.deadline_for("syddanmark")
    assert deadline is not None
    assert (deadline.unit, deadline.text) == ("syddanmark", text)
    assert (deadline.earliest, deadline.latest, deadline.remark) == (earliest, latest, remark)
    assert milestone.deadline_for("hovedstaden") is None
    row = await BaselineDeadline.get(milestone__code=code, milestone__programme__key="kol-2018")
    assert (row.scope, row.earliest_date, row.latest_date) == ("syddanmark", earliest, latest)


async def test_definitions_come_from_seed_001_and_are_empty_where_it_has_none(db: str) -> None:
    await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    definitions = {m.code: m.definition for m in view.milestones}
    assert {code for code, text in definitions.items() if not text} == {
        "1.1", "2.1", "4.3", "10.2", "11.4",
    }  # fmt: skip
    assert definitions["6.1 A"] == "Milepælen er gennemført når udbuddet er bekendtgjort offentligt"
    assert definitions["3.1"].startswith("Milepælen er gennemført, når rammerne for det telemed")
    assert "etablering / operationalisering" in definitions["8.1"]


async def test_syddanmarks_local_items_stay_out_of_the_matrix(db: str) -> None:
    summary = await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    south = view.units[-1]
    assert [(i.code, i.title) for i in south.local_items] == [
        ("SYD-1", "Leveranceplan for 2018"),
        ("SYD-2", "Leverancebeskrivelser til relevante følgegrupper"),
    ]
    assert [d.text for d in south.local_items[0].deadlines] == ["Februar 2018"]
    assert all(not unit.local_items for unit in view.units[:-1])
    assert summary.local_items.total == 2
    assert summary.milestones.total == 32


async def test_placeholder_people_lead_each_region_and_can_be_reached_on_slack(db: str) -> None:
    await load_programme_file(KOL)
    view = await programme_overview("kol-2018")
    assert [p.key for p in view.admins] == ["sekretariat"]
    for unit in view.units:
        assert [p.key for p in unit.leads] == [f"pl-{unit.key}"]
        assert [p.key for p in unit.deputies] == [f"stf-{unit.key}"]
    ids = await Account.filter(platform=Platform.SLACK, workspace="").values_list(
        "user_id", flat=True
    )
    assert len(ids) == len(set(ids)) == 12
    assert all(len(i) == 11 and i.startswith("U0") and i == i.upper() for i in map(str, ids))
    assert view.steering_channel.startswith("C0")


async def test_settings_are_stored_with_their_defaults(db: str) -> None:
    await load_programme_file(OEA)  # names no settings
    programme = await Programme.get(key="oea-2020")
    assert programme.settings["late_answers"] == "refuse"
    settings = ProgrammeSettings.model_validate(programme.settings)
    assert [(r.days_before, r.at) for r in settings.reminders] == [(3, "09:00"), (1, "09:00")]
    assert settings.quiet_hours is not None and settings.quiet_hours.start == "18:00"


OEA_OWNERS = {
    "ØA20.1": "AKJ", "ØA20.2": "SVO", "ØA20.3": "EBP", "ØA20.4": "MLN", "ØA20.5": "JFP",
    "ØA20.6": "SPO", "ØA20.7": "AKJ", "ØA20.8": "SVO", "ØA20.9": "AKJ", "ØA20.10": "MBS",
    "ØA20.11": "CBE", "ØA19.1": "KIK", "ØA19.2": "NPE", "ØA19.3": "ADJ", "ØA19.4": "EBP",
    "ØA19.5": "LGL", "ØA18.1": "JFP", "ØA18.2": "EBP", "ØA18.3": "LBL", "ØA18.4": "NPE",
    "ØA18.5": "LMR", "ØA17.1": "LGL", "ØA17.2": "MBS", "ØA17.3": "EBP", "ØA16.1": "MMG",
    "ØA16.2": "CBE", "ØA15.1": "LBL", "ØA15.2": "MMG", "ØA15.3": None,
}  # fmt: skip


async def test_oea_has_one_unit_and_each_topic_is_answered_by_its_owner(db: str) -> None:
    await load_programme_file(OEA)
    view = await programme_overview("oea-2020")
    assert [(u.key, u.name) for u in view.units] == [("danske-regioner", "Danske Regioner")]
    assert [g.title for g in view.groups] == [
        "Økonomiaftale for 2020", "ØA 2019", "ØA 2018", "ØA 2017", "ØA 2016", "ØA 2015",
    ]  # fmt: skip
    owners = {m.code: m.reporter.key if m.reporter else None for m in view.milestones}
    assert owners == OEA_OWNERS
    topics = {m.code: m for m in view.milestones}
    assert topics["ØA20.1"].title == "Fremtidssikring af den fællesoffentlige infrastruktur"
    texts = {m.code: m.texts for m in await Milestone.filter(programme__key="oea-2020")}
    assert texts["ØA20.1"]["oea"].startswith("Danmarks digitale infrastruktur skal")
    assert [code for code, found in texts.items() if not found] == ["ØA15.3"]
    assert [p.key for p in view.units[0].leads] == ["dr-koordinator"]


async def test_two_programmes_live_side_by_side(db: str) -> None:
    await load_programme_file(KOL)
    await load_programme_file(OEA)
    await answer("kol-2018", "4.1", "syddanmark")  # opens a round of KOL
    rows = await list_programmes()
    assert [(r.key, r.units, r.milestones, r.open_round) for r in rows] == [
        ("kol-2018", 5, 32, "12. møde"),
        ("oea-2020", 1, 29, None),
    ]
    assert (await programme_overview("kol-2018")).open_round == "12. møde"


async def test_reloading_the_same_file_changes_nothing_and_keeps_answers(db: str) -> None:
    await load_programme_file(KOL)
    kept = await answer("kol-2018", "4.1", "syddanmark")
    await answer("kol-2018", "6.1 A", None)
    before = await snapshot()
    summary = await load_programme_file(KOL)
    assert not summary.changed
    assert summary.milestones.unchanged == 32
    assert await snapshot() == before
    assert (await Answer.get(id=kept.id)).remark == "svar"


async def test_reloading_an_edited_title_updates_the_row_in_place(db: str, tmp_path: Path) -> None:
    await load_programme_file(KOL)
    kept = await answer("kol-2018", "4.3", "syddanmark")
    before = await Milestone.get(code="4.3")
    path = edited(
        tmp_path,
        KOL,
        ("title: Behandlingstilbud indskrevet i Forløbsprogrammet", "title: Indskrevet i forløb"),
    )
    summary = await load_programme_file(path)
    after = await Milestone.get(code="4.3")
    assert (after.id, after.title) == (before.id, "Indskrevet i forløb")
    assert (summary.milestones.updated, summary.milestones.unchanged) == (1, 31)
    assert (await Answer.get(id=kept.id)).milestone_id == after.id


async def test_a_milestone_nobody_answered_is_removed_with_its_deadlines(
    db: str, tmp_path: Path
) -> None:
    await load_programme_file(KOL)
    path = edited(
        tmp_path,
        KOL,
        (
            '      - code: "10.2"\n        title: Pilot 1 gennemført\n'
            "        deadlines: {syddanmark: Juni 2019}\n",
            "",
        ),
    )
    summary = await load_programme_file(path)
    assert (summary.milestones.removed, summary.deadlines.removed) == (1, 1)
    codes = await Milestone.filter(programme__key="kol-2018", unit=None).values_list(
        "code", flat=True
    )
    assert "10.2" not in list(map(str, codes)) and len(codes) == 31
    assert await BaselineDeadline.filter(milestone__code="10.2").count() == 0


async def test_an_answered_milestone_cannot_be_removed(db: str, tmp_path: Path) -> None:
    await load_programme_file(KOL)
    await answer("kol-2018", "10.2", "nordjylland")
    path = edited(
        tmp_path,
        KOL,
        ('      - code: "10.2"\n        title: Pilot 1 gennemført\n', ""),
        ("        deadlines: {syddanmark: Juni 2019}\n", ""),
    )
    before = await snapshot()
    with pytest.raises(UserError) as raised:
        await load_programme_file(path)
    assert raised.value == UserError(
        "programme.milestone_has_answers", file="kol-2018.yaml", code="10.2", count=1
    )
    assert await snapshot() == before


async def test_roles_follow_the_file_exactly(db: str, tmp_path: Path) -> None:
    await load_programme_file(KOL)
    path = edited(
        tmp_path,
        KOL,
        ("    leads: [pl-nordjylland]", "    leads: [pl-nordjylland, stf-nordjylland]"),
        ("    deputies: [stf-nordjylland]\n", ""),
        ("admins: [sekretariat]", "admins: [sekretariat, fut]"),
    )
    summary = await load_programme_file(path)
    assert (summary.roles.created, summary.roles.removed) == (2, 1)
    north = await Role.filter(programme__key="kol-2018", scope="nordjylland").prefetch_related(
        "person"
    )
    assert sorted((r.person.key, r.kind) for r in north) == [
        ("pl-nordjylland", RoleKind.LEAD),
        ("stf-nordjylland", RoleKind.LEAD),
    ]
    admins = await Role.filter(kind=RoleKind.ADMIN).prefetch_related("person")
    assert sorted(r.person.key for r in admins) == ["fut", "sekretariat"]


async def test_two_people_can_swap_slack_ids(db: str, tmp_path: Path) -> None:
    await load_programme_file(KOL)
    path = edited(
        tmp_path,
        KOL,
        ("slack: U0KOL000011", "slack: U0KOLSWAP"),
        ("slack: U0KOL000012", "slack: U0KOL000011"),
        ("slack: U0KOLSWAP", "slack: U0KOL000012"),
    )
    summary = await load_programme_file(path)
    owners = {
        a.user_id: a.person.key
        for a in await Account.filter(user_id__in=["U0KOL000011", "U0KOL000012"]).prefetch_related(
            "person"
        )
    }
    assert owners == {"U0KOL000011": "stf-hovedstaden", "U0KOL000012": "pl-hovedstaden"}
    assert summary.accounts.removed == 2


async def test_an_unknown_programme_is_a_user_error_naming_the_known_ones(db: str) -> None:
    await load_programme_file(OEA)
    with pytest.raises(UserError) as raised:
        await programme_overview("kol-2019")
    assert raised.value == UserError(
        "programme.unknown_programme", programme="kol-2019", known="oea-2020"
    )


def test_the_example_in_the_format_document_is_a_valid_file() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "programme-format.md").read_text("utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    parsed = parse_programme(example, "programme-format.md")
    assert parsed.spec.key == "kol-2018"
    assert parsed.spec.groups[0].milestones[0].reporter == "fut"


def test_plain_values_stay_as_written() -> None:
    parsed = parse_programme(
        "key: p\ntitle: no\nsteering_channel:\npeople: [{key: a, name: A}]\nadmins: [a]\n"
        "units: [{key: u, name: U, leads: [a]}]\n"
        "groups: [{number: 6, title: G, milestones: [{code: 1.10, title: T, deadline: 2019}]}]\n"
        "settings: {quiet_hours: null, reminders: [{days_before: 2, at: 18:00}]}\n",
        "p.yaml",
    )
    group = parsed.spec.groups[0]
    assert (parsed.spec.title, parsed.spec.steering_channel) == ("no", "")
    assert (group.number, group.milestones[0].code, group.milestones[0].deadline) == (
        "6",
        "1.10",
        "2019",
    )
    assert parsed.spec.settings.quiet_hours is None
    assert parsed.spec.settings.reminders[0].at == "18:00"
