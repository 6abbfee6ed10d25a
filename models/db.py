"""Opening the database, with its schema brought up to date by Tortoise's migrations.

SQLite is the embedded default; PostgreSQL is for several replicas sharing the work.
TORTOISE_ORM is what tortoise makemigrations reads (pyproject's [tool.tortoise]).

Only `fremdrift db migrate` and `fremdrift serve` migrate; on PostgreSQL they do it under
an advisory lock, so replicas that start together migrate one after the other (the second
finds nothing left to do). Everything else opens the database as it is and refuses one
whose schema is behind the code, with what to run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.migrations.api import migrate
from tortoise.migrations.executor import MigrationExecutor

from conversations.errors import UserError

APP = "fremdrift"
MODEL_MODULES = [
    "models.programme",
    "models.people",
    "models.round",
    "models.answer",
    "models.conversation",
    "models.jobs",
]
SQLITE_PRAGMAS = "busy_timeout=10000&synchronous=NORMAL"
MIGRATION_LOCK = int.from_bytes(b"fremdrft", "big")
"""The PostgreSQL advisory lock (a bigint) that migrations run under."""


def _database_errors() -> tuple[type[BaseException], ...]:
    """What a database that is down, restarting, full or read-only raises through Tortoise.

    SQLite's errors arrive as Tortoise's OperationalError ("database or disk is full",
    "attempt to write a readonly database"); asyncpg's connection and server errors are
    not translated by Tortoise and arrive as they are. OSError: the server is unreachable.
    """
    errors: list[type[BaseException]] = [OperationalError, DBConnectionError, OSError]
    try:
        import asyncpg  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return tuple(errors)
    errors += [
        asyncpg.exceptions.InterfaceError,  # the connection is gone
        asyncpg.exceptions.PostgresConnectionError,  # cannot connect now (starting, stopping)
        asyncpg.exceptions.OperatorInterventionError,  # terminated by the administrator
        asyncpg.exceptions.InsufficientResourcesError,  # disk full, out of memory
    ]
    return tuple(errors)


DATABASE_ERRORS = _database_errors()
"""Catch these (after IntegrityError, which is an OperationalError too) to tell a person
"not saved, try again" instead of failing the request."""


def with_sqlite_pragmas(url: str) -> str:
    """Wait for a lock rather than fail at once when the CLI and the server share the file."""
    if url.startswith("sqlite://") and "?" not in url and ":memory:" not in url:
        return f"{url}?{SQLITE_PRAGMAS}"
    return url


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": with_sqlite_pragmas(url)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite://") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)


async def open_db(url: str, *, run_migrations: bool = True) -> str:
    """Connect and return the URL used; apply pending migrations first if `run_migrations`.

    Without `run_migrations` a database whose schema is behind the code (or that does not
    exist yet) is refused with UserError("db.not_migrated"), and nothing is created. The
    context is made global so that every task (aiohttp handlers, bolt listeners, job
    workers) sees the same connections, not only the task that opened them. On failure the
    connections are closed again, so nothing is left for the event loop to complain about.
    """
    config = tortoise_config(url)
    if not run_migrations and _sqlite_file_missing(url):
        raise UserError("db.not_migrated")
    _ensure_sqlite_folder(url)
    opened = False
    try:
        if run_migrations:
            async with _migration_lock(url):
                await migrate(config=config)
        await Tortoise.init(config=config, _enable_global_fallback=True)
        if not run_migrations and await _pending_migrations(config):
            raise UserError("db.not_migrated")
        opened = True
    finally:
        if not opened:
            await close_db()
    return url


def _sqlite_file_missing(url: str) -> bool:
    if not url.startswith("sqlite://") or ":memory:" in url:
        return False
    return not Path(url.removeprefix("sqlite://").split("?", 1)[0]).exists()


async def _pending_migrations(config: dict[str, Any]) -> list[str]:
    """The migrations the database lacks (it has none at all if it was never migrated)."""
    executor = MigrationExecutor(connections.get("default"), config["apps"])
    return [step.migration.name for step in await executor.plan() if not step.backward]


@asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """PostgreSQL: hold the migration advisory lock on a connection of its own meanwhile.

    A session lock on a separate connection, not one of the pool's, so the migrations can
    use the pool freely; closing the connection releases the lock even if the unlock is
    never reached. SQLite needs none: its writers take the file's lock in turn.
    """
    if not is_postgres(url):
        yield
        return
    import asyncpg

    credentials = expand_db_url(url)["credentials"]
    wanted = ("host", "port", "user", "password", "database", "ssl")
    lock = await asyncpg.connect(**{k: credentials[k] for k in wanted if k in credentials})
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
        await lock.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    finally:
        await lock.close()


async def close_db() -> None:
    """Close the connections and release the global context, so a later open_db starts clean."""
    await Tortoise.close_connections()


def dialect() -> str:
    """'sqlite' or 'postgres', for the few queries that differ (job claims)."""
    client = connections.get("default")
    name = type(client).__module__
    return "postgres" if "asyncpg" in name or "psycopg" in name else "sqlite"


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://fremdrift-dev.sqlite3")
