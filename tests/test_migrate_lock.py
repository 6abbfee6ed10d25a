"""On PostgreSQL, migrations run under an advisory lock: replicas that start together take
turns, and the later one finds nothing left to do.

Through the installed command, as replicas and operators run it. Each test makes a database
of its own on the server DATABASE_URL names and drops it afterwards, so the suite's shared
database is never left half-migrated.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types
import pytest
from tortoise.backends.base.config_generator import expand_db_url

from models.db import MIGRATION_LOCK, is_postgres

URL = os.environ.get("DATABASE_URL", "")
FREMDRIFT = Path(sys.executable).parent / "fremdrift"
MIGRATIONS = sorted(
    path.stem for path in (Path(__file__).parent.parent / "models" / "migrations").glob("[0-9]*.py")
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not is_postgres(URL), reason="advisory locks are PostgreSQL's"),
]


def _credentials(url: str) -> dict[str, Any]:
    found = expand_db_url(url)["credentials"]
    return {k: found[k] for k in ("host", "port", "user", "password", "database") if k in found}


def _url_of(database: str) -> str:
    parts = urlsplit(URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


@pytest.fixture
async def fresh_url() -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    name = f"fremdrift_lock_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(**_credentials(URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _url_of(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _migrate(url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": url, "FREMDRIFT_LANGUAGE": "en"}
    return await asyncio.create_subprocess_exec(
        str(FREMDRIFT),
        "db",
        "migrate",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a condition the database reports (not for a length of time), up to 60 s."""
    try:
        async with asyncio.timeout(60):
            while True:  # the server has no event for "a session waits for a lock": ask it
                if await condition():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"60 s passed without {what}")


async def _applied(connection: Any) -> list[str]:
    rows = await connection.fetch("SELECT name FROM tortoise_migrations ORDER BY name")
    return [row["name"] for row in rows]


async def test_a_migration_waits_for_the_lock_then_applies_each_migration_once(
    fresh_url: str,
) -> None:
    holder = await asyncpg.connect(**_credentials(fresh_url))
    process: asyncio.subprocess.Process | None = None
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        process = await _migrate(fresh_url)

        async def waiting() -> bool:
            count = await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = $1 AND objid = $2 AND objsubid = 1",
                MIGRATION_LOCK >> 32,
                MIGRATION_LOCK & 0xFFFFFFFF,
            )
            return bool(count)

        await _until(waiting, "the migration to wait for the lock")
        assert process.returncode is None
        assert await holder.fetchval("SELECT to_regclass('tortoise_migrations')") is None

        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        code, err = await _finish(process)
        assert (code, err) == (0, "")
        assert await _applied(holder) == MIGRATIONS
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await holder.close()


async def test_two_replicas_migrating_at_once_both_succeed_and_apply_nothing_twice(
    fresh_url: str,
) -> None:
    first, second = await _migrate(fresh_url), await _migrate(fresh_url)
    results = await asyncio.gather(_finish(first), _finish(second))
    assert list(results) == [(0, ""), (0, "")]
    connection = await asyncpg.connect(**_credentials(fresh_url))
    try:
        assert await _applied(connection) == MIGRATIONS
    finally:
        await connection.close()
