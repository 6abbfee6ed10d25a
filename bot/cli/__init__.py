"""The fremdrift command: one Typer app with a sub-command per area."""

from __future__ import annotations

import typer

from bot.cli import db, demo, programme, serve, teams, try_
from bot.cli import round as round_commands  # noqa: F401  (adds open, status, … to round_app)
from bot.cli.round_export import round_app

app = typer.Typer(
    name="fremdrift",
    help="Fremdrift runs a portfolio's status reporting in chat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(programme.app, name="programme")
app.add_typer(round_app, name="round")
app.add_typer(teams.app, name="teams")
app.command("try")(try_.try_checklist)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)


def main() -> None:
    app()
