"""`fremdrift db …`: the schema and the embedded database file."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail, run_with_db, say
from bot.settings import get_settings
from conversations.errors import UserError
from models.db import is_postgres

app = typer.Typer(
    help="The database: migrate (bring its schema up to date), backup (copy the SQLite file).",
    no_args_is_help=True,
)


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (applies pending migrations).

    The only command that changes the schema besides `serve` at its start; on PostgreSQL
    under an advisory lock, so replicas starting together do not race.
    """

    async def body() -> None:
        return None

    run_with_db(body, migrate=True)
    say("cli.db_migrated", url=redact(get_settings().resolved_database_url()))


def redact(url: str) -> str:
    """A database URL fit to print: the password replaced by ***."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


@app.command("backup")
def backup(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The copy's file (default: fremdrift-backup-<time>.sqlite3)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", hidden=True)] = None,
) -> None:
    """An online, consistent copy of the SQLite database (for PostgreSQL, use pg_dump)."""
    given = output or out  # --out: the spelling before --output, kept working
    target = given or Path(f"fremdrift-backup-{datetime.now():%Y%m%d-%H%M%S}.sqlite3")
    try:
        written = backup_sqlite(get_settings().resolved_database_url(), target)
    except UserError as error:
        fail(error)
    say("backup.done", path=str(written), size=written.stat().st_size)


def sqlite_path(url: str) -> Path:
    """The file of a sqlite:// URL; other databases are refused with what to use instead."""
    if is_postgres(url):
        raise UserError("backup.postgres")
    if not url.startswith("sqlite://") or ":memory:" in url:
        raise UserError("backup.not_sqlite", url=redact(url))
    return Path(url.removeprefix("sqlite://").split("?", 1)[0])


def backup_sqlite(url: str, target: Path) -> Path:
    """Copy the database with SQLite's online backup API while it may be in use.

    The copy is taken in one step under a read lock, so it is one committed state of the
    database, whatever other processes (a running `serve`) write meanwhile; an uncommitted
    transaction is not in it. The copy is written beside the target and renamed into place,
    so a half-written file never carries the target's name. An existing file is not
    overwritten.
    """
    source = sqlite_path(url)
    if not source.is_file():
        raise UserError("backup.missing", path=str(source))
    if target.exists():
        raise UserError("backup.exists", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise UserError("backup.failed", path=str(source), error=str(error)) from error
    return target
