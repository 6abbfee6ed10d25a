"""The demo's round, start to end, through the real app and the Slack stand-in.

Time line (a manual clock; the programme's time zone is Europe/Copenhagen):

- Monday 11 June 2018, 10:00 — the admin types `/fremdrift round open <name> deadline
  <Friday 12:00>`; the job worker sends every lead, deputy and the reporter an invitation
  DM. Hovedstaden's, Midtjylland's and Nordjylland's leads answer and submit.
- Tuesday 12 June, 09:00 — the programme's first reminder time: the worker reminds those
  who have not submitted. Sjælland's and Syddanmark's leads and FUT then answer, starting
  from the reminder, and submit.
- Wednesday 13 June, 09:00 — the admin types `/fremdrift round close`; the worker runs the
  publication: the summary in the steering channel, the matrix and the documents in its
  thread.

The stand-in's rate limits are disabled: the worker runs on the manual clock, on which a
429's Retry-After would only pass when the demo moved the clock, and the demo is about
the round, not about waiting (tests/test_rounds_slack.py covers 429s).

Nothing outlives `run_demo`: the app, the stand-in and the database are stopped and closed
in reverse order, whatever happens.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from bot.demo.checkout import DemoInputs
from bot.demo.outputs import DATABASE, LOG, Written, write_outputs
from bot.demo.players import DemoError, Player
from bot.demo.seed import Departure, Given, read_answers, reporter_answers
from bot.logs import JsonFormatter
from bot.runtime import Fremdrift
from bot.settings import Settings
from conversations.clock import ManualClock
from conversations.context import Item
from conversations.vocabulary import Colour
from models.answer import Answer
from models.checklists import APART, REPORTER, UNIT, Scope, load_context
from models.jobs import Job, JobStatus
from models.people import Account, Person, Platform, Role, RoleKind
from models.programme import Programme
from models.programme_file import read_programme_file
from models.programme_store import save_programme
from models.round import Round, Submission
from render.i18n import text
from service.round_jobs import build_worker
from standins.slack import SlackStub

MONDAY_10 = datetime(2018, 6, 11, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2018, 6, 12, 7, 0, tzinfo=UTC)
WEDNESDAY_9 = datetime(2018, 6, 13, 7, 0, tzinfo=UTC)
FIRST_DAY = ("hovedstaden", "midtjylland", "nordjylland")  # the rest answer after a reminder
DM_KINDS = ("invite", "remind", "handover", "note")
PHASES = ("setup", "open", "invite", "answer", "remind", "answer_late", "close", "publish", "write")
QUIET_LOGGERS = ("slack_sdk", "slack_bolt", "aiohttp.access", "tortoise", "asyncio")


class Progress(Protocol):
    """What the demo tells whoever shows its progress (the CLI's progress bar)."""

    def begin(self, total: int) -> None: ...

    def phase(self, key: str) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class NoProgress:
    def begin(self, total: int) -> None:
        return None

    def phase(self, key: str) -> None:
        return None

    def advance(self, steps: int = 1) -> None:
        return None


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    language: str
    round: str
    colours: dict[str, int]  # cells per Colour value, from the JSON Slack received
    cells: int
    answers: int
    submitted: int
    dms: dict[str, int]  # by job kind
    clicks: int
    modals: int
    files: tuple[Written, ...]
    departures: tuple[Departure, ...]
    elapsed: float
    acks: tuple[float, ...] = ()  # seconds from each delivery (command, click, modal) to its ack


@dataclass(frozen=True)
class Checklist:
    """One checklist the demo plays: who answers it and what they say."""

    user_id: str
    scope: Scope
    answers: dict[str, Given]
    items: int
    apart: dict[str, dict[str, Given]] = dataclasses.field(default_factory=dict)


async def run_demo(
    checkout: DemoInputs, folder: Path, *, language: str, progress: Progress | None = None
) -> DemoResult:
    """Play the round into `folder` (created; must not hold anything yet)."""
    started = time.perf_counter()
    shown = progress or NoProgress()
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    clock = ManualClock(MONDAY_10)
    with _logging_to(folder / LOG):
        async with SlackStub(seed_workspace=False) as slack:
            slack.limits.disable()
            app = Fremdrift(_settings(slack, folder / DATABASE, language), clock=clock)
            async with _running(app, slack) as url:
                slack.request_url = f"{url}/slack/events"
                played = await _play(app, slack, checkout, language, clock, shown)
                summary = await _tally(played.round)
            acks = tuple(delivery.elapsed for delivery in slack.deliveries)
            written = write_outputs(slack, folder, played.channel, language, started=started)
            shown.advance()
    colours, cells = _colours(written)
    return DemoResult(
        folder=folder,
        language=language,
        round=played.round.name,
        colours=colours,
        cells=cells,
        answers=summary.answers,
        submitted=summary.submitted,
        dms=summary.dms,
        clicks=played.clicks,
        modals=played.modals,
        files=written,
        departures=played.departures,
        elapsed=time.perf_counter() - started,
        acks=acks,
    )


def _settings(slack: SlackStub, database: Path, language: str) -> Settings:
    identity = slack.identity
    return Settings(
        _env_file=None,  # pydantic-settings: read no .env file
        database_url=f"sqlite://{database}",
        slack_bot_token=SecretStr(identity.bot_token),
        slack_signing_secret=SecretStr(identity.signing_secret),
        slack_app_token=None,
        slack_api_url=slack.api_url,
        language=language,
        worker_id="demo",
    )


@asynccontextmanager
async def _running(app: Fremdrift, slack: SlackStub) -> AsyncIterator[str]:
    await app.start()
    try:
        yield await app.serve_http("127.0.0.1", 0)
    finally:
        slack.request_url = None
        await app.stop()


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """The app's log lines (JSON) into the output folder while the demo runs, not the screen."""
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    saved_level = root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    root.addHandler(handler)
    root.setLevel(min(saved_level, logging.INFO) if saved_level else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(saved_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


@dataclass(frozen=True)
class Played:
    round: Round
    channel: str
    clicks: int
    modals: int
    departures: tuple[Departure, ...]


async def _play(
    app: Fremdrift,
    slack: SlackStub,
    checkout: DemoInputs,
    language: str,
    clock: ManualClock,
    progress: Progress,
) -> Played:
    progress.phase("setup")
    programme = await _load_programme(checkout, language)
    admin = await _join_workspace(slack, programme)
    progress.advance()

    progress.phase("open")
    name = text(language, "demo.round_name")
    deadline = text(language, "demo.deadline")
    line = text(language, "demo.command_open", name=name, deadline=deadline)
    reply = await _command(slack, admin, line)
    round_ = await Round.get_or_none(programme_id=programme.id)
    if round_ is None:
        raise DemoError(f"/fremdrift {line}: {reply}")
    progress.advance()

    checklists, departures = await _checklists(checkout, programme, round_, clock.now())
    progress.begin(len(PHASES) + sum(c.items for c in checklists))

    progress.phase("invite")
    await _run_jobs(app, clock)
    progress.advance()

    players: list[Player] = []

    async def answer(first_day: bool) -> None:
        wanted = [c for c in checklists if (c.scope.key in FIRST_DAY) == first_day]
        team = [
            Player(slack, c.user_id, c.answers, progress.advance, apart=c.apart) for c in wanted
        ]
        players.extend(team)
        await asyncio.gather(*(player.play() for player in team))

    progress.phase("answer")
    await answer(first_day=True)

    progress.phase("remind")
    clock.set(TUESDAY_9)
    await _run_jobs(app, clock)
    progress.advance()

    progress.phase("answer_late")
    await answer(first_day=False)
    progress.advance(2)  # the two answering phases themselves

    progress.phase("close")
    clock.set(WEDNESDAY_9)
    await _command(slack, admin, text(language, "demo.command_close"))
    progress.advance()

    progress.phase("publish")
    await _run_jobs(app, clock)
    if app.deps is not None:
        await app.deps.deliveries.drain()
    if not slack.messages(programme.steering_channel):
        raise DemoError("the round was not published")
    progress.advance()
    progress.phase("write")
    return Played(
        round=await Round.get(id=round_.id),
        channel=programme.steering_channel,
        clicks=sum(p.clicks for p in players),
        modals=sum(p.modals for p in players),
        departures=tuple(departures),
    )


async def _load_programme(checkout: DemoInputs, language: str) -> Programme:
    """The KOL programme, with the programme and its people in the demo's language."""
    file = read_programme_file(checkout.programme)
    spec = file.spec.model_copy(
        update={
            "language": language,
            "people": [p.model_copy(update={"language": language}) for p in file.spec.people],
        }
    )
    await save_programme(dataclasses.replace(file, spec=spec))
    return await Programme.get(key=spec.key)


async def _join_workspace(slack: SlackStub, programme: Programme) -> str:
    """Every person with a Slack id becomes a user of the stand-in; the steering channel
    exists with the bot in it. Returns the admin's user id."""
    accounts = await Account.filter(platform=Platform.SLACK).prefetch_related("person")
    for account in accounts:
        locale = "da-DK" if (account.person.language or programme.language) == "da" else "en-GB"
        slack.workspace.add_user(
            account.person.key,
            user_id=account.user_id,
            real_name=account.person.name,
            locale=locale,
        )
    admin_role = await Role.filter(programme=programme, kind=RoleKind.ADMIN).first()
    if admin_role is None:
        raise DemoError("the programme has no admin")
    admin = next(a.user_id for a in accounts if a.person_id == admin_role.person_id)
    slack.workspace.add_channel(
        text(programme.language, "demo.channel"),
        channel_id=programme.steering_channel,
        members=[admin],
    )
    return admin


async def _command(slack: SlackStub, user: str, line: str) -> str:
    """Type a slash command; returns the ephemeral reply the admin reads."""
    delivery = await slack.command(user, "/fremdrift", line)
    if delivery.status != 200:
        raise DemoError(f"/fremdrift {line}: {delivery}")
    replies = slack.ephemerals(user)
    return (replies[-1].text or "") if replies else ""


async def _run_jobs(app: Fremdrift, clock: ManualClock) -> None:
    """What a replica's worker does between polls: every job that is due, once."""
    worker = build_worker(app.messenger(), clock=clock, settings=app.settings)
    await worker.run_until_idle()


async def _checklists(
    checkout: DemoInputs, programme: Programme, round_: Round, now: datetime
) -> tuple[list[Checklist], list[Departure]]:
    """Each unit's lead and each reporter, with the answers seed 000 gives them."""
    seed = read_answers(checkout.seed, checkout.local_items)
    names = {u.key: u.name for u in await programme.units.all().order_by("position")}
    units = list(names)
    roles = await Role.filter(
        programme=programme, kind__in=[RoleKind.LEAD, RoleKind.REPORTER]
    ).prefetch_related("person")
    users = {a.person_id: a.user_id for a in await Account.filter(platform=Platform.SLACK)}
    checklists: list[Checklist] = []
    departures: list[Departure] = []
    leads: dict[str, Person] = {}
    reporters: dict[str, Person] = {}
    for role in roles:
        if role.kind is RoleKind.LEAD:
            leads.setdefault(role.scope, role.person)
        else:
            reporters[role.person.key] = role.person
    for unit in units:
        lead = leads[unit]
        scope = Scope(UNIT, unit)
        context = await load_context(round_, scope, lead, now)
        answers = {code: given for code, given in seed.get(unit, {}).items()}
        checklists.append(Checklist(users[lead.id], scope, answers, _asked(context.items, answers)))
    for key, person in sorted(reporters.items()):
        scope = Scope(REPORTER, key)
        context = await load_context(round_, scope, person, now)
        codes = [item.code for item in context.items]
        answers, found = reporter_answers(seed, codes, units)
        departures.extend(dataclasses.replace(d, unit_name=names[d.unit]) for d in found)
        # Where a unit departs from the common answer, the reporter sets it apart and gives
        # it seed 000's answer for that milestone.
        apart: dict[str, dict[str, Given]] = {}
        for departure in found:
            apart.setdefault(departure.unit, {})[departure.code] = seed[departure.unit][
                departure.code
            ]
        asked = _asked(context.items, answers) + sum(len(a) for a in apart.values())
        checklists.append(Checklist(users[person.id], scope, answers, asked, apart))
    return checklists, departures


def _asked(items: tuple[Item, ...], answers: dict[str, Given]) -> int:
    """How many of the checklist's items the person will answer (the progress bar's steps)."""
    return sum(1 for item in items if item.code in answers)


@dataclass(frozen=True)
class Tally:
    answers: int
    submitted: int
    dms: dict[str, int]


async def _tally(round_: Round) -> Tally:
    sent: Counter[str] = Counter()
    for job in await Job.filter(round_id=round_.id, kind__in=DM_KINDS, status=JobStatus.DONE):
        if (job.result or {}).get("sent"):
            sent[job.kind] += 1
    return Tally(
        answers=await Answer.filter(round_id=round_.id).count(),
        # checklists handed in; a reporter's answers set apart for a unit are not one more
        submitted=await Submission.filter(round_id=round_.id)
        .exclude(scope__contains=APART)
        .count(),
        dms=dict(sent),
    )


def _colours(written: tuple[Written, ...]) -> tuple[dict[str, int], int]:
    """Cells per colour, read from the JSON document as Slack received it."""
    document = next((w for w in written if w.kind == "json"), None)
    if document is None:
        raise DemoError("no JSON document was published")
    # The matrix's cells; the units' own items follow them in the file, marked `local`.
    cells = [c for c in json.loads(document.path.read_bytes())["cells"] if not c.get("local")]
    counts = Counter(str(cell["colour"]) for cell in cells)
    return {colour.value: counts.get(colour.value, 0) for colour in Colour}, len(cells)
