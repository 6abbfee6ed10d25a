"""`fremdrift programme …`: load a programme file, show a programme, list them.

The commands only translate: models/programme_file.py reads and validates,
service/programme_changes.py writes (and brings an open round along: invitations,
reminders, the close);
programmes/ resolves a shipped programme's key (`kol-2018`) to its file;
models/programme_view.py reads back. Every heading and sentence comes from the catalogue
(render/messages/*/programme.yaml); user data goes into rich Text cells so a "[ØA18]" in a
title is printed, never read as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli.common import cli_language, console, fail, run_with_db, say
from conversations.clock import SystemClock
from conversations.errors import UserError
from models.programme_file import (
    LoadSummary,
    ProgrammeRow,
    ProgrammeView,
    Tally,
    list_programmes,
    programme_overview,
)
from models.programme_view import DeadlineView, MilestoneView, PersonRef
from programmes import programme_file, shipped
from render.i18n import text
from render.nouns import Nouns, nouns_for
from service.programme_changes import RoundChanges, load_programme_path

app = typer.Typer(
    help="Programmes: load one (a file, or a shipped one by key), show one, list them.",
    no_args_is_help=True,
)


def _t(key: str, /, **params: object) -> str:
    return text(cli_language(), f"programme.{key}", **params)


def _nouns(own: Mapping[str, Mapping[str, str]], unit_label: str = "") -> Nouns:
    """The programme's nouns in the CLI's language (its own, else KOL's)."""
    language = cli_language()
    return nouns_for(language, own.get(language), unit_label)


def _table(title: str | None, *columns: str, noun: Nouns | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    own: dict[str, object] = {"noun": noun} if noun else {}
    for column in columns:
        table.add_column(_t(f"{column}", **own))
    return table


def _names(people: tuple[PersonRef, ...]) -> Text:
    return Text(", ".join(person.name for person in people) or _t("show.nobody"))


@app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Argument(
            help="A programme's YAML file, or the key of one that ships with Fremdrift "
            f"({', '.join(shipped())})."
        ),
    ],
) -> None:
    """Validate a programme file and write it to the database (nothing is written if it is bad).

    A name that is not a file but a shipped programme's key loads that programme's file.
    """
    path = programme_file(file)
    if not path.exists() and path.suffix not in (".yaml", ".yml") and len(path.parts) == 1:
        fail(UserError("cli.programme_not_found", name=str(file), shipped=", ".join(shipped())))
    loaded = run_with_db(lambda: load_programme_path(path, SystemClock().now()))
    _print_summary(loaded.summary)
    if loaded.round is not None:
        _print_round_changes(loaded.round)


def _print_summary(summary: LoadSummary) -> None:
    state = "created" if summary.created else "updated" if summary.changed else "unchanged"
    console.print(
        _t(f"cli.loaded_{state}", programme=summary.key, title=summary.title), markup=False
    )
    noun = _nouns(summary.nouns)
    table = _table(
        None,
        *(
            f"cli.column.{c}"
            for c in ("kind", "total", "created", "updated", "unchanged", "removed")
        ),
    )
    kinds: dict[str, Tally] = {
        "units": summary.units,
        "groups": summary.groups,
        "milestones": summary.milestones,
        "local_items": summary.local_items,
        "people": summary.people,
        "deadlines": summary.deadlines,
        "roles": summary.roles,
        "accounts": summary.accounts,
    }
    for kind, tally in kinds.items():
        counts = (tally.total, tally.created, tally.updated, tally.unchanged, tally.removed)
        label = _t(f"cli.kind.{kind}", noun=noun)
        table.add_row(Text(label), *(Text(str(count)) for count in counts))
    console.print(table)


def _print_round_changes(changes: RoundChanges) -> None:
    """What the load did to the open round: invitations, people dropped, the schedule."""
    dropped = [{"name": d.name, "checklist": d.checklist} for d in changes.dropped]
    say(
        "programme.cli.round_changed", round=changes.round, invited=changes.invited, dropped=dropped
    )
    if changes.replanned:
        say(
            "programme.cli.round_replanned",
            reminders=list(changes.reminders),
            closes_at=changes.closes_at,
            timezone=changes.timezone,
        )


