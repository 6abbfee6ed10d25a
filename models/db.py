"""Opening the database, with its schema brought up to date by Tortoise's migrations.

SQLite is the embedded default; PostgreSQL is for several replicas sharing the work.
TORTOISE_ORM is what tortoise makemigrations reads (pyproject's [tool.tortoise]).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.migrations.api import migrate

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
    """Connect, apply pending migrations, and return the URL used.

    The context is made global so that every task (aiohttp handlers, bolt listeners, job
    workers) sees the same connections, not only the task that opened them.
    """
    _ensure_sqlite_folder(url)
    config = tortoise_config(url)
    if run_migrations:
        await migrate(config=config)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    return url


async def close_db() -> None:
    """Close the connections and release the global context, so a later open_db starts clean."""
    await Tortoise.close_connections()


def dialect() -> str:
    """'sqlite' or 'postgres', for the few queries that differ (job claims)."""
    client = connections.get("default")
    name = type(client).__module__
    return "postgres" if "asyncpg" in name or "psycopg" in name else "sqlite"


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://fremdrift-dev.sqlite3")
