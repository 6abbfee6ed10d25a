"""What every CLI command shares: the database around the command, and errors as one line.

A command's body is a coroutine; `run_with_db` opens the database (migrating only for
`db migrate`), runs it, and closes the database again. A `UserError` becomes one clear line
on stderr in the CLI's language and exit code 1 — never a traceback; a setting that
cannot be used (or a database URL that can never be opened) exits with code 2, and a
database that cannot be used now (a corrupt file, a server that does not answer) is said
in one line within seconds (`models.db.probe`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

from bot.settings import SettingsError, get_settings
from conversations.errors import UserError
from conversations.vocabulary import LANGUAGES
from models.db import DatabaseMisconfigured, close_db, open_db
from render.i18n import text

T = TypeVar("T")

console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def cli_language() -> str:
    """The settings' language; while the settings cannot be read (that is being said), the
    environment's FREMDRIFT_LANGUAGE if it names one, else Danish."""
    try:
        return get_settings().language
    except SettingsError:
        wanted = os.environ.get("FREMDRIFT_LANGUAGE", "")
        return wanted if wanted in LANGUAGES else LANGUAGES[0]


SETUP_ERRORS = (SettingsError, DatabaseMisconfigured)
"""Mistakes in how Fremdrift is set up rather than in the command: exit code 2."""


def fail(error: UserError) -> NoReturn:
    """Print a user's mistake as one line and leave with exit code 1 (2 for a setting)."""
    language = cli_language()
    message = text(language, error.key, **error.params)
    err_console.print(text(language, "cli.error", message=message), markup=False)
    raise typer.Exit(code=2 if isinstance(error, SETUP_ERRORS) else 1)


def say(key: str, /, **params: object) -> None:
    console.print(text(cli_language(), key, **params), markup=False)


def run_with_db(
    body: Callable[[], Awaitable[T]], *, database_url: str | None = None, migrate: bool = False
) -> T:
    """Run an async command body with the database open; user errors end as one line.

    Only `db migrate` passes `migrate=True`; every other command opens the database as it
    is, and one that is not migrated is refused in one line.
    """

    async def wrapper() -> T:
        await open_db(
            database_url or get_settings().resolved_database_url(), run_migrations=migrate
        )
        try:
            return await body()
        finally:
            await close_db()

    try:
        return asyncio.run(wrapper())
    except UserError as error:
        fail(error)
    except KeyboardInterrupt:
        sys.exit(130)