@app.command("show")
def show(key: Annotated[str, typer.Argument(help="The programme's key, e.g. kol-2018.")]) -> None:
    """Show a programme: its groups and milestones, who answers them, deadlines, and units."""
    view = run_with_db(lambda: programme_overview(key))
    _print_heading(view)
    units = {unit.key: unit.name for unit in view.units}
    noun = _nouns(view.nouns, view.unit_label)
    for group in view.groups:
        title = _t("show.group", number=group.number, title=group.title, noun=noun)
        table = _milestone_table(title, group.milestones, units, noun=noun)
        console.print(table)
    _print_units(view, noun)


def _print_heading(view: ProgrammeView) -> None:
    lines = [_t("show.heading", programme=view.key, title=view.title)]
    if view.subtitle:
        lines.append(view.subtitle)
    lines.append(
        _t(
            "show.facts",
            language=view.language,
            timezone=view.timezone,
            channel=view.steering_channel,
            source=view.source,
        )
    )
    lines.append(_t("show.admins", names=", ".join(p.name for p in view.admins)))
    if view.open_round is None:
        lines.append(_t("show.no_open_round"))
    else:
        lines.append(_t("show.open_round", name=view.open_round))
    for line in lines:
        console.print(line, markup=False)


def _milestone_table(
    title: str,
    milestones: tuple[MilestoneView, ...],
    units: dict[str, str],
    *,
    noun: Nouns,
    local: bool = False,
) -> Table:
    """Items with who answers them and their deadlines; a unit's local items if `local`."""
    columns = ("code", "title", "answered_by", "deadline")
    table = _table(title, *(f"show.column.{c}" for c in columns), noun=noun)
    leads = _t("show.unit_leads_answer" if local else "show.leads_answer")
    for milestone in milestones:
        who = " / ".join(p.name for p in milestone.reporters) if milestone.reporters else leads
        deadlines = [_deadline(d, units, local=local) for d in milestone.deadlines]
        table.add_row(
            Text(milestone.code), Text(milestone.title), Text(who), Text("\n".join(deadlines))
        )
    return table


def _deadline(deadline: DeadlineView, units: dict[str, str], *, local: bool) -> str:
    if local or len(units) <= 1:  # one unit: its deadline is no «all: …»
        return deadline.text
    if deadline.unit is None:
        return _t("show.deadline_all", text=deadline.text)
    return _t(
        "show.deadline_unit", unit=units.get(deadline.unit, deadline.unit), text=deadline.text
    )


def _print_units(view: ProgrammeView, noun: Nouns) -> None:
    table = _table(
        _t("show.units", label=view.unit_label),
        *(f"show.column.{c}" for c in ("unit", "leads", "deputies")),
        noun=noun,
    )
    for unit in view.units:
        table.add_row(Text(unit.name), _names(unit.leads), _names(unit.deputies))
    console.print(table)
    units = {unit.key: unit.name for unit in view.units}
    for unit in view.units:
        if unit.local_items:
            title = _t("show.local_items", unit=unit.name)
            table = _milestone_table(title, unit.local_items, units, noun=noun, local=True)
            console.print(table)


@app.command("list")
def list_() -> None:
    """List the programmes: key, title, units, milestones and the open round, if any."""
    rows = run_with_db(list_programmes)
    if not rows:
        console.print(_t("list.empty"), markup=False)
        return
    _print_rows(rows)


def _print_rows(rows: list[ProgrammeRow]) -> None:
    columns = ("key", "title", "units", "milestones", "open_round")
    table = _table(_t("list.title"), *(f"list.column.{c}" for c in columns))
    for row in rows:
        table.add_row(
            Text(row.key),
            Text(row.title),
            Text(str(row.units)),
            Text(str(row.milestones)),
            Text(row.open_round or _t("list.no_round")),
        )
    console.print(table)
