"""The database failing under the app: SQLite full or read-only; PostgreSQL restarted
while clicks flow. The person is told "not saved, try again" (checklist.busy), nothing is
half-written, and the app carries on without a restart once the database is back. The job
worker under the same faults: tests/test_faults_worker.py.
"""

from __future__ import annotations

import asyncio
import copy
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.db import is_postgres
from models.people import Person
from models.programme import Milestone, MilestoneGroup, Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from render.i18n import catalogue
from standins.slack import SlackStub
from tests.factories import OPENED, Small, small_programme
from tests.faults_support import asks, checklist_message, live, row_counts, settle, told
from tests.slack_app import KOL, join_workspace, running_app

LEAD = "U0ALICE001"
ADMIN = "U0ADMIN001"
SYD = "unit:syd"
NOW = OPENED + timedelta(days=1)
BUSY = catalogue("da").text("checklist.busy")
ON_POSTGRES = is_postgres(os.environ.get("DATABASE_URL", ""))


# -- SQLite: full, read-only -----------------------------------------------------------------
async def pragma(statement: str) -> None:
    await connections.get("default").execute_script(f"PRAGMA {statement}")


async def page_count() -> int:
    rows = await connections.get("default").execute_query_dict("PRAGMA page_count")
    return int(rows[0]["page_count"])


async def fill_to_the_brim() -> None:
    """No page may be added, and the answer table's last page holds no more rows: the next
    answer needs a page the database cannot have (SQLite's "database or disk is full")."""
    programme = await Programme.create(key="fyld", title="Fyld", language="da")
    group = await MilestoneGroup.create(programme=programme, number="1", title="Fyld")
    milestone = await Milestone.create(programme=programme, group=group, code="F", title="F")
    round_ = await Round.create(
        programme=programme, name="fyld", status=RoundStatus.CLOSED, opened_at=OPENED
    )
    await pragma(f"max_page_count = {await page_count()}")
    refusal = ""
    for n in range(10_000):
        try:
            await Answer.create(
                round_id=round_.id, milestone=milestone, scope=f"fyld-{n}", answered_at=NOW
            )
        except OperationalError as error:  # the first refusal is what we filled for
            refusal = str(error)
            break
    assert "database or disk is full" in refusal, refusal


@dataclass
class Restriction:
    impose: str
    lift: str


@pytest.fixture
async def app(db: str, slack: SlackStub) -> AsyncIterator[tuple[Fremdrift, Small]]:
    small = await small_programme()
    await join_workspace(slack)
    async with running_app(slack, "http", clock=ManualClock(NOW)) as running:
        yield running, small


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own file: max_page_count and query_only")
@pytest.mark.parametrize("kind", ["full", "read_only"])
async def test_a_full_or_read_only_sqlite_tells_the_lead_and_keeps_running(
    app: tuple[Fremdrift, Small], slack: SlackStub, kind: str
) -> None:
    running, small = app
    message = await checklist_message(running, slack, small.lead, small.round.id, SYD, LEAD)
    await slack.click(LEAD, message, "fd:start:")
    await settle(running)
    assert asks(live(slack, LEAD))
    question = copy.deepcopy(live(slack, LEAD))
    if kind == "full":
        await fill_to_the_brim()
        lift = "max_page_count = 1000000"
    else:
        await pragma("query_only = 1")
        lift = "query_only = 0"
    before = await row_counts()
    conversation = await Conversation.get(person=small.lead)

    delivery = await slack.click(LEAD, question, "fd:progress:reached")
    await settle(running)
    assert delivery.acked  # answered, and what was answered is "not saved"
    assert told(slack, LEAD, BUSY)
    assert await row_counts() == before  # nothing half-written
    again = await Conversation.get(id=conversation.id)
    assert (again.version, again.state) == (conversation.version, conversation.state)

    await pragma(lift)  # room again: the same process carries on
    delivery = await slack.click(LEAD, question, "fd:progress:reached")
    await settle(running)
    assert delivery.acked
    assert await Answer.filter(round_id=small.round.id).count() == 1
    assert await AnswerRevision.all().count() == 1
    assert "Milepæl nået" in str(live(slack, LEAD).blocks)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own file: query_only")
async def test_a_command_on_a_read_only_sqlite_is_answered(
    app: tuple[Fremdrift, Small], slack: SlackStub
) -> None:
    _, small = app
    await Round.filter(id=small.round.id).update(status=RoundStatus.CLOSED, open_slot=None)
    await pragma("query_only = 1")
    before = await row_counts()
    delivery = await slack.command(ADMIN, "/fremdrift", "round open 13. møde deadline om 5 dage")
    await pragma("query_only = 0")
    assert await row_counts() == before
    assert delivery.status == 200, delivery.status
    assert told(slack, ADMIN, "det blev ikke gemt")


