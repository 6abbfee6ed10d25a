"""Files and deadlines that were a hang, a traceback or a thousand lines, now one line each.

Programme files and import files: only a regular file (a FIFO or /dev/zero refused at
once), at most 5 MB, YAML nested at most 10 deep, text normalised as the chat's (no NUL,
no lone surrogate), codes that cannot break a button's value, no checklist longer than a
Slack message can show; an import obeys the chat's limits and tells 100,000 bad rows in a
few lines. A round's deadline is ahead, within two years, and "om N timer" is N hours.
docs/bad-input.md lists each case with its test.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conversations.errors import UserError
from conversations.limits import CHECKLIST_ITEMS_LIMIT, FILE_BYTES_LIMIT, NESTING_LIMIT
from conversations.state import Phase, State
from conversations.views import build
from models.files import NotARegularFile, read_regular_file
from models.programme_file import load_programme_file, parse_programme, read_programme_file
from models.round import Round
from render.i18n import text
from render.slack.views import render_view
from reporting.deadlines import read_moment
from reporting.import_rows import ImportFailed
from service import people, rounds
from service.imports import import_round, read_import_file
from tests.factories import small_programme
from tests.matrix_support import create_kol
from tests.rounds_support import MONDAY_10
from tests.test_import_cli import kol, run  # noqa: F401  (kol: the CLI's fixture)
from tests.test_programme_catalogue import BAD, BASE, check_messages, edit
from tests.test_programme_file import snapshot
from tests.test_slack_views import kol_context

NOW = MONDAY_10
HEADER = "milestone,unit,progress,remark\n"


def promptly(call: Callable[[], Any], seconds: float = 10) -> BaseException | Any:
    """The call's result or exception, or a failed test if it has not returned in time
    (a FIFO that is waited on never returns: the thread is left behind, as a daemon)."""
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # the caller asserts what it was
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still reading after {seconds} s: it waits instead of refusing"
    return outcome[0]


# -- programme and import files: what the file is --------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = Path("/dev/zero")
    if kind == "fifo":
        path = tmp_path / "programme.yaml"
        os.mkfifo(path)
    assert isinstance(promptly(lambda: read_regular_file(path)), NotARegularFile)
    programme = promptly(lambda: read_programme_file(path))
    assert programme == UserError("programme.not_regular", file=str(path))
    assert promptly(lambda: read_import_file(path)) == UserError(
        "import.not_regular", path=str(path)
    )
    assert "pipe" in text("da", "programme.not_regular", file=str(path))


def test_a_file_over_five_megabytes_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as sparse:
        sparse.truncate(FILE_BYTES_LIMIT + 1)  # no bytes written: a read would take them all
    assert promptly(lambda: read_programme_file(big)) == UserError(
        "programme.file_too_large", file="big.yaml", limit="5 MB"
    )
    assert promptly(lambda: read_import_file(big)) == UserError(
        "import.file_too_large", path=str(big), limit="5 MB"
    )
    exactly = tmp_path / "exactly.csv"
    exactly.write_bytes(b"x" * FILE_BYTES_LIMIT)
    assert len(read_import_file(exactly)) == FILE_BYTES_LIMIT


def test_the_cli_says_so_in_one_line(kol: Path) -> None:  # noqa: F811
    for path in ("/dev/zero", str(kol / "nowhere.csv")):
        code, out, err = run("round", "import", "--programme", "kol-2018", "--name", "X", path)
        assert (code, out) == (1, "") and err.count("\n") == 1 and path in err, err
    code, _, err = run("programme", "load", "/dev/zero")
    assert code == 1 and err.strip() == "Fejl: " + text(
        "da", "programme.not_regular", file="/dev/zero"
    )


# -- programme files: what the YAML holds ---------------------------------------------------
@pytest.mark.parametrize(
    ("nested", "line"),
    [
        ("title: " + "[" * 5000 + "]" * 5000, 2),
        ("title: " + "{a: " * 5000 + "1" + "}" * 5000, 2),
        ("".join(f"{'  ' * depth}a:\n" for depth in range(1000)), NESTING_LIMIT + 1),
    ],
    ids=["flow-sequences", "flow-mappings", "block-mappings"],
)
async def test_yaml_nested_thousands_deep_is_one_line(
    db: str, tmp_path: Path, nested: str, line: int
) -> None:
    source = BASE.replace("title: Probe\n", nested + "\n") if nested[0] == "t" else nested
    (tmp_path / BAD).write_text(source, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        await load_programme_file(tmp_path / BAD)
    assert raised.value == UserError("programme.too_deep", file=BAD, line=line, limit=10)
    check_messages(raised.value, line, None)
    assert all(rows == [] for rows in (await snapshot()).values())


def test_control_characters_and_nul_are_not_kept_and_a_nul_byte_is_one_line() -> None:
    escaped = edit(BASE, ("title: Probe", r'title: "Pro\0be\x07 \vto\r\nlinjer\u200b"'))
    spec = parse_programme(escaped, BAD).spec
    assert spec.title == "Probe \nto\nlinjer\u200b"
    with pytest.raises(UserError) as raised:
        parse_programme(edit(BASE, ("title: Probe", "title: Pro\0be")), BAD)
    assert raised.value.key == "programme.yaml_syntax"
    check_messages(raised.value, 2, None)


@pytest.mark.parametrize(
    ("replacement", "key", "field"),
    [
        (("title: Probe", r'title: "Probe \ud800"'), "programme.bad_text", "title"),
        (("title: Probe", r'title: "\u200b\u200d\ufeff\u00ad "'), "programme.empty_value", "title"),
        (('code: "1.1"', 'code: "1|1"'), "programme.bad_code", "groups[0].milestones[0].code"),
        (('code: "1.1"', 'code: "*"'), "programme.bad_code", "groups[0].milestones[0].code"),
        (('code: "1.1"', 'code: "1.1:x"'), "programme.bad_code", "groups[0].milestones[0].code"),
    ],
    ids=["lone-surrogate", "only-invisible", "wire-separator", "all-units", "colon"],
)
def test_text_and_codes_that_would_break_something_are_refused(
    replacement: tuple[str, str], key: str, field: str
) -> None:
    with pytest.raises(UserError) as raised:
        parse_programme(edit(BASE, replacement), BAD)
    assert (raised.value.key, raised.value.params["field"]) == (key, field)
    check_messages(raised.value, 2 if field == "title" else 30, field)


def _milestones(count: int) -> str:
    lines = [f'      - {{code: "{n}", title: "Milepæl {n}"}}' for n in range(1, count + 1)]
    return edit(BASE, ('      - code: "2.1"\n        title: Third', "\n".join(lines)))


def test_a_programme_too_large_for_a_slack_message_is_refused_naming_the_limit() -> None:
    with pytest.raises(UserError) as raised:
        parse_programme(_milestones(10_000), BAD)
    error = raised.value
    assert error.key == "programme.too_many_items"
    assert error.params["field"] == f"groups[1].milestones[{CHECKLIST_ITEMS_LIMIT - 2}]"
    assert (error.params["count"], error.params["limit"], error.params["blocks"]) == (
        10_002,
        100,
        50,
    )
    check_messages(error, int(str(error.params["line"])), str(error.params["field"]))
    assert "100" in text("da", error.key, **error.params) and "50" in text(
        "en", error.key, **error.params
    )
    # 100 milestones fit, but South's checklist holds its own item too: 101.
    with pytest.raises(UserError) as raised:
        parse_programme(_milestones(98), BAD)
    assert raised.value.params["field"] == "units[1].local_items[0]"
    assert parse_programme(_milestones(97), BAD).spec.key == "probe"


def test_the_largest_checklist_fits_a_slack_message() -> None:
    """What the limit is for: a review of 100 items, every line as long as it can be."""
    from dataclasses import replace

    from conversations.context import Item

    ctx = kol_context()
    full = next(iter(ctx.answers.values()))
    items = tuple(
        Item(
            code=f"{n}.{'9' * 29}"[:32],
            title="Lang titel " * 200,
            group_title=f"{n} " + "Gruppe med en lang titel " * 6,
            reporter=None,
        )
        for n in range(CHECKLIST_ITEMS_LIMIT // 2)
    )
    read_only = tuple(
        Item(
            code=f"R{n}.{'8' * 29}"[:32],
            title="Lang titel " * 200,
            group_title=f"R{n} " + "Gruppe med en lang titel " * 6,
            reporter="Fælles Udbud af Telemedicin " * 9,
            read_only=True,
        )
        for n in range(CHECKLIST_ITEMS_LIMIT - len(items))
    )
    ctx = replace(
        ctx,
        items=items,
        read_only=read_only,
        answers={item.code: full for item in items[1:]},
        read_only_answers={item.code: full for item in read_only},
        submitted_at=None,
    )
    review = build(State(phase=Phase.REVIEW, version=3), ctx)
    blocks = render_view(review).blocks
    assert len(blocks) <= 50, len(blocks)
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)


# -- import files -----------------------------------------------------------------------------
async def _import(data: bytes, name: str | None = "Historik") -> Round:
    return await import_round("kol-2018", name, data, NOW)


async def test_an_import_obeys_the_chats_limits(db: str) -> None:
    await create_kol()
    rows = f"1.1,syddanmark,started,{'x' * 100_000}\n2.1,syddanmark,started,{'y' * 3000}\n"
    with pytest.raises(ImportFailed) as failed:
        await _import((HEADER + rows).encode())
    (error,) = failed.value.errors
    assert (error.key, error.params["row"], error.params["field"]) == (
        "import.too_long",
        2,
        "remark",
    )
    assert (error.params["limit"], error.params["length"]) == (3000, 100_000)
    assert await Round.all().count() == 0


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("", "round.name_empty"),
        ("\u200b\u2060 ", "round.name_empty"),
        ("x" * 300, "round.name_too_long"),
    ],
    ids=["empty", "invisible", "300-characters"],
)
async def test_an_import_with_an_empty_or_overlong_round_name_is_refused(
    db: str, name: str, key: str
) -> None:
    await create_kol()
    with pytest.raises(UserError) as raised:
        await _import((HEADER + "1.1,syddanmark,started,\n").encode(), name)
    assert raised.value.key == key
    exported = {"format": 1, "round": {"name": name}, "cells": []}
    with pytest.raises(UserError) as raised:
        await _import(json.dumps(exported).encode(), None)
    assert raised.value.key == key
    assert await Round.all().count() == 0


async def test_a_lone_surrogate_in_an_import_is_refused_with_row_and_field(db: str) -> None:
    await create_kol()
    cells = [{"milestone": "1.1", "unit": "syddanmark", "progress": "started", "remark": "\ud800"}]
    data = json.dumps({"format": 1, "cells": cells}).encode()  # "\\ud800", as JSON escapes it
    assert b"\\ud800" in data
    with pytest.raises(ImportFailed) as failed:
        await _import(data)
    (error,) = failed.value.errors
    assert (error.key, error.params["row"], error.params["field"]) == (
        "import.bad_text",
        1,
        "remark",
    )
    exported = {"format": 1, "round": {"name": "R\ud800"}, "cells": cells}
    with pytest.raises(UserError) as raised:
        await _import(json.dumps(exported).encode(), None)
    assert raised.value.key == "round.name_unreadable"


@pytest.mark.parametrize(
    "content",
    [
        '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"format": 1' + "1" * 5000 + ', "cells": []}',
    ],
    ids=["nested", "a-huge-number"],
)
async def test_json_nested_past_the_stack_or_with_a_huge_number_is_one_line(
    db: str, content: str
) -> None:
    await create_kol()
    with pytest.raises(ImportFailed) as failed:
        await _import(content.encode())
    assert [e.key for e in failed.value.errors] == ["import.json_too_complex"]


def test_100000_bad_rows_are_told_in_twenty_lines_and_a_count(kol: Path) -> None:  # noqa: F811
    bad = kol / "bad.csv"
    bad.write_text(HEADER + "9.9,syddanmark,reached,\n" * 100_000, encoding="utf-8")
    code, out, err = run("round", "import", "--programme", "kol-2018", "--name", "X", str(bad))
    lines = err.splitlines()
    assert (code, out) == (1, "")
    assert len(lines) == 22, lines[:3] + lines[-3:]
    assert lines[0].startswith("Række 2, felt «milestone»: programmet har ingen milepæl «9.9»")
    assert lines[20] == text("da", "import.more", count=99_980)
    assert lines[21] == "Fejl: " + text("da", "import.failed", count=100_000)


# -- a round's deadline -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("deadline", "key"),
    [
        ("om 0 minutter", "round.deadline_past"),
        ("nu", "round.deadline_past"),
        ("1/1 2199", "round.deadline_too_far"),
        ("om 800 dage", "round.deadline_too_far"),
        ("2255-01-01", "round.deadline_unreadable"),
        ("1. januar 2255 kl. 12", "round.deadline_unreadable"),
    ],
)
async def test_a_deadline_is_ahead_and_within_two_years(db: str, deadline: str, key: str) -> None:
    small = await small_programme(open_round=False)
    before = await Round.all().count()
    with pytest.raises(UserError) as raised:
        await rounds.open_round(small.programme, "13. møde", deadline, small.admin, NOW)
    assert raised.value.key == key
    assert text("da", key, **raised.value.params)
    assert await Round.all().count() == before
    if key == "round.deadline_too_far":
        with pytest.raises(UserError) as raised:
            await people.away(small.lead, deadline, NOW)
        assert raised.value.key == "round.away_too_far"


@pytest.mark.parametrize("hours", [1, 3, 24, 48, 100])
def test_om_n_timer_is_n_hours(hours: int) -> None:
    assert read_moment(f"om {hours} timer", now=NOW) == NOW + timedelta(hours=hours)
    assert read_moment(f"in {hours} hours", now=NOW) == NOW + timedelta(hours=hours)
    assert read_moment(f"om {hours * 60} minutter", now=NOW) == NOW + timedelta(hours=hours)
