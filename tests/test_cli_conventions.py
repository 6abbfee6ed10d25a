"""The conventions every `fremdrift` command keeps, checked through the installed command.

`--version`; one spelling for an output path (`--output/-o`); group help that names every
command of the group; a usage error as one line with exit code 2; a table with a header;
and no migration but by `db migrate` (and `serve`): any other command on a database that
is not migrated says so in one line, creates nothing, and leaves no asyncio warning behind.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer

from bot.cli import app

FREMDRIFT = Path(sys.executable).parent / "fremdrift"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "asyncpg"))


def fremdrift(
    *args: str, cwd: Path, language: str = "da", database: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command, with ResourceWarnings (an unclosed loop or socket) shown."""
    env = {
        **os.environ,
        "FREMDRIFT_LANGUAGE": language,
        "FREMDRIFT_DATA_DIR": str(cwd / "data"),
        "DATABASE_URL": f"sqlite://{database or cwd / 'cli.sqlite3'}",
        "COLUMNS": "200",
        "PYTHONWARNINGS": "default::ResourceWarning",
    }
    return subprocess.run(
        [str(FREMDRIFT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = fremdrift("--version", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"fremdrift {version('fremdrift')}\n"


@pytest.mark.parametrize(
    ("args", "language", "expected"),
    [
        (
            ("round", "jobs", "--bogus"),
            "da",
            "Fejl: No such option: --bogus – se «fremdrift round jobs --help».",
        ),
        (("nope",), "en", "Error: No such command 'nope' – see \"fremdrift --help\"."),
        (
            ("round", "open", "--name", "X"),
            "en",
            "Error: Missing option '--programme' – see \"fremdrift round open --help\".",
        ),
        (("demo", "--lang"), "da", "Fejl: Option '--lang' requires an argument – se «"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_code_2(
    tmp_path: Path, args: tuple[str, ...], language: str, expected: str
) -> None:
    result = fremdrift(*args, cwd=tmp_path, language=language)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(expected)


def _commands(group: typer.Typer) -> dict[str, object]:
    command = typer.main.get_command(group)
    return dict(getattr(command, "commands", {}))


def test_every_group_help_names_each_of_its_commands() -> None:
    groups = _commands(app)
    checked = 0
    for name, group in groups.items():
        commands = getattr(group, "commands", None)
        if not commands:
            continue
        help_text = str(getattr(group, "help", "") or "")
        missing = [c for c in commands if not re.search(rf"\b{re.escape(c)}\b", help_text)]
        assert not missing, f"`fremdrift {name} --help` does not mention {missing}"
        checked += 1
    assert checked >= 4  # db, programme, round, teams


def _options(command: object, path: str) -> list[tuple[str, list[str], bool]]:
    found = []
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            found += _options(sub, f"{path} {name}")
        return found
    for param in getattr(command, "params", []):
        found.append((path, list(param.opts) + list(param.secondary_opts), param.hidden))
    return found


def test_an_output_path_is_spelled_output_and_o_everywhere() -> None:
    options = _options(typer.main.get_command(app), "fremdrift")
    outputs = [(path, opts) for path, opts, hidden in options if not hidden and _is_output(opts)]
    assert {path for path, _ in outputs} >= {
        "fremdrift demo",
        "fremdrift db backup",
        "fremdrift teams package",
    }
    wrong = [(path, opts) for path, opts in outputs if sorted(opts) != ["--output", "-o"]]
    assert not wrong, f"an output path spelled otherwise: {wrong}"


def _is_output(opts: list[str]) -> bool:
    return any(opt in ("--out", "--output", "-o") for opt in opts)


def test_the_old_out_spelling_is_still_read(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "something").write_text("x", encoding="utf-8")
    result = fremdrift("demo", "--lang", "en", "--out", str(full), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert "exists and is not empty" in result.stderr and str(full) in result.stderr


@pytest.mark.skipif(ON_POSTGRES, reason="the subprocesses here use SQLite files of their own")
def test_no_command_but_db_migrate_migrates_a_new_database(tmp_path: Path) -> None:
    database = tmp_path / "new.sqlite3"
    for args in (("programme", "list"), ("round", "jobs"), ("programme", "load", "kol-2018")):
        result = fremdrift(*args, cwd=tmp_path, database=database)
        assert (result.returncode, result.stdout) == (1, ""), args
        assert result.stderr == (
            "Fejl: Databasen har endnu ingen tabeller eller et ældre skema: kør «fremdrift db "
            "migrate» først (fremdrift serve migrerer også, når den starter).\n"
        ), args
        assert not database.exists(), f"{args} left a database file behind"

    migrated = fremdrift("db", "migrate", cwd=tmp_path, database=database)
    assert (migrated.returncode, migrated.stderr) == (0, "")
    assert migrated.stdout.startswith("Databasen er opdateret")
    again = fremdrift("programme", "list", cwd=tmp_path, database=database)
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.startswith("Der er ingen programmer endnu.")


@pytest.mark.skipif(ON_POSTGRES, reason="the subprocesses here use SQLite files of their own")
def test_a_database_behind_the_code_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    assert fremdrift("db", "migrate", cwd=tmp_path, database=database).returncode == 0
    with sqlite3.connect(database) as connection:  # forget the newest migration
        connection.execute(
            "DELETE FROM tortoise_migrations WHERE id = (SELECT max(id) FROM tortoise_migrations)"
        )
    connection.close()
    before = database.read_bytes()
    result = fremdrift("programme", "list", cwd=tmp_path, database=database, language="en")
    assert result.returncode == 1
    assert result.stderr == (
        'Error: The database has no tables yet, or an older schema: run "fremdrift db migrate" '
        "first (fremdrift serve also migrates when it starts).\n"
    )
    assert database.read_bytes() == before


@pytest.mark.skipif(ON_POSTGRES, reason="the subprocesses here use SQLite files of their own")
def test_round_jobs_is_a_table_with_a_header(tmp_path: Path) -> None:
    for args in (
        ("db", "migrate"),
        ("programme", "load", "kol-2018"),
        ("round", "open", "--programme", "kol-2018", "--name", "X", "--deadline", "om 10 dage"),
    ):
        assert fremdrift(*args, cwd=tmp_path).returncode == 0, args
    result = fremdrift("round", "jobs", "--limit", "3", cwd=tmp_path, language="en")
    assert (result.returncode, result.stderr) == (0, "")
    header, *rows = [line.split() for line in result.stdout.splitlines()]
    assert header == ["Id", "Kind", "Status", "Runs", "at", "Attempts", "Key", "Last", "error"]
    # newest first: the close at the deadline, then what the opening queued before it —
    # how many reminders depends on the hour the round opens (the wall clock, here)
    assert len(rows) == 3 and rows[0][1:3] == ["close", "pending"]
    assert all(row[1] in ("reminders", "invite") and row[2] == "pending" for row in rows[1:])
    assert all(row[4] == "0/6" for row in rows)
