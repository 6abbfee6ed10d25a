"""`fremdrift try`: the checklist dialogue in a terminal, as any person who answers one.

A person can feel the conversation without Slack: the programme file (or a shipped
programme's key, from any folder) is loaded into a database of the trial's own (a
temporary SQLite file by default, deleted at the end), a closed round with a few answers
is made so "last round" and "same as last round" show something, and an open round with a
deadline a week ahead is answered through the real `ChecklistRunner` — the same views,
words, refusals and stored revisions as in Slack (service/trial.py). `--as PERSON`
plays that person's checklist — a unit's lead or deputy, a reporter, a topic owner —
and without it, the first lead of `--unit` plays.

The terminal is only an edge: a typed key becomes the neutral event the Slack button would
send (`read_key`), the runner applies it, and the view and refusals it returns are printed
by render/terminal/views.py. Which keys a view answers to is the dialogue's table's to say
(`accepts`): the events it takes in the phase the view was drawn in. Each event is one
`loop.run(...)` on a single `asyncio.Runner`, and keys are read between them in plain
synchronous code, so Ctrl-C and Ctrl-D end the trial at once and cleanly: the database is
closed and the temporary one removed.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Coroutine
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from tortoise.exceptions import ConfigurationError, DBConnectionError, OperationalError

from bot.cli.common import cli_language
from conversations.checklist import FORECAST_LIMIT, FROM_A_MILESTONE, REMARK_LIMIT, TRANSITIONS
from conversations.clock import SystemClock
from conversations.errors import UserError
from conversations.events import (
    Edit,
    Event,
    GiveForecast,
    GiveRemark,
    GiveText,
    Jump,
    SetCritical,
    SetDelay,
    SetProgress,
)
from conversations.questions import TEXT_LIMITS, Question
from conversations.views import (
    ClosedView,
    ConfirmBaselineView,
    ConfirmForecastView,
    MilestoneView,
    View,
)
from models.db import close_db, open_db
from programmes import programme_file
from render.i18n import normalise_language, text
from render.terminal.views import (
    DELAY_KEYS,
    KEY_EVENTS,
    PROGRESS_KEYS,
    TEXT_KEYS,
    Key,
    render_line,
    render_prompt,
    render_tell,
    render_text_prompt,
    render_view,
)
from render.view_common import label_of
from service.runner import ChecklistRunner, Reply
from service.trial import SOURCE, Trial, prepare

ASKING_VIEWS = (MilestoneView, ConfirmForecastView, ConfirmBaselineView)
"""Views of the milestone being asked: a key on them is about that milestone."""
DEFAULT_PROGRAMME = Path("kol-2018")  # a shipped programme, found by programme_file
DATABASE_FILE = "try.sqlite3"


class Language(StrEnum):
    DA = "da"
    EN = "en"


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class AskText:
    """Ask for a forecast or a remark on a line of its own, as Slack's modal does."""

    field: str


@dataclass(frozen=True)
class Unknown:
    typed: str


@dataclass(frozen=True)
class CodeNeeded:
    pass


Action = Event | Quit | AskText | Unknown | CodeNeeded | None


def accepts(view: View) -> frozenset[type[Event]]:
    """The events the dialogue takes where the view was drawn (a closed round: none).

    Slack shows fewer buttons at times (no Next before a status is chosen); a key it would
    not show still goes to the dialogue, which refuses it in its own words, so the terminal
    never invents a rule."""
    if isinstance(view, ClosedView) or view.header.phase is None:
        return frozenset()
    return TRANSITIONS.takes(view.header.phase)


def read_key(line: str, view: View) -> Action:
    """What a typed line asks of this view: an event as the Slack button would send it."""
    typed = line.strip()
    head, _, rest = typed.partition(" ")
    key, rest = head.lower(), rest.strip()
    version = view.header.version
    shown = view.code if isinstance(view, ASKING_VIEWS) else None
    if key == Key.QUIT and not rest:
        return Quit()
    kind = KEY_EVENTS.get(key)
    if kind is Edit and shown is not None:
        kind = Jump  # from a milestone: go to another one, not back to the review
    if kind is None or kind not in accepts(view):
        return Unknown(typed) if typed else None
    if kind in (Edit, Jump):
        return kind(version=version, code=rest) if rest else CodeNeeded()
    if rest:
        return Unknown(typed)
    code = shown if shown is not None and kind in FROM_A_MILESTONE else ""
    if kind is SetProgress:
        return SetProgress(progress=PROGRESS_KEYS[key], version=version, code=code)
    if kind is SetDelay:
        return SetDelay(delay=DELAY_KEYS[key], version=version, code=code)
    if kind is SetCritical:
        if not isinstance(view, MilestoneView):
            return Unknown(typed)  # no answer shown to turn critical on or off
        critical = view.draft is not None and view.draft.critical
        return SetCritical(critical=not critical, version=version, code=code)
    if kind in (GiveForecast, GiveRemark):
        return AskText("forecast" if kind is GiveForecast else "remark")
    if kind is GiveText:
        asked = view.typed if isinstance(view, MilestoneView) else ()
        question = TEXT_KEYS[key]
        return AskText(question.value) if question in asked else Unknown(typed)
    return kind(version=version, code=code)


