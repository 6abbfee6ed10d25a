"""Issue 21's "Done when", walked through the command line on three imported, dated rounds
(imported out of date order): `round list` shows them in date order; the last round's
workbook has an «Udvikling» sheet with a column per round, each cell in the matrix's fill;
its PDF has an «Udvikling» page naming the milestone whose forecast slipped in each round,
with its forecasts; a round planned four months ahead is listed as planned; `round link`
prints a URL that `serve` answers under a Content-Security-Policy, and refuses tampered or
unsigned. The pages' clicks are tests/test_history_page.py's (Chromium)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.settings import get_settings
from bot.web.history import content_security_policy
from models.programme_file import load_programme_file
from models.round import Round
from models.snapshot import load_snapshot
from render.documents.palette import PALETTE
from render.documents.xlsx import render_xlsx
from render.publication import MAX_BLOCKS, MAX_SECTION, summary_message
from render.slipping import SLIPPING_LIMIT
from render.teams.views import publication_messages
from render.words import worded_matrix
from reporting.trend import Flag
from service.history import earlier_rounds, round_history
from service.imports import import_round
from service.rendering import compile_round
from tests.matrix_support import SEED000_CSV, create_kol
from tests.slack_app import KOL
from tests.test_history_link import SECRET, _served
from tests.test_pdf_layout import pages_text
from tests.test_rounds_cli import cli_env, fremdrift  # noqa: F401  (cli_env is a fixture)

SEED_LINE = "5.2,syddanmark,expected,0,no,Marts 2019,"
ROUNDS = (  # imported in this order, dated otherwise
    ("13. møde", "2018-09-19", "Juni 2019"),
    ("11. møde", "2018-03-01", "Januar 2019"),
    ("12. møde", "2018-06-20", "Marts 2019"),
)
"""Syddanmark's forecast for milestone 5.2 moves later at each meeting: slipping 2 rounds."""


def _import_rounds(folder: Path) -> None:
    seed = SEED000_CSV.read_text(encoding="utf-8")
    assert SEED_LINE in seed
    for name, day, forecast in ROUNDS:
        path = folder / f"{day}.csv"
        path.write_text(
            seed.replace(SEED_LINE, f"5.2,syddanmark,expected,0,no,{forecast},"),
            encoding="utf-8",
        )
        code, _, err = fremdrift(
            "round", "import", str(path), "--programme", "kol-2018", "--name", name,
            "--date", day,
        )  # fmt: skip
        assert (code, err) == (0, ""), err


def _export(fmt: str, path: Path) -> bytes:
    code, _, err = fremdrift(
        "round", "export", "--programme", "kol-2018", "--format", fmt, "-o", str(path)
    )
    assert (code, err) == (0, ""), err
    return path.read_bytes()


