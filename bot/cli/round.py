"""`fremdrift round open|status|list|remind|deadline|close|reopen|publish|away|back|jobs`.

The same service as the slash command (service/rounds.py), run as an admin: `--as PERSON_KEY`,
by default the programme's first admin. The commands write the round and queue its jobs;
`fremdrift serve` runs the workers that send them. `round jobs` lists the job queue for
operators, as a table with a header. Every line comes from the catalogue
(render/messages/*/rounds.yaml).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli import (
    round_link,  # noqa: F401  (adds link to round_app)
    round_plan,  # noqa: F401  (adds plan to round_app)
)
from bot.cli.common import cli_language, console, run_with_db, say
from bot.cli.round_export import round_app
from conversations.clock import SystemClock
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from render.i18n import text
from render.round_report import round_status_text
from service import people, rounds
from service.jobs import recent_jobs
from service.round_status import RoundLine, RoundReport

ProgrammeKey = Annotated[str, typer.Option("--programme", help="The programme's key.")]
ActAs = Annotated[
    str | None,
    typer.Option("--as", help="The admin's person key (default: the programme's first admin)."),
]


def now() -> datetime:
    return SystemClock().now()


async def _context(programme_key: str, actor_key: str | None) -> tuple[Programme, Person]:
    programme = await rounds.find_programme(programme_key)
    actor = (
        await rounds.find_person(actor_key) if actor_key else await rounds.first_admin(programme)
    )
    return programme, actor


@round_app.command("open")
def open_(
    programme: ProgrammeKey,
    name: Annotated[str, typer.Option("--name", help='The round\'s name ("12. møde").')],
    deadline: Annotated[str, typer.Option("--deadline", help='When it closes ("fredag").')],
    actor: ActAs = None,
    day: Annotated[
        str | None,
        typer.Option("--date", help="The meeting's day, YYYY-MM-DD (default: the deadline's day)."),
    ] = None,
) -> None:
    """Open a round: invitations to every lead, deputy and reporter, reminders, close."""

    async def body() -> rounds.Opened:
        found, who = await _context(programme, actor)
        return await rounds.open_round(found, name, deadline, who, now(), date_text=day)

    opened = run_with_db(body)
    say(
        "round.cli.opened",
        name=opened.round.name,
        programme=programme,
        deadline=opened.round.deadline,
        timezone=opened.timezone,
        invitations=opened.invitations,
        reminders=list(opened.reminders),
        closes_at=opened.closes_at,
    )


@round_app.command("status")
def status(programme: ProgrammeKey, actor: ActAs = None) -> None:
    """Who has answered what in the latest round, per unit and per reporter."""

    async def body() -> RoundReport:
        found, who = await _context(programme, actor)
        return await rounds.status(found, who, now())

    print_report(run_with_db(body))


@round_app.command("list")
def list_(programme: ProgrammeKey, actor: ActAs = None) -> None:
    """Every round of the programme in date order: date, state, answers and submissions."""

    async def body() -> tuple[RoundLine, ...]:
        found, who = await _context(programme, actor)
        return await rounds.list_rounds(found, who)

    lines = run_with_db(body)
    say("round.cli.list", programme=programme, rounds=[vars(line) for line in lines])


def print_report(report: RoundReport) -> None:
    words = round_status_text(report, cli_language())
    console.print(words.head, markup=False)
    for line in words.lines:
        console.print(line.text, markup=False)
    if words.failed:
        console.print(words.failed, markup=False)


@round_app.command("remind")
def remind(
    programme: ProgrammeKey,
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit's people.")] = None,
    actor: ActAs = None,
) -> None:
    """Remind now everyone who has not submitted (or one unit's people)."""

    async def body() -> int:
        found, who = await _context(programme, actor)
        return await rounds.remind(found, who, now(), unit=unit)

    say("round.cli.reminded", count=run_with_db(body))


@round_app.command("deadline")
def deadline(
    when: Annotated[str, typer.Argument(help='The new deadline ("fredag kl. 12").')],
    programme: ProgrammeKey,
    actor: ActAs = None,
) -> None:
    """Move the open round's deadline; its reminders and close move with it."""

    async def body() -> rounds.Opened:
        found, who = await _context(programme, actor)
        return await rounds.set_deadline(found, when, who, now())

    moved = run_with_db(body)
    say(
        "round.cli.deadline_moved",
        name=moved.round.name,
        deadline=moved.round.deadline,
        timezone=moved.timezone,
        reminders=list(moved.reminders),
    )


@round_app.command("close")
def close(programme: ProgrammeKey, actor: ActAs = None) -> None:
    """Close the open round now: admins hear who did not answer; publication follows."""

    async def body() -> rounds.Closed:
        found, who = await _context(programme, actor)
        return await rounds.close(found, who, now())

    closed = run_with_db(body)
    say(
        "round.cli.closed",
        name=closed.round.name,
        missing=list(closed.missing),
        publishing=closed.publishing,
    )


@round_app.command("reopen")
def reopen(programme: ProgrammeKey, actor: ActAs = None) -> None:
    """Open the latest round again (until it is published)."""

    async def body() -> str:
        found, who = await _context(programme, actor)
        return (await rounds.reopen(found, who, now())).name

    say("round.cli.reopened", name=run_with_db(body))


@round_app.command("publish")
def publish(programme: ProgrammeKey, actor: ActAs = None) -> None:
    """Publish the latest closed round to the steering channel."""

    async def body() -> str:
        found, who = await _context(programme, actor)
        return (await rounds.publish(found, who, now())).name

    say("round.cli.publish_queued", name=run_with_db(body))


@round_app.command("away")
def away(
    person: Annotated[str, typer.Option("--person", help="The person's key.")],
    until: Annotated[str, typer.Option("--until", help='Their last day away ("20. juni").')],
) -> None:
    """Mark someone away: their reminders go to their unit's deputies meanwhile."""

    async def body() -> people.Away:
        return await people.away(await rounds.find_person(person), until, now())

    result = run_with_db(body)
    say("round.cli.away_set", person=result.person.name, until=result.until)


@round_app.command("back")
def back(person: Annotated[str, typer.Option("--person", help="The person's key.")]) -> None:
    """Someone is back: their DMs come to them again."""

    async def body() -> tuple[str, int]:
        found = await rounds.find_person(person)
        return found.name, await people.back(found, now())

    name, invitations = run_with_db(body)
    say("round.cli.back_set", person=name, invitations=invitations)


@round_app.command("jobs")
def jobs(
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme's rounds.")
    ] = None,
    state: Annotated[
        JobStatus | None, typer.Option("--status", help="Only jobs in this state.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 50,
) -> None:
    """The job queue, for operators: kind, state, when, attempts, key, last error."""

    async def body() -> list[Job]:
        found = None if programme is None else (await rounds.find_programme(programme)).id
        return await recent_jobs(found, state, limit)

    found_jobs = run_with_db(body)
    if not found_jobs:
        say("round.cli.jobs_none")
        return
    console.print(jobs_table(found_jobs))


JOB_COLUMNS = ("id", "kind", "status", "run_at", "attempts", "key", "error")


def jobs_table(found: list[Job]) -> Table:
    """One job a row under a header, in plain columns (no rules) that grep and awk can read."""
    language = cli_language()
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for column in JOB_COLUMNS:
        table.add_column(
            text(language, f"round.cli.jobs_column.{column}"), no_wrap=column != "error"
        )
    for job in found:
        table.add_row(
            Text(str(job.id)),
            Text(job.kind),
            Text(str(job.status)),
            Text(job.run_at.isoformat(timespec="seconds")),
            Text(f"{job.attempts}/{job.max_attempts}"),
            Text(job.dedupe_key or ""),
            Text(job.last_error or ""),
        )
    return table
