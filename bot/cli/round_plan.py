"""`fremdrift round plan`: rounds planned on the meeting calendar.

    fremdrift round plan --programme P --name N --meeting YYYY-MM-DD
    fremdrift round plan move NAME --meeting YYYY-MM-DD [--programme P]
    fremdrift round plan cancel NAME [--programme P]

The same service as `/fremdrift round plan …` (service/planned_rounds.py), run as an admin
(`--as PERSON_KEY`, by default the programme's first admin). A planned round opens itself
when `fremdrift serve` runs its job; `round list` shows it as planned until then. Every
line comes from the catalogue (render/messages/*/rounds.yaml).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from bot.cli.common import run_with_db, say
from bot.cli.round_export import round_app
from conversations.clock import SystemClock
from models.people import Person
from models.programme import Programme
from service import planned_rounds, rounds

plan_app = typer.Typer(
    help=(
        "Rounds planned on the meeting calendar: plan one (--programme, --name, --meeting); "
        "move (to another meeting day) or cancel a planned round."
    ),
    invoke_without_command=True,
)
round_app.add_typer(plan_app, name="plan")

MaybeProgramme = Annotated[
    str | None, typer.Option("--programme", help="The programme's key.", show_default=False)
]
ActAs = Annotated[
    str | None,
    typer.Option("--as", help="The admin's person key (default: the programme's first admin)."),
]
Meeting = Annotated[str, typer.Option("--meeting", help="The meeting's day, YYYY-MM-DD.")]
Name = Annotated[str, typer.Argument(help="The planned round's name.")]


def now() -> datetime:
    return SystemClock().now()


def _required(ctx: typer.Context, value: str | None, option: str) -> str:
    """A value the command needs; missing, it is a usage error (one line, exit code 2)."""
    if value is None:
        raise typer.BadParameter("this option is required here", ctx=ctx, param_hint=f"'{option}'")
    return value


def _programme_of(ctx: typer.Context, given: str | None) -> str:
    """--programme after the subcommand, or before it (`round plan --programme P move …`)."""
    parent = ctx.parent.params.get("programme") if ctx.parent is not None else None
    return _required(ctx, given or (parent if isinstance(parent, str) else None), "--programme")


def _actor_of(ctx: typer.Context, given: str | None) -> str | None:
    """--as after the subcommand, or before it."""
    parent = ctx.parent.params.get("actor") if ctx.parent is not None else None
    return given or (parent if isinstance(parent, str) else None)


async def _context(programme_key: str, actor_key: str | None) -> tuple[Programme, Person]:
    programme = await rounds.find_programme(programme_key)
    actor = (
        await rounds.find_person(actor_key) if actor_key else await rounds.first_admin(programme)
    )
    return programme, actor


@plan_app.callback()
def plan(
    ctx: typer.Context,
    programme: MaybeProgramme = None,
    name: Annotated[
        str | None, typer.Option("--name", help='The round\'s name ("13. møde").')
    ] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="The meeting's day, YYYY-MM-DD.")
    ] = None,
    actor: ActAs = None,
) -> None:
    """Plan a round for a meeting: it opens itself before the meeting, with its deadline set
    by the programme's settings (open_days_before, deadline_days_before)."""
    if ctx.invoked_subcommand is not None:
        return
    key = _required(ctx, programme, "--programme")
    round_name = _required(ctx, name, "--name")
    day = _required(ctx, meeting, "--meeting")

    async def body() -> planned_rounds.Planned:
        found, who = await _context(key, actor)
        return await planned_rounds.plan(found, round_name, day, who, now())

    planned = run_with_db(body)
    say("round.cli.planned", **planned.params(key, now()))


@plan_app.command("move")
def move(
    ctx: typer.Context,
    name: Name,
    meeting: Meeting,
    programme: MaybeProgramme = None,
    actor: ActAs = None,
) -> None:
    """Move a planned round to another meeting day; its opening and deadline move along."""
    key, actor = _programme_of(ctx, programme), _actor_of(ctx, actor)

    async def body() -> planned_rounds.Planned:
        found, who = await _context(key, actor)
        return await planned_rounds.move(found, name, meeting, who, now())

    moved = run_with_db(body)
    say("round.cli.plan_moved", **moved.params(key, now()))


@plan_app.command("cancel")
def cancel(
    ctx: typer.Context, name: Name, programme: MaybeProgramme = None, actor: ActAs = None
) -> None:
    """Cancel a planned round: it will not open."""
    key, actor = _programme_of(ctx, programme), _actor_of(ctx, actor)

    async def body() -> str:
        found, who = await _context(key, actor)
        return await planned_rounds.cancel_plan(found, name, who)

    say("round.cli.plan_cancelled", name=run_with_db(body))