class Session:
    """The loop: show the view, read a key, send its event, show what came back."""

    def __init__(self, loop: asyncio.Runner, console: Console, trial: Trial, language: str):
        self.loop = loop
        self.console = console
        self.trial = trial
        self.language = language
        self.runner = ChecklistRunner(SystemClock(), SOURCE)
        self.last_code = ""

    def run(self) -> None:
        """Until q, Ctrl-D (EOFError) or Ctrl-C (KeyboardInterrupt, left to the caller)."""
        trial = self.trial
        view = self._show(self.runner.current(trial.lead, trial.round_id, trial.scope), None)
        while view is not None:
            action = read_key(self.console.input(render_prompt(self.language)), view)
            if isinstance(action, Quit):
                return
            if isinstance(action, AskText):
                action = self._ask_text(action.field, view)
            if isinstance(action, Event):
                step = self.runner.handle(trial.lead, trial.round_id, trial.scope, action)
                view = self._show(step, view)
            elif isinstance(action, Unknown):
                self._say("terminal.unknown_key", key=action.typed)
            elif isinstance(action, CodeNeeded):
                self._say("terminal.code_needed", key=Key.EDIT.value, example=self.last_code)

    def _show(self, step: Coroutine[Any, Any, Reply], view: View | None) -> View | None:
        try:
            reply = self.loop.run(step)
        except UserError as error:
            self._say(error.key, **error.params)
            return view
        shown = reply.view or view
        if shown is not None:
            self.last_code = _example(shown) or self.last_code
            self.console.print()
            self.console.print(render_view(shown))
        for tell in reply.tells:
            self.console.print(render_tell(reply.language, tell.key, tell.params))
        return shown

    def _ask_text(self, field: str, view: View) -> Event | None:
        if not isinstance(view, ASKING_VIEWS):
            return None
        draft = view.draft if isinstance(view, MilestoneView) else None
        if isinstance(view, ConfirmForecastView) and field == "forecast":
            current = view.text
        elif isinstance(view, ConfirmBaselineView) and field == "forecast":
            current = view.forecast
        elif draft is not None:
            current = draft.text(field)
        else:
            current = ""
        limit = {"forecast": FORECAST_LIMIT, "remark": REMARK_LIMIT}.get(field) or TEXT_LIMITS[
            Question(field)
        ]
        own = isinstance(view, MilestoneView) and (
            field in view.labels or field not in ("forecast", "remark")
        )
        self.console.print(
            render_text_prompt(
                self.language,
                field,
                code=view.code,
                current=current,
                limit=limit,
                label=label_of(view)(field) if own else None,
            )
        )
        typed = self.console.input(render_prompt(self.language, text=True)).strip()
        if not typed:
            self._say("terminal.cancelled")
            return None
        version = view.header.version
        if field == "forecast":
            return GiveForecast(text=typed, code=view.code, version=version)
        if field == "remark":
            return GiveRemark(text=typed, code=view.code, version=version)
        return GiveText(field=field, text=typed, code=view.code, version=version)

    def _say(self, key: str, /, **params: object) -> None:
        self.console.print(render_tell(self.language, key, params))


def _example(view: View) -> str:
    if isinstance(view, ASKING_VIEWS):
        return view.code
    rows = getattr(view, "rows", ())
    return str(rows[0].code) if rows else ""


def _play(
    loop: asyncio.Runner,
    console: Console,
    url: str,
    args: tuple[Path, str | None, str, str | None],
) -> int:
    """Open the database, prepare the trial, run the session; always close the database."""
    file, unit, language, person = args
    try:
        loop.run(open_db(url))
    except (ConfigurationError, DBConnectionError, OperationalError, OSError) as error:
        return _fail(language, UserError("terminal.database_unusable", reason=str(error)))
    try:
        trial = loop.run(prepare(file, unit, language, SystemClock().now(), person))
        console.print(
            render_line(
                language,
                "terminal.welcome_reporter" if trial.reporter else "terminal.welcome",
                unit=trial.unit,
                programme=trial.programme,
                person=trial.lead.name,
            )
        )
        Session(loop, console, trial, language).run()
    except UserError as error:
        return _fail(language, error)
    except EOFError:
        console.print()
    except KeyboardInterrupt:
        console.print()
        return 130
    finally:
        loop.run(close_db())
    console.print(render_line(language, "terminal.bye"))
    return 0


def _fail(language: str, error: UserError) -> int:
    """A mistake as one line on stderr, in the trial's language; the exit code."""
    message = text(language, error.key, **error.params)
    Console(stderr=True, highlight=False).print(
        text(language, "cli.error", message=message), markup=False
    )
    return 1


def try_checklist(
    programme: Annotated[
        Path,
        typer.Option(
            "--programme",
            help="The programme to try: a file, or the key of a shipped one.",
            parser=programme_file,
        ),
    ] = DEFAULT_PROGRAMME,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="The unit's key (default: the programme's first unit)."),
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Play this person's checklist, by their key in the programme: a lead, a "
            "deputy, a reporter or a topic owner (default: the unit's first lead).",
        ),
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help="da or en (default: FREMDRIFT_LANGUAGE)."),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Keep the trial in this database, which must not hold the programme "
            "(default: a temporary SQLite file, deleted at the end).",
        ),
    ] = None,
) -> None:
    """Answer a checklist in the terminal, with the views and choices of Slack."""
    language = lang.value if lang is not None else normalise_language(cli_language())
    console = Console(highlight=False, emoji=False)
    with ExitStack() as stack:
        url = database
        if url is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="fremdrift-try-"))
            url = f"sqlite://{Path(folder) / DATABASE_FILE}"
            console.print(render_line(language, "terminal.temporary"))
        else:
            console.print(render_line(language, "terminal.database"))
        with asyncio.Runner() as loop:
            status = _play(loop, console, url, (programme, unit, language, person))
    if database is None:
        console.print(render_line(language, "terminal.removed"))
    raise typer.Exit(status)
