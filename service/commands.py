"""Carrying out a parsed command for a person, platform-free.

Slack's `/fremdrift` and Teams' bot commands both parse with `conversations.commands` and
execute here; the reply is data (a message key, or checklists, or a round's status) that
each adapter renders. Who may run a round is decided by service/rounds.py, for the CLI too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from conversations.clock import Clock
from conversations.commands import Command, parse
from conversations.errors import UserError
from conversations.events import Start, encode
from models.checklists import ChecklistRef, checklists_for, load_context
from models.people import Person, Role
from models.programme import Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus, Submission
from render.nouns import nouns_for
from service import people, planned_rounds, rounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChecklistLine:
    round_name: str
    scope_title: str
    answered: int
    total: int
    submitted: bool
    resume: str  # the wire of a Start event for this checklist


@dataclass
class CommandReply:
    key: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    checklists: list[ChecklistLine] = field(default_factory=list)
    status: object | None = None
    language: str = "da"


Handler = Callable[[Command, Person, Programme | None, Clock], Awaitable[CommandReply]]


async def programmes_of(person: Person) -> list[Programme]:
    ids = await Role.filter(person=person).distinct().values_list("programme_id", flat=True)
    return await Programme.filter(id__in=list(ids)).order_by("key")


async def resolve_programme(command: Command, person: Person) -> Programme:
    """The programme a command is about: named, or the only one the person works in."""
    if command.programme:
        programme = await Programme.get_or_none(key=command.programme)
        if programme is None:
            raise UserError("command.unknown_programme", key=command.programme)
        return programme
    mine = await programmes_of(person)
    if not mine:
        raise UserError("command.no_programme")
    if len(mine) > 1:
        raise UserError("command.which_programme", programmes=[p.key for p in mine])
    return mine[0]


async def execute_line(
    line: str,
    actor: Person,
    clock: Clock,
    handlers: dict[str, Handler] | None = None,
    *,
    fallback_language: str,
) -> CommandReply:
    """A command line as typed in Slack or Teams: parsed against the programmes' keys (a
    line may name one), then run as `execute` runs a command."""
    keys = await Programme.all().values_list("key", flat=True)
    command = parse(line, [str(key) for key in keys])
    log.info("command", extra={"actor": actor.key, "kind": command.name})
    return await execute(command, actor, clock, handlers, fallback_language=fallback_language)


async def execute(
    command: Command,
    actor: Person,
    clock: Clock,
    handlers: dict[str, Handler] | None = None,
    *,
    fallback_language: str,
) -> CommandReply:
    """Run a command for `actor`; user mistakes raise UserError with a message key.

    The reply is in the actor's language (`people.reader_language`, the command's
    programme if it has one); `fallback_language` is the deployment's.
    """
    table = {**HANDLERS, **(handlers or {})}
    handler = table.get(command.name)
    if handler is None:
        raise UserError("command.unknown", text=command.name.replace(".", " "))
    programme: Programme | None = None
    if command.name not in ("help", "me", "back"):
        programme = await resolve_programme(command, actor)
    reply = await handler(command, actor, programme, clock)
    reply.language = await people.reader_language(actor, programme, fallback=fallback_language)
    if programme is not None:  # the reply in the programme's own nouns («29 emner»)
        own = (programme.nouns or {}).get(reply.language)
        reply.params.setdefault("noun", nouns_for(reply.language, own, programme.unit_label))
    return reply


async def on_help(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    return CommandReply("command.help")


async def on_me(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    """Every checklist the person is asked to answer in an open round, and how far it is."""
    programme_ids = [p.id for p in await programmes_of(actor)]
    rounds = await Round.filter(programme_id__in=programme_ids, status=RoundStatus.OPEN)
    lines: list[ChecklistLine] = []
    for round_ in rounds:
        for ref in await checklists_for(actor, round_):
            lines.append(await _line(ref, round_, actor, clock))
    if not lines:
        return CommandReply("command.me_none")
    return CommandReply("command.me_title", checklists=lines)


async def _line(ref: ChecklistRef, round_: Round, actor: Person, clock: Clock) -> ChecklistLine:
    context = await load_context(round_, ref.scope, actor, clock.now())
    submitted = await Submission.exists(round_id=round_.id, scope=ref.scope.wire)
    return ChecklistLine(
        round_name=round_.name,
        scope_title=ref.title,
        answered=sum(1 for item in context.items if item.code in context.answers),
        total=len(context.items),
        submitted=submitted,
        resume=encode(round_.id, ref.scope.wire, Start()),
    )


async def on_programme_show(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    assert programme is not None
    units = await Unit.filter(programme=programme).order_by("position")
    return CommandReply(
        "command.programme_show",
        {
            "title": programme.title,
            "key": programme.key,
            "units": len(units),
            "unit_names": [unit.name for unit in units],
            "milestones": await Milestone.filter(programme=programme, unit_id=None).count(),
            "groups": await MilestoneGroup.filter(programme=programme).count(),
        },
    )


# --- rounds (service/rounds.py decides; these only pass the command on and shape the reply) ---


def _programme(programme: Programme | None) -> Programme:
    assert programme is not None, "execute() resolves the programme before admin commands"
    return programme


async def on_round_open(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    opened = await rounds.open_round(
        _programme(programme),
        command.args["name"],
        command.args["deadline"],
        actor,
        clock.now(),
        date_text=command.args.get("date"),
    )
    return CommandReply(
        "round.cli.opened",
        {
            "name": opened.round.name,
            "programme": _programme(programme).key,
            "deadline": opened.round.deadline,
            "timezone": opened.timezone,
            "invitations": opened.invitations,
            "reminders": list(opened.reminders),
            "closes_at": opened.closes_at,
        },
    )


async def on_round_status(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    report = await rounds.status(_programme(programme), actor, clock.now())
    return CommandReply(status=report)


async def on_round_list(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    lines = await rounds.list_rounds(_programme(programme), actor)
    return CommandReply(
        "round.cli.list",
        {"programme": _programme(programme).key, "rounds": [vars(line) for line in lines]},
    )


async def on_round_remind(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    count = await rounds.remind(
        _programme(programme), actor, clock.now(), unit=command.args.get("unit")
    )
    return CommandReply("round.cli.reminded", {"count": count})


async def on_round_deadline(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    moved = await rounds.set_deadline(
        _programme(programme), command.args["deadline"], actor, clock.now()
    )
    return CommandReply(
        "round.cli.deadline_moved",
        {
            "name": moved.round.name,
            "deadline": moved.round.deadline,
            "timezone": moved.timezone,
            "reminders": list(moved.reminders),
        },
    )


async def on_round_close(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    closed = await rounds.close(_programme(programme), actor, clock.now())
    return CommandReply(
        "round.cli.closed",
        {
            "name": closed.round.name,
            "missing": list(closed.missing),
            "publishing": closed.publishing,
        },
    )


async def on_round_reopen(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    round_ = await rounds.reopen(_programme(programme), actor, clock.now())
    return CommandReply("round.cli.reopened", {"name": round_.name})


async def on_round_publish(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    round_ = await rounds.publish(_programme(programme), actor, clock.now())
    return CommandReply("round.cli.publish_queued", {"name": round_.name})


async def on_round_plan(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    found, now = _programme(programme), clock.now()
    planned = await planned_rounds.plan(
        found, command.args["name"], command.args["meeting"], actor, now
    )
    return CommandReply("round.cli.planned", planned.params(found.key, now))


async def on_round_plan_move(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    found, now = _programme(programme), clock.now()
    moved = await planned_rounds.move(
        found, command.args["name"], command.args["meeting"], actor, now
    )
    return CommandReply("round.cli.plan_moved", moved.params(found.key, now))


async def on_round_plan_cancel(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    name = await planned_rounds.cancel_plan(_programme(programme), command.args["name"], actor)
    return CommandReply("round.cli.plan_cancelled", {"name": name})


async def on_away(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    tz = _programme(programme).timezone
    result = await people.away(actor, command.args["until"], clock.now(), tz)
    covered = [(title, list(names)) for title, names in result.covered_by]
    return CommandReply("round.away_set", {"until": result.until, "covered": covered})


async def on_back(
    command: Command, actor: Person, programme: Programme | None, clock: Clock
) -> CommandReply:
    invitations = await people.back(actor, clock.now())
    return CommandReply("round.back_set", {"invitations": invitations})


HistoryLink = Callable[[str, int], tuple[str, datetime]]
"""(programme key, days) → a signed URL of its history page and when it expires (bot/web/)."""


def round_link(make: HistoryLink | None, days: int) -> Handler:
    """`round link`: a signed link to the programme's history, for its admins only, valid
    `days`; the platform answers it to them alone. `make` None: the history is not served
    here (no secret or no public address) — `history.not_served`."""

    async def on_round_link(
        command: Command, actor: Person, programme: Programme | None, clock: Clock
    ) -> CommandReply:
        found = _programme(programme)
        await rounds.require_admin(found, actor)
        if make is None:
            raise UserError("history.not_served")
        url, expires = make(found.key, days)
        return CommandReply(
            "history.link_reply",
            {"programme": found.key, "url": url, "expires": expires, "timezone": found.timezone},
        )

    return on_round_link


def refuse(key: str) -> Handler:
    """A command this platform will not carry out here: the UserError `key`."""

    async def refused(
        command: Command, actor: Person, programme: Programme | None, clock: Clock
    ) -> CommandReply:
        raise UserError(key)

    return refused


HANDLERS: dict[str, Handler] = {
    "help": on_help,
    "me": on_me,
    "programme.show": on_programme_show,
    "round.open": on_round_open,
    "round.status": on_round_status,
    "round.list": on_round_list,
    "round.remind": on_round_remind,
    "round.deadline": on_round_deadline,
    "round.close": on_round_close,
    "round.reopen": on_round_reopen,
    "round.publish": on_round_publish,
    "round.plan": on_round_plan,
    "round.plan_move": on_round_plan_move,
    "round.plan_cancel": on_round_plan_cancel,
    "away": on_away,
    "back": on_back,
}
