"""`fremdrift demo`: a whole reporting round on this machine, no Slack account, no set-up.

The round is played by bot/demo through the real app and the Slack stand-in, into a fresh
SQLite database inside the output folder (never the user's own data); this module is the
terminal's side: the options, the progress bar and the summary, all in the catalogue's
words (render/messages/*/demo.yaml).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from babel.numbers import format_decimal
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import cli_language, console, err_console
from conversations.errors import UserError
from conversations.vocabulary import LANGUAGES
from render.i18n import BABEL_LOCALE, text

if TYPE_CHECKING:
    from bot.demo.scenario import DemoResult


class Bar:
    """The demo's progress, shown as one rich progress bar."""

    def __init__(self, progress: Progress, language: str) -> None:
        self.progress = progress
        self.language = language
        self.task = progress.add_task("", total=None)

    def begin(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def phase(self, key: str) -> None:
        self.progress.update(self.task, description=text(self.language, f"demo.phase.{key}"))

    def advance(self, steps: int = 1) -> None:
        self.progress.advance(self.task, steps)


def demo(
    lang: Annotated[
        str, typer.Option("--lang", help="da or en: the people's and documents' language.")
    ] = "da",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The folder to write to (default: fremdrift-demo-<time>)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", hidden=True)] = None,
) -> None:
    """Play a whole KOL reporting round through the real app and a local Slack stand-in."""
    try:
        result = _run(lang, output or out)  # --out: the spelling before --output, kept working
    except UserError as error:
        language = lang if lang in LANGUAGES else cli_language()
        message = text(language, error.key, **error.params)
        err_console.print(text(language, "cli.error", message=message), markup=False)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        sys.exit(130)
    _summary(result)


def _run(language: str, out: Path | None) -> DemoResult:
    if language not in LANGUAGES:
        raise UserError("demo.bad_language", text=language, choices=", ".join(LANGUAGES))
    folder = (out or Path(f"fremdrift-demo-{datetime.now():%Y%m%d-%H%M%S}")).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError("demo.out_not_empty", folder=str(folder))

    from bot.demo.checkout import demo_inputs
    from bot.demo.scenario import run_demo

    checkout = demo_inputs()

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = Bar(progress, language)
        return asyncio.run(run_demo(checkout, folder, language=language, progress=bar))


def _say(language: str, key: str, /, **params: object) -> None:
    console.print(text(language, key, **params), markup=False)


def _summary(result: DemoResult) -> None:
    language = result.language
    _say(language, "demo.summary.title", round=result.round)
    colours = result.colours
    _say(
        language,
        "demo.summary.colours",
        cells=result.cells,
        green=colours["green"],
        yellow=colours["yellow"],
        red=colours["red"],
        unstated=colours["none"],
        not_reported=colours["not_reported"],
    )
    _say(
        language,
        "demo.summary.answers",
        answers=result.answers,
        submitted=result.submitted,
        clicks=result.clicks,
        modals=result.modals,
    )
    dms = result.dms
    _say(
        language,
        "demo.summary.dms",
        total=sum(dms.values()),
        invite=dms.get("invite", 0),
        remind=dms.get("remind", 0),
        note=dms.get("note", 0),
        handover=dms.get("handover", 0),
    )
    for departure in result.departures:
        _say(
            language,
            "demo.summary.departure",
            code=departure.code,
            unit=departure.unit_name,
            field=text(language, f"demo.field.{departure.field}"),
            seed=_value(language, departure.seed),
            given=_value(language, departure.given),
        )
    _say(language, "demo.summary.files", folder=str(result.folder))
    for written in result.files:
        size = format_decimal(written.size / 1024, format="#,##0.0", locale=BABEL_LOCALE[language])
        _say(language, "demo.summary.file", name=written.path.name, size=size)
    seconds = format_decimal(result.elapsed, format="#,##0.0", locale=BABEL_LOCALE[language])
    _say(language, "demo.summary.elapsed", seconds=seconds)
    _say(language, "demo.summary.open")


def _value(language: str, value: str) -> str:
    return text(language, f"demo.value.{value}") if value in ("yes", "no") else value