def test_three_imported_rounds_have_their_trend_everywhere(
    cli_env: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _import_rounds(tmp_path)

    code, out, err = fremdrift("round", "list", "--programme", "kol-2018")
    assert (code, err) == (0, "")
    listed = [line for line in out.splitlines() if "møde" in line]
    assert [line.split()[0] for line in listed] == ["2018-03-01", "2018-06-20", "2018-09-19"]
    assert [line.split(" – ")[0].split("  ")[1] for line in listed] == [
        "11. møde",
        "12. møde",
        "13. møde",
    ]

    book = load_workbook(io.BytesIO(_export("xlsx", tmp_path / "last.xlsx")))
    assert book.sheetnames[:2] == ["Matrix", "Udvikling"]
    sheet = book["Udvikling"]
    heads = [cell.value for cell in sheet[3]]
    assert heads == ["Milepæl", "Landsdelsprogram", "Udvikling", "11. møde", "12. møde", "13. møde"]
    rows = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=4)}
    assert len(rows) == 32 * 5  # every milestone × unit of the round
    slipping = rows[(_label("5.2", book), "Syddanmark")]
    assert slipping[2].value.splitlines() == [
        "Forventet dato rykket senere 2 runder i træk",
        "Svaret «til tiden», men forventet efter deadline (Marts 2019)",  # its baseline
    ]
    forecasts = [cell.value.splitlines()[-1] for cell in slipping[3:]]
    assert forecasts == ["Forventet: Januar 2019", "Forventet: Marts 2019", "Forventet: Juni 2019"]
    assert {cell.fill.fgColor.rgb for cell in slipping[3:]} == {PALETTE["green"].argb}
    late = rows[(_label("9.3", book), "Syddanmark")]  # yellow in every round, nothing flagged
    assert late[2].value in (None, "")
    assert {cell.fill.fgColor.rgb for cell in late[3:]} == {PALETTE["yellow"].argb}

    pages = pages_text(_export("pdf", tmp_path / "last.pdf"), tmp_path)
    trend = [page for page in pages if page.startswith("Udvikling") or " Udvikling " in page]
    assert trend, "no «Udvikling» page"
    page = trend[0]
    assert "Udviklingen over de seneste 3 runder, fra 11. møde til 13. møde" in page
    assert "Værd at holde øje med (25)" in page  # 24 cells critical in all three rounds
    watched = page.split("Værd at holde øje med (25)")[1]
    named = watched.split("Kritisk 3 runder i træk")[0]  # the slipping one comes first
    assert "Milepæl 5.2" in named and "Syddanmark" in named
    assert "Forventet dato rykket senere 2 runder i træk" in named
    assert "✓ Januar 2019 ✓ Marts 2019 ↗ ✓ Juni 2019 ↗" in named  # round by round, ↗: later
    rest = " ".join(pages[pages.index(page) :]).split("Resten i kort form (135 celler)")
    assert len(rest) == 2, "the rest in short, after the cells to watch"
    assert "Milepæl 10.1 – Fastlægge rammer for driftsorganisation" in rest[1]

    meeting = (datetime.now(UTC) + timedelta(days=122)).date().isoformat()
    code, _, err = fremdrift(
        "round", "plan", "--programme", "kol-2018", "--name", "14. møde", "--meeting", meeting
    )
    assert (code, err) == (0, ""), err
    code, out, _ = fremdrift("round", "list", "--programme", "kol-2018")
    planned = [line for line in out.splitlines() if "14. møde" in line]
    assert len(planned) == 1 and "planlagt" in planned[0] and meeting in planned[0]

    monkeypatch.setenv("FREMDRIFT_HISTORY_SECRET", SECRET)
    monkeypatch.setenv("FREMDRIFT_PUBLIC_URL", "https://fremdrift.example.org/kol")
    get_settings.cache_clear()
    code, out, err = fremdrift("round", "link", "--programme", "kol-2018")
    assert (code, err) == (0, "")
    url = out.strip().splitlines()[-1]
    shown, tampered, unsigned = asyncio.run(_served(url, cli_env["DATABASE_URL"]))
    assert shown[:2] == (200, content_security_policy())
    assert all(name in shown[2] for name, _, _ in ROUNDS)
    assert "14. møde" not in shown[2], "a planned round is not history"
    for status, csp, body in (tampered, unsigned):
        assert (status, csp) == (403, content_security_policy())
        assert "13. møde" not in body


def _label(code: str, book: Workbook) -> str:
    """The milestone's label as the matrix sheet writes it."""
    sheet = book["Matrix"]
    for (value,) in sheet.iter_rows(min_col=1, max_col=1, values_only=True):
        if isinstance(value, str) and value.startswith(f"Milepæl {code} – "):
            return value.split(" (")[0] if "(indtastet af" in value else value
    raise AssertionError(code)


def _slipping_csv(forecast: str) -> bytes:
    """Seed 000 with every milestone in hand (started or expected) forecast for `forecast`."""
    lines = SEED000_CSV.read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(lines))
    for row in rows[1:]:
        if row[2] in ("started", "expected"):
            row[5] = forecast
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


