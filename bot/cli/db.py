"""`fremdrift db …`: the schema and the embedded database file."""

from __future__ import annotations

import typer

from bot.cli.common import run_with_db, say
from models.db import default_url

app = typer.Typer(help="The database: migrate, back up.", no_args_is_help=True)


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (applies pending migrations)."""

    async def body() -> None:
        return None

    run_with_db(body)
    say("cli.db_migrated", url=redact(default_url()))


def redact(url: str) -> str:
    """A database URL fit to print: the password replaced by ***."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
