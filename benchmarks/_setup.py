"""What the Slack benchmarks stand on: a generated programme, a fresh database, an open round.

The programme is KOL-shaped but as wide as a benchmark needs: ``units`` units with one
lead each (a Slack user of the stand-in) and ``milestones`` national milestones in groups
of eight, with Danish-length titles, definitions and baseline deadlines, so a checklist
message is the size a real one is. It is written as a programme YAML file and loaded
through ``models.programme_file.load_programme_file``, as an admin would. The round is
opened through the round service (``service.rounds.open_round``) and its invitations are sent
by the round's own job worker through ``SlackMessenger``: every lead starts from a real
invitation DM in the stand-in.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import yaml
from tortoise import Tortoise, connections

from models.db import close_db, is_postgres, open_db
from standins.slack import SlackStub
from standins.slack.models import Message

KEY = "bench"
ADMIN_KEY = "sekretariat"
ADMIN_SLACK = "U0BENCHADM1"
GROUP_SIZE = 8
TITLE = "Implementering af telemedicinsk løsning i kommune og almen praksis, fase {n}"
DEFINITION = (
    "Milepælen er nået, når løsningen er taget i brug af de første borgere, når "
    "kommunernes sygeplejersker er uddannet, og når driftsorganisationen er etableret ({n})."
)
DEADLINES = ("Medio 2019", "2. kvartal 2019", "27-11-2019", "Ultimo 2019", "uge 34 2020")


def lead_key(index: int) -> str:
    return f"pl-u{index:04d}"


def lead_slack_id(index: int) -> str:
    return f"U0BL{index:07d}"


def unit_key(index: int) -> str:
    return f"u{index:04d}"


def milestone_codes(milestones: int) -> list[str]:
    return [f"{i // GROUP_SIZE + 1}.{i % GROUP_SIZE + 1}" for i in range(milestones)]


def programme_document(units: int, milestones: int) -> dict[str, object]:
    """The programme file's content: no quiet hours, no reminders, no automatic close."""
    people: list[dict[str, object]] = [
        {"key": ADMIN_KEY, "name": "Porteføljesekretariatet", "slack": ADMIN_SLACK}
    ]
    people += [
        {"key": lead_key(i), "name": f"Projektleder, Enhed {i:04d}", "slack": lead_slack_id(i)}
        for i in range(units)
    ]
    codes = milestone_codes(milestones)
    groups: list[dict[str, object]] = []
    for start in range(0, milestones, GROUP_SIZE):
        number = start // GROUP_SIZE + 1
        groups.append(
            {
                "number": str(number),
                "title": f"Gruppe {number}: teknisk løsning er indkøbt og klar til drift",
                "milestones": [
                    {
                        "code": codes[i],
                        "title": TITLE.format(n=codes[i]),
                        "definition": DEFINITION.format(n=codes[i]),
                        "deadline": DEADLINES[i % len(DEADLINES)],
                    }
                    for i in range(start, min(start + GROUP_SIZE, milestones))
                ],
            }
        )
    return {
        "key": KEY,
        "title": "Fremdrift, benchmark",
        "language": "da",
        "timezone": "Europe/Copenhagen",
        "settings": {
            "reminders": [],
            "quiet_hours": None,
            "auto_close": False,
            "late_answers": "refuse",
        },
        "people": people,
        "admins": [ADMIN_KEY],
        "units": [
            {"key": unit_key(i), "name": f"Enhed {i:04d}", "leads": [lead_key(i)]}
            for i in range(units)
        ],
        "groups": groups,
    }


