"""`fremdrift db backup`: an online, consistent copy of the SQLite file; PostgreSQL refused."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction
from typer.testing import CliRunner

from bot.cli import app
from bot.cli.db import backup_sqlite
from bot.settings import get_settings
from conversations.errors import UserError
from conversations.vocabulary import Progress
from models.answer import Answer
from models.db import close_db, is_postgres, open_db
from models.programme import Milestone, Programme
from models.programme_file import load_programme_file
from models.round import Round
from tests.slack_app import KOL

NOW = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
# The backup copies SQLite only; opening an SQLite database of its own in a process whose
# suite runs on PostgreSQL would switch Tortoise's global connections under the next tests.
SQLITE_ONLY = pytest.mark.skipif(
    is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="fremdrift db backup copies SQLite files; the suite's database is PostgreSQL",
)


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Path]:
    """An SQLite database of its own (whatever DATABASE_URL says), open, with a round."""
    path = tmp_path / "live.sqlite3"
    await open_db(f"sqlite://{path}")
    try:
        await load_programme_file(KOL)
        programme = await Programme.get(key="kol-2018")
        await Round.create(
            programme=programme, name="12. møde", open_slot=programme.id, opened_at=NOW
        )
        yield path
    finally:
        await close_db()


async def answer(code: str, scope: str) -> None:
    round_ = await Round.get(name="12. møde")
    milestone = await Milestone.get(programme_id=round_.programme_id, code=code)
    await Answer.create(
        round=round_, milestone=milestone, scope=scope, progress=Progress.REACHED, answered_at=NOW
    )


def answers_in(path: Path) -> set[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = copy.execute(
            "SELECT m.code, a.scope FROM answer a JOIN milestone m ON m.id = a.milestone_id"
        ).fetchall()
    return {(str(code), str(scope)) for code, scope in rows}


@SQLITE_ONLY
async def test_a_backup_of_the_open_database_holds_its_committed_answers_only(
    live: Path, tmp_path: Path
) -> None:
    await answer("1.1", "hovedstaden")
    await answer("2.1", "syddanmark")
    target = tmp_path / "copies" / "backup.sqlite3"
    async with in_transaction():
        await answer("3.1", "sjaelland")  # not committed while the copy is taken
        written = await asyncio.to_thread(backup_sqlite, f"sqlite://{live}", target)
    assert written == target
    assert await Answer.all().count() == 3  # the live database went on
    assert answers_in(target) == {("1.1", "hovedstaden"), ("2.1", "syddanmark")}
    assert [p.name for p in target.parent.iterdir()] == ["backup.sqlite3"]  # no partial left


def test_an_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    with closing(sqlite3.connect(source)) as db:
        db.execute("CREATE TABLE t (x)")
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"mine")
    with pytest.raises(UserError) as raised:
        backup_sqlite(f"sqlite://{source}", target)
    assert raised.value.key == "backup.exists"
    assert target.read_bytes() == b"mine"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The CLI reads DATABASE_URL through the cached settings: read them afresh."""
    get_settings.cache_clear()
    monkeypatch.setenv("FREMDRIFT_LANGUAGE", "en")
    yield monkeypatch
    get_settings.cache_clear()


def test_the_cli_backs_up_the_sqlite_file(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "data.sqlite3"
    with closing(sqlite3.connect(source)) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (42)")
        db.commit()
    environment.setenv("DATABASE_URL", f"sqlite://{source}")
    target = tmp_path / "copy.sqlite3"
    result = CliRunner().invoke(app, ["db", "backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("SELECT x FROM t").fetchall() == [(42,)]


def test_postgresql_is_refused_with_pg_dump_named(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment.setenv("DATABASE_URL", "postgres://fremdrift:secret@db.example.org:5432/fremdrift")
    result = CliRunner().invoke(app, ["db", "backup", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output
    assert "secret" not in result.output
    assert not (tmp_path / "x").exists()


def test_a_missing_database_is_named(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environment.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'nothing.sqlite3'}")
    result = CliRunner().invoke(app, ["db", "backup", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "nothing.sqlite3" in result.output
    assert not (tmp_path / "nothing.sqlite3").exists()
