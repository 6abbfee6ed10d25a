"""What the bot has sent for a job key, so a retried job repeats nothing; and which inbound
events it has seen, so a platform's retry is handled once (`first_time`).

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

__all__ = ["find", "first_time", "forget", "record"]

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


async def first_time(key: str) -> bool:
    """Record an inbound event's id (a Slack event, a Teams activity) before it is handled;
    False if it was recorded before, so a platform's retry is acknowledged and dropped."""
    try:
        await ProcessedEvent.create(key=key)
    except IntegrityError:
        return False
    return True


async def forget(key: str) -> None:
    """Let an inbound event be handled again: its handling failed and the platform retries."""
    await ProcessedEvent.filter(key=key).delete()