async def load_programme(folder: Path, units: int, milestones: int) -> Path:
    """Write the programme file and load it through the loader admins use."""
    from models.programme_file import load_programme_file

    path = folder / "bench-programme.yaml"
    text = yaml.safe_dump(
        programme_document(units, milestones), allow_unicode=True, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    await load_programme_file(path)
    return path


# -- databases ---------------------------------------------------------------------------------
@dataclass
class Database:
    """A migrated, empty database for one benchmark configuration."""

    name: str  # "sqlite" or "postgres"
    url: str
    folder: Path

    async def open(self) -> None:
        _forget_statements()
        await open_db(self.url, run_migrations=False)

    async def close(self) -> None:
        await close_db()


async def fresh_database(name: str, postgres_url: str | None, folder: Path) -> Database:
    """SQLite: a new file in ``folder``; PostgreSQL: migrated, then every table emptied."""
    _forget_statements()
    if name == "sqlite":
        url = f"sqlite://{folder / 'bench.sqlite3'}"
        await open_db(url)
    else:
        if not postgres_url or not is_postgres(postgres_url):
            raise ValueError("a postgres:// URL is needed")
        url = postgres_url
        await open_db(url)
        tables = [m._meta.db_table for app in Tortoise.apps.values() for m in app.values()]
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connections.get("default").execute_script(
            f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"
        )
    await close_db()
    return Database(name, url, folder)


def _forget_statements() -> None:
    """Tortoise caches each model's INSERT/UPDATE SQL by connection *name*, not dialect:
    after SQLite, PostgreSQL in the same process would get SQLite's placeholders."""
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()


def scratch_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# -- the round -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedRound:
    round_id: int
    invitations: int
    sent: int
    failed: int
    seconds: float


def deadline_text(now: datetime) -> str:
    day = (now + timedelta(days=14)).date()
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


async def open_round_with_invitations(api_url: str, bot_token: str) -> OpenedRound:
    """Open a round through the round service and let its worker send every invitation.

    Call with the database open and every lead a user of the stand-in.
    """
    import time

    from bot.settings import Settings
    from bot.slack.client import job_client
    from bot.slack.messenger import SlackMessenger
    from conversations.clock import SystemClock
    from models.jobs import Job, JobStatus
    from models.people import Person
    from models.programme import Programme
    from service.round_jobs import build_worker
    from service.rounds import open_round

    started = time.perf_counter()
    programme = await Programme.get(key=KEY)
    admin = await Person.get(key=ADMIN_KEY)
    now = datetime.now(UTC)
    opened = await open_round(programme, "Benchmark-runde", deadline_text(now), admin, now)
    async with aiohttp.ClientSession() as session:
        client = job_client(bot_token, api_url, session)
        worker = build_worker(
            SlackMessenger(client),
            clock=SystemClock(),
            settings=Settings(job_concurrency=16),
            worker_id="bench-setup",
        )
        await worker.run_until_idle()
    round_id = opened.round.id
    sent = await Job.filter(round_id=round_id, kind="invite", status=JobStatus.DONE).count()
    failed = await Job.filter(round_id=round_id, kind="invite", status=JobStatus.FAILED).count()
    return OpenedRound(round_id, opened.invitations, sent, failed, time.perf_counter() - started)


async def bare_targets(slack: SlackStub, round_id: int, count: int) -> list[tuple[str, Message]]:
    """Messages for the bare app's clicks: a real milestone view, in ``count`` users' DMs.

    The view is the first milestone of unit 0's checklist, built and rendered as the app
    would (nothing is stored), so a bare click carries a payload of the real size. The
    users are the stand-in's only: the bare app never looks anyone up.
    """
    from conversations.state import Phase, State
    from conversations.views import build
    from models.checklists import UNIT, Scope, load_context
    from models.people import Person
    from models.round import Round
    from render.slack.views import render_view

    round_ = await Round.get(id=round_id)
    person = await Person.get(key=lead_key(0))
    context = await load_context(round_, Scope(UNIT, unit_key(0)), person, datetime.now(UTC))
    state = State(phase=Phase.ASKING, code=context.items[0].code, version=1)
    rendered = render_view(build(state, context))
    targets: list[tuple[str, Message]] = []
    for i in range(count):
        user = slack.workspace.add_user(f"bare{i}", user_id=f"U0BARE{i:05d}", locale="da-DK")
        dm = slack.workspace.dm_with(user.id)
        assert dm is not None
        message = slack.state.post_as_bot(dm.id, text=rendered.text, blocks=rendered.blocks)
        targets.append((user.id, message))
    return targets
