"""The fremdrift command: one Typer app with a sub-command per area.

Conventions every command keeps: an output path is `--output/-o`; a table has a header row;
a person's mistake is one line on stderr (exit code 1, `bot.cli.common.fail`); a usage error
— an unknown command or option, a missing or unreadable value — is one line too, with exit
code 2 (`main`). Only `db migrate` and `serve` change the database's schema.

Every word comes from the message catalogue (render/messages/*/cli.yaml and the area's
own file), with one exception, declared here and in README: the help texts (`--help`,
these docstrings and the options' `help=`) and Click's own detail of a usage error
("No such option: --x") are English only.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from bot.cli import db, demo, programme, serve, teams, try_
from bot.cli import round as round_commands  # noqa: F401  (adds open, status, … to round_app)
from bot.cli.common import cli_language, err_console, say
from bot.cli.round_export import round_app
from render.i18n import text

app = typer.Typer(
    name="fremdrift",
    help="Fremdrift runs a portfolio's status reporting in chat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(programme.app, name="programme")
app.add_typer(
    round_app,
    name="round",
    help=(
        "Rounds: open one; list them; status (who has answered what); remind; deadline (move "
        "it); close, reopen and publish; away and back (a person's absence); jobs (the queue); "
        "export a round's documents; import earlier rounds; link (a signed link to the "
        "programme's history page); plan (rounds planned on the meeting calendar: plan, move, "
        "cancel)."
    ),
)
app.add_typer(teams.app, name="teams")
app.command("try")(try_.try_checklist)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)


def _version() -> str:
    try:
        return version("fremdrift")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def _print_version(wanted: bool) -> None:
    if wanted:
        say("cli.version", version=_version())
        raise typer.Exit()


@app.callback()
def fremdrift(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print Fremdrift's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Fremdrift runs a portfolio's status reporting in chat."""


def main() -> None:
    """The console script: Typer's app, with a usage error as one line and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as error:  # Click's errors: usage (2), unreadable file (1)
        if type(error).__name__ != "NoArgsIsHelpError":  # the help is printed already
            _usage_error(error)
        code = error.exit_code
    except typer.Abort:
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


def _usage_error(error: typer.TyperException) -> None:
    """One line on stderr: the catalogue's frame around Click's detail, and where help is."""
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "fremdrift"
    detail = error.format_message().rstrip(".")
    language = cli_language()
    message = text(language, "cli.usage", detail=detail, command=command)
    err_console.print(text(language, "cli.error", message=message), markup=False)
