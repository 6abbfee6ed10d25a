"""Notes the previous version queued for admins still reach them after an upgrade.

A failing DM or publication used to queue a note under `round.admin.delivery_failed` or
`round.admin.publish_failed`; this version words failures by cause (failures.yaml) and
queues neither. A note queued just before an upgrade runs after it, so both keys stay in
the catalogue: without them the note failed to render and the admin heard nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from service.jobs import enqueue
from standins.slack import SlackStub
from tests.factories import small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker

OLD_NOTES = [
    ("round.admin.delivery_failed", {"person": "Niels Nord", "kind": "invite"}),
    ("round.admin.publish_failed", {}),
]


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


@pytest.mark.parametrize(("key", "params"), OLD_NOTES)
async def test_a_note_queued_by_the_previous_version_reaches_the_admin(
    out: Outbox, key: str, params: dict[str, object]
) -> None:
    small = await small_programme()
    old = {"round": small.round.name, "reason": "SlackApiError('not_in_channel')", **params}
    await enqueue(
        "note",
        {"person_id": small.admin.id, "key": key, "params": old},
        run_at=MONDAY_10,
        dedupe_key=f"legacy:{key}",
        round=small.round.id,
    )
    await round_worker(out, ManualClock(MONDAY_10)).run_until_idle()
    assert await Job.filter(kind="note", status=JobStatus.DONE).count() == 1
    [note] = await out.notices(key, small.admin)
    said = note.message.text or ""
    assert small.round.name in said
    assert "SlackApiError" not in said  # the old note's reason was a Python repr