async def test_the_channel_summary_names_a_handful_of_slipping_cells(db: str) -> None:
    await create_kol()
    moment = datetime(2018, 9, 20, 10, tzinfo=UTC)
    for name, day, forecast in sorted(ROUNDS, key=lambda found: found[1]):
        await import_round("kol-2018", name, _slipping_csv(forecast), moment, date_text=day)
    last = await Round.get(programme__key="kol-2018", name="13. møde")
    compiled = await compile_round(last.id, with_documents=False)
    in_hand = sum(
        row[2] in ("started", "expected")
        for row in csv.reader(SEED000_CSV.read_text(encoding="utf-8").splitlines())
    )
    assert len(compiled.slipping) == in_hand > SLIPPING_LIMIT

    summary = summary_message(
        compiled.matrix, compiled.comparison, published=moment, slipping=compiled.slipping
    )
    assert len(summary.blocks) <= MAX_BLOCKS
    texts = [block["text"]["text"] for block in summary.blocks if block["type"] == "section"]
    assert all(len(text) <= MAX_SECTION for text in texts)
    section = next(text for text in texts if text.startswith("⏳ *Skrider*"))
    lines = section.splitlines()
    assert lines[0].endswith(f"({in_hand})")
    assert len(lines) == 1 + SLIPPING_LIMIT + 1
    assert all(line.startswith("• ") for line in lines[1 : 1 + SLIPPING_LIMIT])
    assert lines[1].endswith(": Januar 2019 → Marts 2019 → Juni 2019 (2 runder i træk)")
    assert lines[-1] == f"og {in_hand - SLIPPING_LIMIT} flere"

    cards = publication_messages(
        compiled.matrix,
        compiled.comparison,
        published=moment,
        links=[],
        slipping=compiled.slipping,
    )
    card = cards[0].card
    assert card is not None
    body = [item.get("text", "") for item in card["body"]]
    start = next(n for n, text in enumerate(body) if text.startswith("⏳ *Skrider*"))
    named = body[start + 1 : start + 1 + SLIPPING_LIMIT]
    assert named[0].startswith("- ") and "Januar 2019 → Marts 2019 → Juni 2019" in named[0]
    assert body[start + 1 + SLIPPING_LIMIT] == f"og {in_hand - SLIPPING_LIMIT} flere"


async def test_the_trend_spans_the_programmes_trend_rounds(db: str, tmp_path: Path) -> None:
    text = KOL.read_text(encoding="utf-8")
    assert "\nsettings:\n" in text
    own = tmp_path / "kol-2018.yaml"
    own.write_text(text.replace("\nsettings:\n", "\nsettings:\n  trend_rounds: 2\n"), "utf-8")
    await load_programme_file(own)
    moment = datetime(2018, 9, 20, 10, tzinfo=UTC)
    for name, day, forecast in ROUNDS:
        await import_round("kol-2018", name, _slipping_csv(forecast), moment, date_text=day)
    last = await Round.get(programme__key="kol-2018", name="13. møde")
    snapshot = await load_snapshot(last.id)
    matrix = worded_matrix(snapshot)
    trend = (await earlier_rounds(last.id)).trend(matrix)
    assert [r.name for r in trend.rounds] == ["12. møde", "13. møde"]
    sheet = load_workbook(io.BytesIO(render_xlsx(snapshot, matrix, trend)))["Udvikling"]
    assert [cell.value for cell in sheet[3]][3:] == ["12. møde", "13. møde"]
    assert len(trend.flagged(Flag.SLIPPING)) == 0, "one move later in two rounds: not slipping"
    shown = await round_history("kol-2018")
    assert [r.name for r in shown.trend.rounds] == ["12. møde", "13. møde"]
    assert [r.name for r in shown.rounds] == ["11. møde", "12. møde", "13. møde"], "every round"
