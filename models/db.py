"""Opening the database, with its schema brought up to date by Tortoise's migrations.

SQLite is the embedded default; PostgreSQL is for several replicas sharing the work.
TORTOISE_ORM is what tortoise makemigrations reads (pyproject's [tool.tortoise]).

Only `fremdrift db migrate` and `fremdrift serve` migrate; on PostgreSQL they do it under
an advisory lock, so replicas that start together migrate one after the other (the second
finds nothing left to do). Everything else opens the database as it is and refuses one
whose schema is behind the code, with what to run.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import (
    BaseORMException,
    ConfigurationError,
    DBConnectionError,
    OperationalError,
)
from tortoise.migrations.api import migrate
from tortoise.migrations.executor import MigrationExecutor

from conversations.errors import UserError
from models import tortoise_fixes

tortoise_fixes.apply()  # a failed BEGIN gives its pooled connection back (see there)

APP = "fremdrift"
MODEL_MODULES = [
    "models.programme",
    "models.people",
    "models.round",
    "models.answer",
    "models.conversation",
    "models.jobs",
    "models.publication",
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
    errors.append(sqlite3.DatabaseError)  # not translated by Tortoise: "file is not a database"
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


def _any_database_error() -> tuple[type[BaseException], ...]:
    """Everything the database layers raise: Tortoise's own errors, SQLite's, asyncpg's
    (server and client side, translated by Tortoise or not) and the network's."""
    errors: list[type[BaseException]] = [BaseORMException, sqlite3.Error, OSError]
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return tuple(errors)
    errors += [
        asyncpg.exceptions.PostgresError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.InternalClientError,
    ]
    return tuple(errors)


ANY_DATABASE_ERROR = _any_database_error()
"""What the job worker's loop survives: whatever the database raised, it looks again later
(with back-off). A listener catches the narrower DATABASE_ERRORS."""

PROBE_SECONDS = 5.0
"""How long opening the database waits for the server (or the file) to answer at all."""
SCHEMES = ("sqlite://", "postgres://", "postgresql://", "asyncpg://")


class DatabaseUnusable(UserError):
    """The database cannot be used now: a server that does not answer, a file that is not
    a database. A CLI command says so in one line; `serve` keeps trying."""


class DatabaseMisconfigured(UserError):
    """The settings name a database that can never be opened: a scheme we do not support,
    a folder for the SQLite file that cannot be made (exit code 2, like a bad setting)."""


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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseMisconfigured(
                "database.folder_unusable", path=str(path.parent), detail=_detail(error)
            ) from error


def check_url(url: str) -> None:
    """A URL we can open: sqlite://PATH or postgres://…; DatabaseMisconfigured otherwise."""
    if not url.startswith(SCHEMES) or not url.split("://", 1)[1].split("?", 1)[0]:
        raise DatabaseMisconfigured("database.unsupported_url", scheme=url.split("://", 1)[0])


async def probe(url: str) -> None:
    """Does the database answer at all? DatabaseUnusable, within PROBE_SECONDS, if not.

    Run before Tortoise touches the database: Tortoise's connection wrapper takes its lock
    before it connects and never gives it back if connecting fails ("file is not a
    database"), so every later query would wait forever. A SQLite file is opened by the
    standard library first (only a regular file: a FIFO would block the opening thread);
    a PostgreSQL server is asked for one connection.
    """
    check_url(url)
    if is_postgres(url):
        await _probe_postgres(url)
        return
    if ":memory:" in url:
        return
    path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
    try:
        await asyncio.wait_for(asyncio.to_thread(_read_sqlite_header, path), PROBE_SECONDS)
    except (sqlite3.Error, OSError) as error:  # TimeoutError is an OSError
        detail = _detail(error)
        raise DatabaseUnusable("database.unusable", path=str(path), detail=detail) from error


def _read_sqlite_header(path: Path) -> None:
    """Read the file's schema version; a file that is missing is made by the migrations
    (or refused as not migrated), one that is not a regular file is refused here."""
    if not path.exists():
        return
    if not path.is_file():
        raise OSError("not a regular file")
    connection = sqlite3.connect(path, timeout=PROBE_SECONDS)
    try:
        connection.execute("PRAGMA schema_version").fetchone()
    finally:
        connection.close()


async def _probe_postgres(url: str) -> None:
    import asyncpg

    try:
        credentials = expand_db_url(url)["credentials"]
    except (ConfigurationError, ValueError) as error:  # a port that is no number, …
        scheme = url.split("://", 1)[0]
        raise DatabaseMisconfigured("database.unsupported_url", scheme=scheme) from error
    wanted = ("host", "port", "user", "password", "database", "ssl")
    where = f"{credentials.get('host', '')}:{credentials.get('port', '')}"
    try:
        connection = await asyncpg.connect(
            **{k: credentials[k] for k in wanted if k in credentials}, timeout=PROBE_SECONDS
        )
    except (OSError, asyncpg.exceptions.PostgresError, asyncpg.exceptions.InterfaceError) as error:
        detail = _detail(error)
        raise DatabaseUnusable("database.unreachable", where=where, detail=detail) from error
    await connection.close()


def _detail(error: BaseException) -> str:
    """The driver's own words for what went wrong, on one line."""
    words = " ".join(str(error).split()) or type(error).__name__
    return words[:200]


async def open_db(url: str, *, run_migrations: bool = True) -> str:
    """Connect and return the URL used; apply pending migrations first if `run_migrations`.

    Without `run_migrations` a database whose schema is behind the code (or that does not
    exist yet) is refused with UserError("db.not_migrated"), and nothing is created. The
    context is made global so that every task (aiohttp handlers, bolt listeners, job
    workers) sees the same connections, not only the task that opened them. On failure the
    connections are closed again, so nothing is left for the event loop to complain about.
    """
    await probe(url)
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
