"""What the bot has sent for a job key, so a retried job repeats nothing.

Slack's messenger looks in a channel's history for the key; a Teams bot cannot read a
chat's history (that would take Microsoft Graph permissions), so the bot writes down each
send as it completes: the job's key and the activity id Teams gave back. A retried job
finds the earlier send here. The row is `ProcessedEvent` (a unique key and a time), with
the activity id after the key.

What this cannot cover: a send that Teams took but whose answer never came back (a
dropped connection, a crash between Teams' answer and this write) is sent again when the
job is retried — at least once for that narrow window, where Slack gets exactly once.
"""

from __future__ import annotations

from contextlib import suppress

from tortoise.exceptions import IntegrityError

from models.conversation import ProcessedEvent

PREFIX = "teams:sent:"
SEPARATOR = "#"


def _key(key: str) -> str:
    return f"{PREFIX}{key}{SEPARATOR}"


async def find(key: str) -> str | None:
    """The activity id sent for this key, if any."""
    row = await ProcessedEvent.filter(key__startswith=_key(key)).first()
    return row.key[len(_key(key)) :] if row else None


async def record(key: str, activity_id: str) -> None:
    with suppress(IntegrityError):  # the same send recorded twice is the same record
        await ProcessedEvent.create(key=(_key(key) + activity_id)[:255])
