"""`fremdrift round open|status|remind|deadline|close|reopen|publish|away|back|jobs` on the
shipped KOL programme: words from the catalogue, refusals as one line and exit code 1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings
from models.db import is_postgres
from tests.matrix_support import SEED000_CSV
from tests.test_cli_programme import _empty_postgres

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres(url):
        asyncio.run(_empty_postgres(url))
    else:
        url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = {
        "DATABASE_URL": url,
        "FREMDRIFT_DATA_DIR": str(tmp_path),
        "FREMDRIFT_LANGUAGE": "da",
        "COLUMNS": "200",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert fremdrift("db", "migrate")[0] == 0
    code, _, err = fremdrift("programme", "load", str(KOL))
    assert (code, err) == (0, "")
    yield env
    get_settings.cache_clear()


def fremdrift(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def round_(*args: str) -> tuple[int, str, str]:
    return fremdrift("round", *args, "--programme", "kol-2018")


def test_open_status_remind_deadline_close_reopen_publish(cli_env: dict[str, str]) -> None:
    code, out, err = round_("open", "--name", "13. møde", "--deadline", "om 10 dage")
    assert (code, err) == (0, "")
    assert out.startswith("Runden «13. møde» i kol-2018 er åben med frist ")
    assert "11 invitationer sendes." in out  # 5 leads, 5 deputies, 1 reporter
    assert "Påmindelser: " in out and "Runden lukker af sig selv ved fristen." in out

    code, out, err = round_("status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("13. møde (kol-2018) – åben, frist ")
    assert "Syddanmark: 0 af 29 besvaret, ikke indsendt" in lines
    assert sum("invitation i kø" in line for line in lines) == 11

    code, out, _ = round_("remind", "--unit", "syddanmark")
    assert (code, out.strip()) == (0, "2 påmindelser sendes nu.")
    code, out, _ = round_("deadline", "om 12 dage")
    assert code == 0 and out.startswith("Fristen for «13. møde» er nu ")

    code, out, _ = round_("close")
    assert code == 0
    assert out.startswith("Runden «13. møde» er lukket. Ikke indsendt: Hovedstaden, ")
    assert out.strip().endswith("Den offentliggøres nu.")
    code, out, err = round_("close")
    assert (code, out) == (1, "")
    assert err.startswith("Fejl: Runden «13. møde» er lukket, så det kan ikke lade sig gøre nu.")

    code, out, _ = round_("reopen")
    assert (code, out.strip()) == (0, "Runden «13. møde» er åben igen.")
    code, _, err = round_("publish")
    assert code == 1 and "stadig åben" in err
    assert round_("close")[0] == 0
    code, out, _ = round_("publish")
    assert (code, out.strip()) == (0, "Runden «13. møde» offentliggøres nu.")

    code, out, _ = round_("jobs", "--status", "pending")
    assert code == 0
    kinds = [line.split()[1] for line in out.splitlines()]
    assert kinds.count("publish") == 1 and kinds.count("invite") == 11


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("open", "--name", "X", "--deadline", "i går"), "Fejl: «i går» læser jeg som "),
        (
            ("open", "--name", "X", "--deadline", "snart"),
            "Fejl: Jeg kan ikke læse «snart» som en frist.",
        ),
        (
            ("open", "--name", "X", "--deadline", "fredag", "--as", "pl-syddanmark"),
            "Fejl: Kun programmets administratorer",
        ),
        (
            ("open", "--name", "X", "--deadline", "fredag", "--as", "nobody"),
            "Fejl: Der er ingen person med nøglen «nobody».",
        ),
        (("status",), "Fejl: Programmet kol-2018 har endnu ingen runder."),
        (("remind",), "Fejl: Programmet kol-2018 har endnu ingen runder."),
    ],
)
def test_refusals_are_one_line_in_the_cli_language(
    cli_env: dict[str, str], args: tuple[str, ...], expected: str
) -> None:
    code, out, err = round_(*args)
    assert (code, out) == (1, "")
    assert err.startswith(expected) and len(err.strip().splitlines()) == 1


def test_a_second_open_round_is_refused_in_english(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert round_("open", "--name", "13. møde", "--deadline", "om 10 dage")[0] == 0
    monkeypatch.setenv("FREMDRIFT_LANGUAGE", "en")
    get_settings.cache_clear()
    code, _, err = round_("open", "--name", "14. møde", "--deadline", "om 10 dage")
    assert code == 1
    assert err.strip() == (
        'Error: The round "13. møde" is still open. Close it with "round close" before '
        "opening a new one."
    )


def test_away_and_back_through_the_cli(cli_env: dict[str, str]) -> None:
    assert round_("open", "--name", "13. møde", "--deadline", "om 10 dage")[0] == 0
    code, out, _ = fremdrift("round", "away", "--person", "pl-syddanmark", "--until", "om 3 dage")
    assert code == 0 and "er væk til og med" in out
    code, out, _ = round_("status")
    assert "væk til og med" in out
    code, out, _ = fremdrift("round", "back", "--person", "pl-syddanmark")
    assert code == 0 and out.strip().endswith("er tilbage; 0 invitationer sendes.")  # queued


def test_the_installed_command_prints_no_traceback(cli_env: dict[str, str]) -> None:
    command = Path(sys.executable).parent / "fremdrift"
    result = subprocess.run(
        [str(command), "round", "close", "--programme", "kol-2018"],
        capture_output=True,
        text=True,
        env={**os.environ, **cli_env},
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Fejl: Programmet kol-2018 har endnu ingen runder.")
    assert "Traceback" not in result.stderr


def test_history_imported_out_of_order_is_listed_and_shown_by_date(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """«13. møde» imported before «11. møde»: `round list` and `round status` go by date."""
    small = tmp_path / "small.csv"
    small.write_text("milestone,unit,progress\n1.1,hovedstaden,reached\n", encoding="utf-8")
    for name, day, source in (
        ("13. møde", "2018-09-20", SEED000_CSV),
        ("11. møde", "2018-03-01", small),
    ):
        code, _, err = fremdrift(
            "round", "import", str(source), "--programme", "kol-2018", "--name", name,
            "--date", day,
        )  # fmt: skip
        assert (code, err) == (0, "")
    code, out, err = round_("open", "--name", "14. møde", "--deadline", "om 10 dage")
    assert (code, err) == (0, "")
    code, out, _ = round_("list")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[:2] == [
        "2018-03-01  11. møde – importeret: 1 svar, 0 indsendte tjeklister",
        "2018-09-20  13. møde – importeret: 160 svar, 0 indsendte tjeklister",
    ]
    assert lines[2].endswith("  14. møde – åben: 0 svar, 0 indsendte tjeklister")
    assert round_("close")[0] == 0
    code, out, _ = round_("status")
    assert out.startswith("14. møde (kol-2018) – lukket")  # the latest by date
    code, out, _ = round_("open", "--name", "10. møde", "--deadline", "om 10 dage", "--date",
                          "2017-11-15")  # fmt: skip
    assert code == 0
    code, out, _ = round_("list")
    assert out.splitlines()[0] == "2017-11-15  10. møde – åben: 0 svar, 0 indsendte tjeklister"


def test_round_status_of_imported_history_and_a_date_that_cannot_be_read(
    cli_env: dict[str, str],
) -> None:
    code, _, _ = fremdrift(
        "round", "import", str(SEED000_CSV), "--programme", "kol-2018", "--name", "12. møde",
        "--date", "2018-06-20",
    )  # fmt: skip
    assert code == 0
    code, out, _ = round_("status")
    assert code == 0
    assert out.splitlines()[0] == (
        "12. møde (kol-2018) – importeret, dateret 20. juni 2018; "
        "importeret historik, ingen blev spurgt."
    )
    code, out, err = round_("open", "--name", "13. møde", "--deadline", "fredag", "--date", "20/6")
    assert (code, out) == (1, "")
    assert err.strip() == (
        "Fejl: Jeg kan ikke læse «20/6» som rundens dato. Skriv den som ÅÅÅÅ-MM-DD, fx 2018-06-20."
    )
    code, _, err = fremdrift(
        "round", "import", str(SEED000_CSV), "--programme", "kol-2018", "--name", "11. møde",
        "--date", "marts",
    )  # fmt: skip
    assert code == 1 and "«marts» som rundens dato" in err
    code, out, _ = round_("list")
    assert out.strip() == "2018-06-20  12. møde – importeret: 160 svar, 0 indsendte tjeklister"
