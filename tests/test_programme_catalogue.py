"""A catalogue of bad programme files: each is refused with the right key, line and field.

Every case starts from the same good file (BASE), already loaded, changes one thing, and
checks what a person is told — the message key, the line, the field, in Danish and in
English, on one line — and that the database is exactly as before. A `# here` comment
marks the line a case expects to be named, so the expected line is read from the text,
not from the parser under test.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pytest

from conversations.errors import UserError
from models.programme import Unit
from models.programme_file import load_programme_file, parse_programme
from render.i18n import text
from tests.test_programme_file import answer, snapshot

BAD = "bad.yaml"
BASE = """\
key: probe
title: Probe
language: da
timezone: Europe/Copenhagen
people:
  - key: admin
    name: Admin
    slack: U0PROBE0001
  - key: lead-a
    name: Lead A
  - key: lead-b
    name: Lead B
  - key: central
    name: Central
admins: [admin]
units:
  - key: north
    name: North
    leads: [lead-a]
  - key: south
    name: South
    leads: [lead-b]
    local_items:
      - code: S-1
        title: Local
groups:
  - number: "1"
    title: One
    milestones:
      - code: "1.1"
        title: First
        deadline: Medio 2019
      - code: "1.2"
        title: Second
        reporter: central
        deadlines:
          south: 2. kvartal 2018
  - number: "2"
    title: Two
    milestones:
      - code: "2.1"
        title: Third
settings:
  reminders:
    - {days_before: 3, at: "09:00"}
  late_answers: refuse
