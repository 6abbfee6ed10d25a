"""`fremdrift teams package`: the app package to upload to Teams (see docs/teams.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail, say
from bot.settings import get_settings
from bot.teams.package import SOURCE, build_package
from conversations.errors import UserError

app = typer.Typer(help="Microsoft Teams: build the app package to upload.", no_args_is_help=True)

Output = Annotated[Path, typer.Option("--output", "-o", help="Where to write the ZIP.")]
Source = Annotated[
    Path | None,
    typer.Option(
        help="A folder with manifest.json and the icons (default: the app files Fremdrift ships)."
    ),
]


@app.command("package")
def package(output: Output = Path("fremdrift-teams.zip"), source: Source = None) -> None:
    """Write the Teams app (manifest and icons) for TEAMS_APP_ID and FREMDRIFT_TEAMS_PUBLIC_URL."""
    try:
        settings = get_settings()
        data = build_package(settings.teams_app_id, settings.teams_public_url, source or SOURCE)
    except UserError as error:  # a SettingsError too: one line, exit code 2
        fail(error)
    output.write_bytes(data)
    say("teams.package.written", path=str(output), app_id=settings.teams_app_id)