# -- PostgreSQL restarted under load --------------------------------------------------------
def pg_ctl() -> list[str]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    assert bins, "PostgreSQL's pg_ctl not found"
    command = [str(bins[-1])]
    if os.geteuid() == 0:
        command = [shutil.which("runuser") or "runuser", "-u", "postgres", "--", *command]
    return command


async def restart_postgres() -> None:
    """`pg_ctl restart -m fast`: every connection is cut, the server is away for a moment."""
    folder = Path(os.environ["PG_DIR"])
    process = await asyncio.create_subprocess_exec(
        *pg_ctl(),
        "-D",
        str(folder / "data"),
        "-l",
        str(folder / "log"),
        "-m",
        "fast",
        "-w",
        "restart",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()


KOL_LEADS = {
    f"U0KOL0000{n}1": unit
    for n, unit in enumerate(
        ["hovedstaden", "midtjylland", "nordjylland", "sjaelland", "syddanmark"], start=1
    )
}


@dataclass
class Click:
    user: str
    action: str
    code: str
    acked: bool
    refused: bool  # told something other than the redrawn view (busy, moved on)
    after_restart: bool

    @property
    def stored(self) -> bool:
        """An answer Slack saw acknowledged and the lead was not told was refused."""
        return self.action == "fd:progress:started" and self.acked and not self.refused


@pytest.mark.skipif(
    not (ON_POSTGRES and os.environ.get("PG_DIR")),
    reason="restarts the test's own PostgreSQL cluster (DATABASE_URL on postgres, and PG_DIR "
    "from .ci/postgres.sh); SQLite has no server to restart",
)
async def test_postgres_restarted_while_five_leads_click_loses_and_doubles_nothing(
    db: str, slack: SlackStub
) -> None:
    await load_programme_file(KOL)
    programme = await Programme.get(key="kol-2018")
    round_ = await Round.create(
        programme=programme,
        name="13. møde",
        open_slot=programme.id,
        opened_at=NOW,
        deadline=NOW + timedelta(days=4),
    )
    await join_workspace(slack)
    slack.limits.disable()
    clicks: list[Click] = []
    under_load = asyncio.Event()
    restarted = asyncio.Event()
    async with running_app(slack, "http", clock=ManualClock(NOW)) as app:
        assert app.deps is not None
        for user, unit in KOL_LEADS.items():
            person = await Person.get(key=f"pl-{unit}")
            message = await checklist_message(app, slack, person, round_.id, f"unit:{unit}", user)
            await slack.click(user, message, "fd:start:")
        await settle(app)

        async def lead(user: str) -> None:
            """Answer and move on; after a click that failed, wait for the database."""
            for _ in range(200):
                message = live(slack, user)
                if not asks(message):
                    return
                assert message.blocks is not None
                code = str(message.blocks[0]["text"]["text"]).split()[1]
                answered = "vælg en status" not in str(message.blocks)
                action = "fd:next:" if answered else "fd:progress:started"
                posts = len(slack.response_url_posts)
                after_restart = restarted.is_set()
                delivery = await slack.click(user, message, action)
                await settle(app)
                notes = [
                    p
                    for p in slack.response_url_posts[posts:]
                    if p.url == delivery.response_url and not p.replace_original
                ]
                click = Click(user, action, code, delivery.acked, bool(notes), after_restart)
                clicks.append(click)
                if len(clicks) >= 10:
                    under_load.set()
                if not click.acked or click.refused:
                    await restarted.wait()
                stored_after = [
                    c for c in clicks if c.user == user and c.after_restart and c.stored
                ]
                if len(stored_after) >= 2:
                    return

        async def restart_when_busy() -> None:
            await under_load.wait()
            await restart_postgres()
            restarted.set()

        await asyncio.gather(restart_when_busy(), *(lead(user) for user in KOL_LEADS))
        assert restarted.is_set()
        # after the restart, the same app (no restart of its own) takes clicks again
        after = [c for c in clicks if c.after_restart and c.stored]
        assert len({c.user for c in after}) == len(KOL_LEADS), clicks

    stored = {
        (a.scope, a.milestone.code): a
        for a in await Answer.filter(round_id=round_.id).prefetch_related("milestone")
    }
    for click in clicks:
        if click.stored:
            answer = stored.get((KOL_LEADS[click.user], click.code))
            assert answer is not None, f"acknowledged and lost: {click}"
            assert answer.progress == "started"
    revisions = await AnswerRevision.filter(answer__round_id=round_.id).count()
    assert revisions == len(stored)  # none doubled: one revision per answer
    failed = [c for c in clicks if not c.acked or c.refused]
    assert failed, "the restart was not felt: no click failed or was refused"