"""


def edit(source: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def line_of(source: str, marker: str) -> int:
    """The 1-based line holding `marker`, which must be on exactly one line."""
    found = [n for n, line in enumerate(source.splitlines(), 1) if marker in line]
    assert len(found) == 1, (marker, found)
    return found[0]


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    key: str
    line: int | None
    field: str | None
    params: dict[str, object] = dataclasses.field(default_factory=dict)


def case(
    id: str,
    replacements: list[tuple[str, str]],
    key: str,
    field: str | None,
    marker: str | None = "# here",
    **params: object,
) -> Case:
    source = edit(BASE, *replacements)
    line = line_of(source, marker) if marker else None
    return Case(id, source, key, line, field, dict(params))


def first(source: str, marker: str = "# first") -> int:
    return line_of(source, marker)


CASES = [
    case(
        "yaml-syntax",
        [("    name: Lead A\n", "    name: Lead A: boss  # here\n")],
        "programme.yaml_syntax",
        None,
    ),
    Case("empty-file", "", "programme.empty", None, None),
    Case("only-comments", "# a programme, some day\n", "programme.empty", None, None),
    Case("not-a-mapping", "- key: probe\n- title: Probe\n", "programme.not_mapping", 1, None),
    Case("alias-loop", "key: probe\ntitle: &t [1, *t]\n", "programme.too_complex", 2, None),
    Case(
        "alias-bomb",
        "key: probe\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{m}'] * 10)}]\n"
            for m, n in zip("abcde", "bcdef", strict=True)
        ),
        "programme.too_complex",
        2,  # the budget runs out copying the innermost anchor's values, on line 2
        None,
    ),
    case(
        "missing-title",
        [("title: Probe\n", "")],
        "programme.missing_field",
        "title",
        marker="key: probe",
    ),
    case(
        "unknown-top-level-field",
        [("language: da\n", "language: da\nowner: someone  # here\n")],
        "programme.unknown_field",
        "owner",
        suggestion="",
    ),
    case(
        "misspelt-field-suggests-the-right-one",
        [("title: Probe\n", "titel: Probe  # here\n")],
        "programme.unknown_field",
        "titel",
        suggestion="title",
    ),
    case(
        "unknown-person-in-a-lead-list",
        [("leads: [lead-a]", "leads: [lead-a, lead-c]  # here")],
        "programme.unknown_person",
        "units[0].leads[1]",
        text="lead-c",
    ),
    case(
        "unknown-person-as-reporter",
        [("reporter: central", "reporter: centre  # here")],
        "programme.unknown_person",
        "groups[0].milestones[1].reporter",
        text="centre",
    ),
    case(
        "duplicate-milestone-code",
        [('- code: "1.1"', '- code: "1.1"  # first'), ('- code: "2.1"', '- code: "1.1"  # here')],
        "programme.duplicate_code",
        "groups[1].milestones[0].code",
        code="1.1",
    ),
    case(
        "local-item-clashes-with-a-milestone",
        [("- code: S-1", '- code: "1.2"  # first'), ('- code: "1.2"\n', '- code: "1.2"  # here\n')],
        "programme.duplicate_code",
        "groups[0].milestones[1].code",
        code="1.2",
    ),
    case(
        "duplicate-unit-key",
        [
            ("  - key: north", "  - key: north  # first"),
            ("  - key: south", "  - key: north  # here"),
        ],
        "programme.duplicate_unit",
        "units[1].key",
        unit="north",
    ),
    case(
        "duplicate-person-key",
        [
            ("  - key: lead-a", "  - key: lead-a  # first"),
            ("  - key: lead-b", "  - key: lead-a  # here"),
        ],
        "programme.duplicate_person",
        "people[2].key",
        person="lead-a",
    ),
    case(
        "duplicate-group-number",
        [('number: "1"', 'number: "1"  # first'), ('number: "2"', 'number: "1"  # here')],
        "programme.duplicate_group",
        "groups[1].number",
        number="1",
    ),
    case(
        "duplicate-slack-id",
        [
            ("slack: U0PROBE0001", "slack: U0PROBE0001  # first"),
            ("    name: Lead A\n", "    name: Lead A\n    slack: U0PROBE0001  # here\n"),
        ],
        "programme.duplicate_slack",
        "people[1].slack",
        slack="U0PROBE0001",
    ),
    case(
        "unreadable-deadline",
        [("deadline: Medio 2019", "deadline: snart  # here")],
        "programme.bad_deadline",
        "groups[0].milestones[0].deadline",
        text="snart",
    ),
    case(
        "unknown-unit-in-deadlines",
        [("          south: 2. kvartal 2018", "          fyn: 2. kvartal 2018  # here")],
        "programme.unknown_unit",
        "groups[0].milestones[1].deadlines.fyn",
        text="fyn",
    ),
    case(
        "bad-time-zone",
        [("timezone: Europe/Copenhagen", "timezone: Europe/Odense  # here")],
        "programme.bad_timezone",
        "timezone",
        text="Europe/Odense",
    ),
    case(
        "bad-language",
        [("language: da", "language: sv  # here")],
        "programme.bad_language",
        "language",
        text="sv",
        choices="da, en",
    ),
    case(
        "reminder-at-25-00",
        [('{days_before: 3, at: "09:00"}', "{days_before: 3, at: 25:00}  # here")],
        "programme.bad_time",
        "settings.reminders[0].at",
        text="25:00",
    ),
    case(
        "late-answers-neither-refuse-nor-accept",
        [("late_answers: refuse", "late_answers: sometimes  # here")],
        "programme.bad_choice",
        "settings.late_answers",
        text="sometimes",
        choices="refuse, accept",
    ),
    case(
        "milestone-without-code",
        [('      - code: "2.1"\n        title: Third', "      - title: Third  # here")],
        "programme.missing_field",
        "groups[1].milestones[0].code",
    ),
    case(
        "group-without-milestones",
        [
            (
                '    milestones:\n      - code: "2.1"\n        title: Third\n',
                "    milestones: []  # here\n",
            )
        ],
        "programme.empty_list",
        "groups[1].milestones",
    ),
    case(
        "unit-without-leads",
        [("leads: [lead-a]", "leads: []  # here")],
        "programme.empty_list",
        "units[0].leads",
    ),
    case(
        "a-list-given-as-text",
        [("admins: [admin]", "admins: admin  # here")],
        "programme.wrong_type",
        "admins",
        expected="list",
        found="text",
    ),
    case(
        "yes-no-given-as-text",
        [("  late_answers: refuse\n", "  late_answers: refuse\n  auto_close: perhaps  # here\n")],
        "programme.wrong_type",
        "settings.auto_close",
        expected="yes_no",
        found="text",
    ),
    case(
        "a-field-twice",
        [("title: Probe\n", "title: Probe  # first\ntitle: Again  # here\n")],
        "programme.duplicate_key",
        "title",
    ),
    case(
        "empty-title",
        [("title: Probe", "title:  # here")],
        "programme.empty_value",
        "title",
    ),
    case(
        "unit-key-with-a-space",
        [("  - key: north", "  - key: north pole  # here")],
        "programme.bad_key",
        "units[0].key",
        text="north pole",
    ),
    case(
        "not-a-slack-id",
        [("slack: U0PROBE0001", "slack: admin.slack  # here")],
        "programme.bad_slack_id",
        "people[0].slack",
        text="admin.slack",
    ),
    case(
        "negative-days-before",
        [("{days_before: 3, ", "{days_before: -1, ")],
        "programme.too_small",
        "settings.reminders[0].days_before",
        marker="days_before: -1",
        limit=0,
    ),
]


async def load_text(folder: Path, source: str, name: str = BAD) -> None:
    path = folder / name
    path.write_text(source, encoding="utf-8")
    await load_programme_file(path)


async def refused(folder: Path, source: str) -> UserError:
    with pytest.raises(UserError) as raised:
        await load_text(folder, source)
    return raised.value


def check_messages(error: UserError, line: int | None, field: str | None) -> None:
    """What a person reads, in both languages: one line that starts with where."""
    for language, word in (("da", "linje"), ("en", "line")):
        message = text(language, error.key, **error.params)
        assert "\n" not in message
        where = BAD if line is None else f"{BAD}, {word} {line}"
        where += ":" if field is None else f", {field}:"
        assert message.startswith(where), (language, message)


def test_the_base_file_is_good() -> None:
    parsed = parse_programme(BASE, "probe.yaml")
    assert [m.code for g in parsed.spec.groups for m in g.milestones] == ["1.1", "1.2", "2.1"]


def test_the_catalogue_is_large_enough_and_each_case_differs() -> None:
    assert len(CASES) >= 15
    assert len({c.source for c in CASES}) == len(CASES)


@pytest.mark.parametrize("bad", CASES, ids=lambda c: c.id)
async def test_a_bad_file_is_refused_naming_key_line_and_field(
    db: str, tmp_path: Path, bad: Case
) -> None:
    await load_text(tmp_path, BASE, "probe.yaml")
    before = await snapshot()
    error = await refused(tmp_path, bad.source)
    assert (error.key, error.params.get("line"), error.params.get("field")) == (
        bad.key,
        bad.line,
        bad.field,
    )
    assert error.params["file"] == BAD
    for name, value in bad.params.items():
        assert error.params[name] == value, name
    if "first_line" in error.params:
        assert error.params["first_line"] == line_of(bad.source, "# first")
    check_messages(error, bad.line, bad.field)
    assert await snapshot() == before


async def test_a_misspelt_field_is_named_with_the_right_one_in_both_languages(
    db: str, tmp_path: Path
) -> None:
    error = await refused(tmp_path, edit(BASE, ("title: Probe\n", "titel: Probe\n")))
    assert "«title»" in text("da", error.key, **error.params)
    assert '"title"' in text("en", error.key, **error.params)


def without_unit_north(source: str) -> str:
    return edit(
        source,
        ("  - key: north\n    name: North\n    leads: [lead-a]\n", ""),
    )


async def test_removing_a_milestone_that_has_answers_is_refused(db: str, tmp_path: Path) -> None:
    await load_text(tmp_path, BASE, "probe.yaml")
    await answer("probe", "2.1", "north")
    await answer("probe", "2.1", "south")
    before = await snapshot()
    group_two = '  - number: "2"\n    title: Two\n    milestones:\n      - code: "2.1"\n'
    error = await refused(tmp_path, edit(BASE, (group_two + "        title: Third\n", "")))
    assert error == UserError("programme.milestone_has_answers", file=BAD, code="2.1", count=2)
    check_messages(error, None, None)
    assert await snapshot() == before


async def test_removing_a_unit_that_has_answers_is_refused(db: str, tmp_path: Path) -> None:
    await load_text(tmp_path, BASE, "probe.yaml")
    await answer("probe", "1.1", "north")
    before = await snapshot()
    error = await refused(tmp_path, without_unit_north(BASE))
    assert error == UserError("programme.unit_has_answers", file=BAD, unit="north", count=1)
    check_messages(error, None, None)
    assert await snapshot() == before


async def test_a_unit_nobody_answered_for_can_go(db: str, tmp_path: Path) -> None:
    await load_text(tmp_path, BASE, "probe.yaml")
    await answer("probe", "1.1", "south")
    await load_text(tmp_path, without_unit_north(BASE))
    keys = (
        await Unit.filter(programme__key="probe").order_by("position").values_list("key", flat=True)
    )
    assert list(map(str, keys)) == ["south"]


async def test_a_slack_id_owned_by_someone_else_is_refused(db: str, tmp_path: Path) -> None:
    other = edit(
        BASE,
        ("key: probe", "key: other"),
        ("- key: admin\n", "- key: outsider\n"),
        ("admins: [admin]", "admins: [outsider]"),
        ("slack: U0PROBE0001", "slack: U0OTHER0001"),
        ("- key: lead-a", "- key: other-a"),
        ("leads: [lead-a]", "leads: [other-a]"),
        ("- key: lead-b", "- key: other-b"),
        ("leads: [lead-b]", "leads: [other-b]"),
        ("- key: central", "- key: other-c"),
        ("reporter: central", "reporter: other-c"),
    )
    await load_text(tmp_path, other, "other.yaml")
    before = await snapshot()
    source = edit(
        BASE, ("    name: Lead A\n", "    name: Lead A\n    slack: U0OTHER0001  # here\n")
    )
    error = await refused(tmp_path, source)
    assert error == UserError(
        "programme.slack_taken",
        file=BAD,
        line=line_of(source, "# here"),
        field="people[1].slack",
        slack="U0OTHER0001",
        person="outsider",
    )
    check_messages(error, line_of(source, "# here"), "people[1].slack")
    assert await snapshot() == before


async def test_a_missing_file_a_folder_and_a_binary_file_are_named(db: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(UserError) as raised:
        await load_programme_file(missing)
    assert raised.value == UserError("programme.not_found", file=str(missing))
    with pytest.raises(UserError) as raised:
        await load_programme_file(tmp_path)
    assert raised.value == UserError("programme.cannot_read", file=str(tmp_path))
    binary = tmp_path / BAD
    binary.write_bytes(b"key: \xff\xfe\n")
    with pytest.raises(UserError) as raised:
        await load_programme_file(binary)
    assert raised.value == UserError("programme.not_text", file=BAD)
    assert all(rows == [] for rows in (await snapshot()).values())
