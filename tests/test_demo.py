"""`fremdrift demo`: the whole round through the real app and the stand-in, its files, its
words, and that nothing is left behind."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot
from bot.cli import app
from bot.demo.checkout import demo_inputs
from bot.demo.outputs import mrkdwn_html
from bot.demo.scenario import run_demo
from bot.demo.seed import Given, reporter_answers
from models.db import is_postgres

ON_POSTGRES = is_postgres(os.environ.get("DATABASE_URL", ""))
SEED000 = demo_inputs().seed


def contents(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


class Recorded:
    """A progress bar that remembers what it was told."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.phases: list[str] = []

    def begin(self, total: int) -> None:
        self.total = total

    def phase(self, key: str) -> None:
        self.phases.append(key)

    def advance(self, steps: int = 1) -> None:
        self.done += steps


@pytest.mark.skipif(ON_POSTGRES, reason="the demo always runs on its own SQLite file")
async def test_the_demo_plays_a_whole_round_in_english_and_leaves_only_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    threads = set(threading.enumerate())
    out = tmp_path / "out"
    progress = Recorded()

    result = await run_demo(demo_inputs(), out, language="en", progress=progress)

    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    # asyncio's default executor (documents render in it) is shut down with the loop.
    # aiosqlite resolves close() from inside its connection thread, just before that thread
    # returns: give a closing thread a moment to end; one that stays is a leak.
    others = {t for t in threading.enumerate() if not t.name.startswith("asyncio_")}
    for thread in others - threads:
        thread.join(timeout=5)
    others = {t for t in others if t.is_alive()}
    assert others <= threads
    assert contents(tmp_path) == ["out"]
    assert progress.total > 140 and progress.done == progress.total
    assert progress.phases[0] == "setup" and progress.phases[-1] == "write"

    assert result.cells == 160
    assert sum(result.colours.values()) == 160
    assert result.colours == {"green": 134, "yellow": 23, "red": 1, "none": 2, "not_reported": 0}
    # 5 × 27 + Syddanmark's 2 items + FUT's 5 for every unit + FUT's 6.1 B set apart for one
    assert result.answers == 143
    assert result.submitted == 6
    # Notes to the admin: one per checklist submitted (6), and the closing one naming the missing.
    assert result.dms == {"invite": 11, "remind": 5, "note": 7}
    assert [(d.code, d.unit, d.field, d.seed, d.given) for d in result.departures] == [
        ("6.1 B", "midtjylland", "critical", "yes", "no")
    ]

    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert 0 < written["elapsed_seconds"] < 60
    manifest = written["files"]
    kinds = {entry["kind"] for entry in manifest}
    assert {"pdf", "xlsx", "csv", "json", "post", "preview", "database"} <= kinds
    for entry in manifest:
        path = out / entry["file"]
        assert path.is_file() and path.stat().st_size == entry["bytes"] > 0, entry
    pdfs = [out / e["file"] for e in manifest if e["kind"] == "pdf"]
    assert len(pdfs) == 2 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    document = next(out / e["file"] for e in manifest if e["kind"] == "json")
    record = json.loads(document.read_bytes())
    assert (
        record["programme"]["language"] == "en"
        and len([c for c in record["cells"] if not c["local"]]) == 160
    )
    assert record["cells"][0]["text"] == "Milestone reached"
    # The published matrix is seed 000's, cell by cell — FUT's departing unit included.
    with SEED000.open(encoding="utf-8", newline="") as handle:
        seed = {
            (row["milestone"], row["unit"]): (row["progress"], row["delay"], row["critical"])
            for row in csv.DictReader(handle)
        }
    published = {
        (c["milestone"], c["unit"]): (c["progress"], c["delay"], "yes" if c["critical"] else "no")
        for c in record["cells"]
        if not c["local"]
    }
    assert published == seed
    # Syddanmark's own items (seed 001) follow the matrix, marked local.
    assert {c["milestone"] for c in record["cells"] if c["local"]} == {"SYD-1", "SYD-2"}
    own = [(c["milestone"], c["unit"]) for c in record["cells"] if c["source"] == "unit"]
    assert ("6.1 B", "midtjylland") in own and ("6.1 B", "nordjylland") not in own

    post = json.loads((out / "slack-post.json").read_text(encoding="utf-8"))
    summary = post["messages"][0]
    assert summary["blocks"][0]["type"] == "header"
    assert "12th meeting, 20 June 2018" in summary["blocks"][0]["text"]["text"]
    assert len(post["messages"]) >= 2  # the summary and the matrix in its thread
    assert set(post["files"]) == {
        e["file"] for e in manifest if e["kind"] in ("pdf", "xlsx", "csv", "json")
    }
    html = (out / "slack-post.html").read_text(encoding="utf-8")
    assert "<h2>Progress: 12th meeting, 20 June 2018</h2>" in html
    assert "🟢 <strong>134</strong> on schedule" in html
    assert "<script" not in html


def test_the_cli_refuses_a_folder_that_holds_something(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--lang", "en", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_the_cli_refuses_an_unknown_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--lang", "sv", "-o", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "da, en" in result.output
    assert not (tmp_path / "x").exists()


def test_the_demo_reads_only_what_the_package_ships() -> None:
    inputs = demo_inputs()
    package = Path(bot.__file__).resolve().parent.parent
    for path in (inputs.programme, inputs.seed, inputs.local_items):
        assert path.is_file()
        assert "tests" not in path.relative_to(package).parts


def given(code: str, critical: bool, remark: str = "") -> Given:
    return Given(code, "expected", "0", critical, "", remark)


def test_the_reporter_gives_the_majority_and_each_departure_is_named() -> None:
    seed = {
        "a": {"6.1 B": given("6.1 B", False)},
        "b": {"6.1 B": given("6.1 B", True, "x")},
        "c": {"6.1 B": given("6.1 B", False)},
    }
    answers, departures = reporter_answers(seed, ["6.1 B", "9.9"], ["a", "b", "c"])
    assert answers == {"6.1 B": given("6.1 B", False)}
    assert [(d.unit, d.field, d.seed, d.given) for d in departures] == [
        ("b", "critical", "yes", "no"),
        ("b", "remark", "x", ""),
    ]


def test_a_tie_goes_to_the_first_unit() -> None:
    seed = {"a": {"1": given("1", True)}, "b": {"1": given("1", False)}}
    answers, _ = reporter_answers(seed, ["1"], ["a", "b"])
    assert answers["1"].critical is True


@pytest.mark.parametrize(
    ("mrkdwn", "html"),
    [
        ("*Kritiske* milepæle", "<strong>Kritiske</strong> milepæle"),
        ("_Gruppe_ og `6.1 B`", "<em>Gruppe</em> og <code>6.1 B</code>"),
        ("a &lt;!channel&gt; &amp; <b>", "a &lt;!channel&gt; &amp; &lt;b&gt;"),
        ("5\u200b*\u200b3\u200b*\u200b", "5\u200b*\u200b3\u200b*\u200b"),  # escaped user stars
        ("linje 1\nlinje 2", "linje 1<br>\nlinje 2"),
    ],
)
def test_mrkdwn_becomes_safe_html(mrkdwn: str, html: str) -> None:
    assert str(mrkdwn_html(mrkdwn)) == html
