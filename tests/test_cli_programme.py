"""`fremdrift programme load/show/list` as an admin runs them.

In-process through Typer's runner for the output, and through the installed `fremdrift`
command in a subprocess for what a shell sees: a bad file is one line on stderr and exit
code 1, never a traceback; a shipped programme loads by its key from any folder. Each test
gets an empty, migrated database of its own (a fresh SQLite file, or the PostgreSQL
database of DATABASE_URL emptied first).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings
from models.db import close_db, is_postgres, open_db

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"
BAD = "key: bad\ntitel: Stavefejl\n"


async def _empty_postgres(url: str) -> None:
    await open_db(url)
    try:
        tables = [m._meta.db_table for app in Tortoise.apps.values() for m in app.values()]
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connections.get("default").execute_script(
            f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"
        )
    finally:
        await close_db()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment the command runs in: its own empty database, Danish, a wide terminal."""
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
    assert CliRunner().invoke(app, ["db", "migrate"]).exit_code == 0
    yield env
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["programme", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def bad_file(folder: Path) -> Path:
    path = folder / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


def test_load_prints_what_was_created_then_that_nothing_changed(cli_env: dict[str, str]) -> None:
    code, out, err = run("load", str(KOL))
    assert (code, err) == (0, "")
    assert "Programmet kol-2018 (Fremdrift på tværs af landsdelsprogrammerne) er oprettet." in out
    assert re.search(r"Milepæle\s+│\s+32\s+│\s+32\s+│\s+0\s+│\s+0\s+│\s+0", out)
    assert re.search(r"Enheder\s+│\s+5\s+│\s+5\s", out)
    code, out, _ = run("load", str(KOL))
    assert code == 0
    assert "Programmet kol-2018 (Fremdrift på tværs af landsdelsprogrammerne) er uændret" in out
    assert re.search(r"Milepæle\s+│\s+32\s+│\s+0\s+│\s+0\s+│\s+32\s+│\s+0", out)


def test_show_lists_groups_in_order_with_who_answers_and_deadlines(
    cli_env: dict[str, str],
) -> None:
    assert run("load", str(KOL))[0] == 0
    code, out, err = run("show", "kol-2018")
    assert (code, err) == (0, "")
    positions = [out.index(f"Gruppe {n}: ") for n in range(1, 12)]
    assert positions == sorted(positions)
    assert "Gruppe 6: Teknisk løsning er indkøbt og klar til drift" in out
    assert re.search(r"6\.1 A\s+│ Bekendtgørelse af udbud .*│ FUT", out)
    assert re.search(
        r"4\.1\s+│ Behandlingstilbud .*│ hver enheds projektledere\s+│ Syddanmark: Medio", out
    )
    assert "Syddanmark: Juli 2019 – forventer 0-3 mdr's forsinkelser" in out
    units = [out.index(name) for name in ("│ Hovedstaden", "│ Midtjylland", "│ Sjælland ")]
    assert units == sorted(units)
    assert "Projektleder, Syddanmark (pladsholder)" in out
    assert re.search(r"SYD-1\s+│ Leveranceplan for 2018\s+│ enhedens projektledere", out)


def test_list_shows_each_programme_with_its_size(cli_env: dict[str, str]) -> None:
    code, out, _ = run("list")
    assert (code, out.strip()) == (
        0,
        "Der er ingen programmer endnu. Indlæs et med «fremdrift programme load FIL».",
    )
    assert run("load", str(KOL))[0] == 0
    code, out, _ = run("list")
    assert code == 0
    assert re.search(
        r"kol-2018\s+│ Fremdrift på tværs af landsdelsprogrammerne\s+│ 5\s+│ 32\s+│ ingen", out
    )


def test_english_when_the_cli_language_is_english(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FREMDRIFT_LANGUAGE", "en")
    get_settings.cache_clear()
    code, out, _ = run("load", str(KOL))
    assert code == 0
    assert (
        "The programme kol-2018 (Fremdrift på tværs af landsdelsprogrammerne) has been created."
        in out
    )
    assert re.search(r"Milestones\s+│\s+32", out)


def test_a_bad_file_is_one_line_on_stderr_and_exit_code_1(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = run("load", str(bad_file(tmp_path)))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith(
        "Fejl: bad.yaml, linje 2, titel: det felt kender jeg ikke. Mente du «title»?"
    )
    assert run("list")[1].startswith("Der er ingen programmer endnu")


def test_an_unknown_programme_is_one_line_on_stderr(cli_env: dict[str, str]) -> None:
    code, out, err = run("show", "kol-2019")
    assert (code, out) == (1, "")
    assert err == (
        "Fejl: Der er intet program med nøglen «kol-2019». "
        "Indlæs et med «fremdrift programme load FIL».\n"
    )


def test_the_installed_command_loads_a_file_and_refuses_a_bad_one(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    command = Path(sys.executable).parent / "fremdrift"
    env = {**os.environ, **cli_env}

    def shell(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), "programme", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    good = shell("load", str(KOL))
    assert (good.returncode, good.stderr) == (0, "")
    assert "er oprettet" in good.stdout
    bad = shell("load", str(bad_file(tmp_path)))
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("Fejl: bad.yaml, linje 2, titel:")
    assert "Traceback" not in bad.stderr


def test_a_shipped_programme_loads_by_key_from_any_folder(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "fremdrift"), "programme", "load", "oea-2020"],
        capture_output=True,
        text=True,
        env={**os.environ, **cli_env},
        cwd=folder,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "Programmet oea-2020 " in result.stdout and "er oprettet" in result.stdout
    code, out, _ = run("list")
    assert code == 0 and re.search(r"oea-2020\s+│", out)


def test_a_name_that_is_neither_file_nor_shipped_key_lists_the_keys(
    cli_env: dict[str, str],
) -> None:
    code, out, err = run("load", "kol-2019")
    assert (code, out) == (1, "")
    assert err == (
        "Fejl: Der er ingen fil kol-2019, og intet program med den nøgle følger med Fremdrift "
        "(de medfølgende: kol-2018, oea-2020).\n"
    )
    code, _, err = run("load", "mangler.yaml")
    assert code == 1 and err == "Fejl: Programfilen mangler.yaml findes ikke.\n"
