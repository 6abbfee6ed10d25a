"""The nastiest text breaks nothing: it comes in normalised and every writer takes it.

Every C0 control character, CR LF, vertical tab and form feed (what Word pastes), a lone
surrogate (as JSON escapes it), text of only zero-width characters, RTL overrides, emoji
ZWJ sequences, decomposed accents and 3,000 characters of it: typed into Slack's modal and
a Teams card, imported from JSON, written in a programme file. What comes in is
`conversations.text.clean`'s, the same at every door; a lone surrogate or an invisible-only
text is refused in the field. Then the round is published: the workbook, both PDFs, CSV,
JSON, Slack's messages and Teams' cards are written, and the text survives as kept. Rows
written before the normalisation (control characters straight in the database) still
give a workbook that opens: `render/documents/xlsx.py` drops what XML cannot hold.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conversations.clock import ManualClock
from conversations.commands import parse
from conversations.errors import UserError
from conversations.text import UnreadableText, clean
from conversations.vocabulary import Progress
from models.answer import Answer
from models.programme import Unit
from models.programme_file import load_programme_file, parse_programme
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.i18n import catalogue
from render.publication import documents, messages
from render.teams.views import publication_messages
from render.words import worded_matrix
from reporting.tables import read_csv
from service.comparisons import compile_comparison
from service.imports import import_round
from service.round_jobs import build_worker
from standins.slack import ManualClock as StandInClock
from standins.slack import SlackStub
from standins.teams import MESSAGE_LIMIT, TeamsStub, validate_card
from tests.factories import OPENED, small_programme
from tests.faults_support import live, settle
from tests.matrix_support import answer, create_kol, open_round
from tests.scenario_checklist import MONDAY_10
from tests.scenario_platforms import teams_driver
from tests.slack_app import KOL, join_workspace, running_app
from tests.test_bad_input_checklist import field_error, open_modal
from tests.test_injection_e2e import file_named

pytest_plugins = ["tests.teams_fixtures"]

ADMIN, LEAD = "U0ADMIN001", "U0ALICE001"
NOW = OPENED + timedelta(days=1)
C0 = "".join(chr(code) for code in range(32))
WORD = "\r\n\x0b\x0c"  # what Word and Windows paste as line breaks
RTL = "\u202eesrever\u202c og \u2067مرحبا\u2069 \u200fok"
EMOJI = "👩\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 👍🏽 🧑\u200d💻"
DECOMPOSED = "Re\u0301sume\u0301 a\u030a"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u2066\u3164 \t\n"
SURROGATE = "halvt tegn \ud83d her"
FILLER = "æøå 👩\u200d💻 "


def long_text(length: int) -> str:
    """Every kind of trouble, then filler: `length` characters as kept, ending visibly."""
    head = clean(f"start{C0}{WORD}{RTL} {EMOJI} {DECOMPOSED} ")
    return head + (FILLER * length)[: length - len(head) - 1] + "!"


# -- the rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (C0 + "x", "\t\n\n\n\nx"),  # tab, LF kept; VT, FF, CR line breaks; the rest gone
        (f"a{WORD}b", "a\n\n\nb"),  # CR LF is one break
        ("a\x00b\x7fc\x85d\x9fe\u2028f\u2029g\ufffeh", "abc\nde\nf\ng" + "h"),
        (RTL, RTL),
        (EMOJI, EMOJI),
        (DECOMPOSED, "Résumé å"),
        (INVISIBLE, ""),
        (f"{INVISIBLE}x{INVISIBLE}", f"{INVISIBLE}x{INVISIBLE}".replace("\ufeff", "")),
    ],
    ids=[
        "c0",
        "word-breaks",
        "del-c1-separators",
        "rtl",
        "emoji-zwj",
        "nfd",
        "invisible",
        "inside",
    ],
)
def test_one_normalisation(typed: str, kept: str) -> None:
    assert clean(typed) == kept
    assert clean(kept) == kept  # once is enough


def test_a_lone_surrogate_is_refused_not_guessed() -> None:
    for broken in (SURROGATE, "\udfff", "x\ud800"):
        with pytest.raises(UnreadableText):
            clean(broken)
    assert clean("\U0001f469") == "👩"  # a whole astral character is no surrogate


def test_a_command_is_read_after_the_same_normalisation() -> None:
    command = parse(f"round open Møde{WORD}13\x00 {EMOJI} deadline fredag\x0bkl. 12")
    assert command.args == {"name": f"Møde 13 {EMOJI}", "deadline": "fredag kl. 12"}
    assert parse(f"{INVISIBLE}").name == "help"
    with pytest.raises(UserError) as raised:
        parse(f"round open {SURROGATE} deadline fredag")
    assert raised.value == UserError("command.unreadable")


# -- typed in Slack, published everywhere ----------------------------------------------------
TYPED_ROUND = f"Møde 13{WORD}\x00{EMOJI} {RTL}"
KEPT_ROUND = clean(" ".join(clean(TYPED_ROUND).split()))
UNIT = f"Syd {EMOJI} {RTL}"
REFUSED = [
    (INVISIBLE, "checklist.empty_text", {}),
    (SURROGATE, "checklist.remark_unreadable", {}),
    (long_text(3001), "checklist.remark_too_long", {"limit": 3000, "length": 3001, "text": ""}),
]


async def test_nasty_text_typed_in_slack_is_kept_clean_and_published_everywhere(
    db: str, slack: SlackStub
) -> None:
    small = await small_programme(open_round=False)
    await Unit.filter(id=small.south.id).update(name=UNIT)
    await join_workspace(slack)
    slack.limits.disable()
    clock = ManualClock(NOW)
    final = long_text(3000)
    async with running_app(slack, "http", clock=clock) as app:
        opened = await slack.command(
            ADMIN, "/fremdrift", f"round open {TYPED_ROUND} deadline om 5 dage"
        )
        assert opened.status == 200
        round_ = await Round.get(status=RoundStatus.OPEN)
        assert round_.name == KEPT_ROUND
        worker = build_worker(app.messenger(), clock=clock, settings=app.settings)
        await worker.run_until_idle()
        for action in ("fd:start:", "fd:progress:started"):
            await slack.click(LEAD, live(slack, LEAD), action)
            await settle(app)
        for typed in (f"{C0}x{WORD}y", RTL, EMOJI, DECOMPOSED, final):
            modal = await open_modal(slack, LEAD, "remark")
            assert (await slack.submit(LEAD, modal, {"fd_text": typed})).acked
            await settle(app)
            assert slack.top_modal(LEAD) is None, typed
            assert (await Answer.get()).remark == clean(typed).strip()
        for typed, key, params in REFUSED:
            modal = await open_modal(slack, LEAD, "remark")
            for block in modal.blocks:  # a client that does not enforce max_length
                if block.get("block_id") == "fd_text":
                    block["element"]["max_length"] = 10_000
            assert (await slack.submit(LEAD, modal, {"fd_text": typed})).acked
            assert field_error(modal) == catalogue("da").text(key, **params)
            assert (await Answer.get()).remark == final
            await slack.close_modal(LEAD, modal)
        modal = await open_modal(slack, LEAD, "forecast")
        assert (await slack.submit(LEAD, modal, {"fd_text": f"\x0bQ3 2019\x00{WORD}"})).acked
        await settle(app)
        forecast = await Answer.get()
        assert (forecast.forecast_text, str(forecast.forecast_latest)) == ("Q3 2019", "2019-09-30")
        assert (await slack.command(ADMIN, "/fremdrift", "round close")).status == 200
        await worker.run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED
    steering = slack.messages("C0GENERAL1")
    assert steering and KEPT_ROUND in str(steering[0].text)
    book = load_workbook(io.BytesIO(file_named(slack, ".xlsx").data or b""))
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert final in cells and KEPT_ROUND in " ".join(str(c) for c in cells)
    remarks = {r["remark"] for r in read_csv(file_named(slack, ".csv").data or b"")}
    assert final in remarks
    exported = json.loads(file_named(slack, ".json").data or b"")
    assert final in {cell["remark"] for cell in exported["cells"]}
    assert exported["round"]["name"] == KEPT_ROUND
    for suffix in ("-matrix.pdf", "-sheets.pdf"):
        assert (file_named(slack, suffix).data or b"").startswith(b"%PDF")


# -- typed in a Teams card ---------------------------------------------------------------------
async def test_nasty_text_typed_in_a_teams_card_is_kept_clean(db: str) -> None:
    await load_programme_file(KOL)
    async with (
        TeamsStub(clock=StandInClock()) as teams,
        teams_driver(teams, ManualClock(MONDAY_10)) as driver,
    ):
        await driver.command("sekretariat", f"round open {TYPED_ROUND} deadline om 5 dage")
        assert (await Round.get(status=RoundStatus.OPEN)).name == KEPT_ROUND
        await driver.run_jobs()
        await driver.press("pl-syddanmark", "start")
        await driver.press("pl-syddanmark", "progress", "started")
        typed = f"{C0}{WORD}{EMOJI} {RTL} {DECOMPOSED}"
        await driver.write("pl-syddanmark", "remark", typed)
        assert (await Answer.get()).remark == clean(typed).strip()
        await driver.write("pl-syddanmark", "remark", SURROGATE)
        said = catalogue("da").text("checklist.remark_unreadable")
        assert said.split("(")[0] in driver.received("pl-syddanmark")[-1]
        assert (await Answer.get()).remark == clean(typed).strip()
        assert not teams.too_big and not teams.bad_cards, (teams.too_big, teams.bad_cards)


# -- imported, and in a programme file ---------------------------------------------------------
async def test_nasty_text_imported_from_json_is_kept_clean(db: str) -> None:
    await create_kol()
    remarks = {"1.1": f"{C0}{WORD}x", "2.1": INVISIBLE, "3.1": RTL + EMOJI, "4.1": long_text(3000)}
    cells = [
        {"milestone": code, "unit": "syddanmark", "progress": "started", "remark": remark}
        for code, remark in remarks.items()
    ]
    data = json.dumps({"format": 1, "cells": cells}).encode()  # escaped: "\u0000", "\u200b" …
    assert b"\\u0000" in data and b"\\u200b" in data
    round_ = await import_round("kol-2018", "Importeret", data, NOW)
    stored = {
        a.milestone.code: a.remark
        for a in await Answer.filter(round=round_).prefetch_related("milestone")
    }
    assert stored == {code: clean(remark).strip() for code, remark in remarks.items()}
    assert stored["2.1"] == ""


def test_nasty_text_in_a_programme_file_is_kept_clean() -> None:
    source = KOL.read_text(encoding="utf-8").replace(
        "title: Fremdrift på tværs af landsdelsprogrammerne",
        'title: "Fremdrift\\v på tværs\\0 \\u202eaf\\u202c 👩\\u200d👩\\u200d👧"',
    )
    spec = parse_programme(source, "kol.yaml").spec
    assert spec.title == "Fremdrift\n på tværs \u202eaf\u202c 👩\u200d👩\u200d👧"
    with pytest.raises(UserError) as raised:
        parse_programme(source.replace("\\u202eaf", "\\ud800af"), "kol.yaml")
    assert (raised.value.key, raised.value.params["field"]) == ("programme.bad_text", "title")


# -- rows from before: every writer still writes ----------------------------------------------
async def test_every_writer_takes_rows_written_before_the_normalisation(db: str) -> None:
    programme = await create_kol()
    round_ = await open_round(programme, f"Runde\x0b{EMOJI}\x1b", OPENED)
    raw = {  # what a database may hold from before: control characters, straight in (no NUL:
        # PostgreSQL refuses it in text)
        "1.1": C0[1:] + "\x7f\x85" + WORD + RTL,
        "2.1": EMOJI + DECOMPOSED,
        "3.1": long_text(3000),
    }
    for code, remark in raw.items():
        await answer(round_, code, "syddanmark", Progress.STARTED, remark=remark)
    snapshot = await load_snapshot(round_.id)
    matrix, comparison = worded_matrix(snapshot), await compile_comparison(round_.id)
    files = {file.kind: file.content for file in documents(snapshot, matrix, comparison)}
    book = load_workbook(io.BytesIO(files["xlsx"]))  # opens: nothing XML cannot hold
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    # as written, less what XML cannot hold (and XML reads CR LF and CR back as LF)
    kept = ILLEGAL_CHARACTERS_RE.sub("", raw["1.1"]).replace("\r\n", "\n").replace("\r", "\n")
    assert kept == "\t\n\n\x7f\x85\n" + RTL and kept in cells
    assert raw["2.1"] in cells and raw["3.1"] in cells
    assert files["matrix"].startswith(b"%PDF") and files["sheets"].startswith(b"%PDF")
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"), newline="")))
    assert set(raw.values()) <= {row["remark"] for row in rows}
    assert set(raw.values()) <= {cell["remark"] for cell in json.loads(files["json"])["cells"]}
    for message in messages(matrix, comparison, published=NOW):
        json.dumps(message.blocks)  # Slack's messages are JSON
        assert len(message.blocks) <= 50
    for card in publication_messages(matrix, comparison, published=NOW, links=[]):
        assert card.card is not None
        validate_card(card.card)
        size = len(json.dumps(card.activity(), ensure_ascii=False).encode("utf-8"))
        assert size <= MESSAGE_LIMIT
