"""Shared fixtures: the database (SQLite by default, PostgreSQL when DATABASE_URL says so).

The same tests run on both backends: `.ci/run` runs the suite once with the embedded
default and once with DATABASE_URL pointing at a real PostgreSQL server. The schema is
always made by the project's migrations, once per test session; each test then starts
from empty tables (a copy of the migrated SQLite file, or TRUNCATE on PostgreSQL).

A test that touches no database (pure dialogue, reporting and rendering tests) cannot
answer differently on PostgreSQL, so the PostgreSQL pass leaves it to the SQLite pass: it
runs there only if it asks for a database (the `database_url` fixture, through `db` or
directly) or its module reads DATABASE_URL itself (CLI subprocesses, replicas), unless
it is marked `own_database` (its commands run on SQLite files of their own).
"""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from models.db import close_db, is_postgres, open_db, tortoise_config

pytest_plugins = ["tests.slack_fixtures"]

_migrated: dict[str, bool] = {}


def database_url_from_env() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url or None


_sqlite_template: dict[str, Path] = {}


async def sqlite_template(folder: Path) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    if "path" not in _sqlite_template:
        path = folder / "template.sqlite3"
        await open_db(f"sqlite://{path}")
        await close_db()
        _sqlite_template["path"] = path
    return _sqlite_template["path"]


async def _truncate_postgres() -> None:
    client = connections.get("default")
    tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
    quoted = ", ".join(f'"{table}"' for table in tables)
    await client.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


@pytest.fixture
async def database_url(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    """The URL the test's database lives at, migrated and empty."""
    url = database_url_from_env()
    if url and is_postgres(url):
        return url
    template = await sqlite_template(tmp_path_factory.getbasetemp())
    path = tmp_path / "fremdrift.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite://{path}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An open, migrated, empty database for one test; yields its URL."""
    if is_postgres(database_url):
        first = not _migrated.get(database_url)
        await open_db(database_url, run_migrations=first)
        _migrated[database_url] = True
        await _truncate_postgres()
    else:
        await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        yield database_url
    finally:
        await close_db()


def _touches_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("own_database") is not None:
        return False
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    module = getattr(item, "module", None)
    return module is not None and "DATABASE_URL" in inspect.getsource(module)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only the tests that touch a database (see above)."""
    url = database_url_from_env()
    if not (url and is_postgres(url)):
        return
    kept = [item for item in items if _touches_database(item)]
    left = [item for item in items if not _touches_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
