"""Tortoise 1.1's SQLite client keeps its connection lock when opening the file fails, so
every later query in the process waits forever (models/tortoise_fixes.py releases it).

Real failures, no probe in front: the database's folder missing ("unable to open database
file"), and a file that is not a database. After each the lock is free, the next query
fails at once instead of hanging, and once the file can be used the same client serves.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from models import tortoise_fixes
from models.db import close_db, tortoise_config

HANG_GUARD = 30.0  # only bounds a hang: the fixed client answers at once


@pytest.fixture
async def opened(tmp_path: Path) -> AsyncIterator[Path]:
    """Tortoise on a SQLite file that cannot be opened yet (its folder is missing)."""
    path = tmp_path / "missing" / "fremdrift.sqlite3"
    await Tortoise.init(config=tortoise_config(f"sqlite://{path}"), _enable_global_fallback=True)
    try:
        yield path
    finally:
        await close_db()


def corrupt(path: Path) -> None:
    path.parent.mkdir()
    path.write_bytes(b"not a database at all, " * 2000)


def restore(path: Path) -> None:
    """A good database in the bad file's place (restored from a backup, say)."""
    path.unlink()
    with sqlite3.connect(path) as restored:
        restored.execute("CREATE TABLE t (x INTEGER)")
        restored.execute("INSERT INTO t VALUES (8)")
    restored.close()


def lock_free() -> bool:
    return not connections.get("default")._lock.locked()


async def test_a_transaction_that_cannot_open_the_file_releases_the_lock(opened: Path) -> None:
    assert tortoise_fixes.applied()
    with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
        async with in_transaction():
            pass
    assert lock_free()
    async with asyncio.timeout(HANG_GUARD):
        with pytest.raises(OperationalError, match="unable to open database file"):
            await connections.get("default").execute_query("SELECT 1")
    assert lock_free()
    opened.parent.mkdir()  # the folder is back: the same client opens the file and serves
    async with asyncio.timeout(HANG_GUARD):
        async with in_transaction() as connection:
            await connection.execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")
        _, rows = await connections.get("default").execute_query("SELECT x FROM t")
    assert [row["x"] for row in rows] == [7]


async def test_a_file_that_is_not_a_database_releases_the_lock_and_is_opened_again(
    opened: Path,
) -> None:
    corrupt(opened)
    async with asyncio.timeout(HANG_GUARD):
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            await connections.get("default").execute_query("SELECT 1")
        assert lock_free()
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            async with in_transaction():
                pass
    assert lock_free()
    restore(opened)
    async with asyncio.timeout(HANG_GUARD):
        _, rows = await connections.get("default").execute_query("SELECT x FROM t")
    assert [row["x"] for row in rows] == [8]


@pytest.fixture
async def tables(tmp_path: Path) -> AsyncIterator[None]:
    """Tortoise on a fresh SQLite file with a parent, a child that must name one (checked at
    COMMIT), and a log."""
    path = tmp_path / "fremdrift.sqlite3"
    await Tortoise.init(config=tortoise_config(f"sqlite://{path}"), _enable_global_fallback=True)
    try:
        await connections.get("default").execute_script(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
            "CREATE TABLE child (parent_id INTEGER NOT NULL"
            " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
            "CREATE TABLE log (what TEXT NOT NULL);"
        )
        yield
    finally:
        await close_db()


async def logged() -> list[str]:
    _, rows = await connections.get("default").execute_query("SELECT what FROM log")
    return [row["what"] for row in rows]


async def test_a_transaction_whose_commit_fails_leaves_nothing_behind(tables: None) -> None:
    """Its COMMIT refused (a deferred foreign key names no parent), the transaction is rolled
    back: none of its rows is committed by the next transaction's BEGIN, and the next
    transactions work — Tortoise alone left it open, and every later BEGIN failed on it."""

    async def orphan() -> None:
        async with in_transaction() as connection:
            await connection.execute_query("INSERT INTO log VALUES ('half of a failed one')")
            await connection.execute_query("INSERT INTO child VALUES (404)")

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await orphan()
    assert lock_free()
    async with asyncio.timeout(HANG_GUARD):
        async with in_transaction() as connection:
            await connection.execute_query("INSERT INTO log VALUES ('the next one')")
    assert await logged() == ["the next one"]
