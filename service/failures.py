"""A DM or a publication that failed for good, told to the programme's admins so that they
can act on it.

The worker hands the round's `on_failed` hook the job and what its handler raised last
(service.jobs.Failure). `why` sorts that into what an admin can do something about — each
a message key of its own, `failure.publish.<why>` or `failure.dm.<why>` in
render/messages/*/failures.yaml, which names the round, whom or which channel, what went
wrong and what to do, in the admin's language — and the note goes into the queue in the
transaction that marks the job failed. The platform's own word (`channel_not_found`,
`403 Forbidden`) stays in the job's `last_error` and the log, for operators; a note shows
it only where the platform refused the message itself and an operator must look. A job
Fremdrift refused itself (a `UserError`) is `not_done`: each admin reads that refusal's own
words, in their language, not a platform's fault.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from conversations.errors import UserError
from models.jobs import Job
from models.people import Person
from models.programme import Programme
from models.round import Round
from render.i18n import catalogue as words
from service.jobs import Failure, JobSpec, enqueue_many
from service.messenger import DeliveryError, TransientFailure, Unreachable
from service.round_plan import NOTE, PUBLISH, admins_of

log = logging.getLogger(__name__)

RENDER_FAILED: Final = "delivery.render_failed"
"""The key of a publication that could not be compiled (service/round_jobs.py, publish)."""

CHANNEL_WHY: Final = {
    "channel_not_found": "channel_not_found",
    "not_in_channel": "not_in_channel",
    "is_archived": "channel_archived",
}
"""Slack's words for a steering channel the bot cannot post in."""
ACCOUNT_GONE: Final = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",  # Slack's answer for a DM to someone who has left
        "user_disabled",
        "account_inactive",
    }
)
CANNOT_DM: Final = frozenset({"cannot_dm_bot", "messages_tab_disabled"})

PUBLISH_WHYS: Final = (
    "not_in_channel",
    "channel_not_found",
    "channel_archived",
    "no_steering_channel",
    "render_failed",
    "gave_up",
    "refused",
    "not_done",
    "abandoned",
)
DM_WHYS: Final = (
    "no_account",
    "account_gone",
    "cannot_dm",
    "gave_up",
    "refused",
    "not_done",
    "abandoned",
)


def why(kind: str, failure: Failure) -> str:
    """What an admin can do something about, from what the job's handler raised last."""
    error = failure.error
    if error is None:
        return "abandoned"
    if isinstance(error, TransientFailure) or not isinstance(error, DeliveryError | UserError):
        return "gave_up"  # retried until max_attempts (the platform, or the database)
    if isinstance(error, UserError):
        return "not_done"  # Fremdrift's own refusal (the round is gone, …): said in its words
    if kind == PUBLISH:
        return _publication(error)
    if error.key == "delivery.no_account":
        return "no_account"
    if isinstance(error, Unreachable):
        return "cannot_dm" if error.detail in CANNOT_DM else "account_gone"
    return "refused"


def _publication(error: DeliveryError) -> str:
    if error.key == "delivery.no_steering_channel":
        return "no_steering_channel"
    if error.key == RENDER_FAILED:
        return "render_failed"
    if error.detail in CHANNEL_WHY:
        return CHANNEL_WHY[error.detail]
    if isinstance(error, Unreachable):  # Teams: 403 (the app is not in the team), 404
        return "channel_not_found" if error.detail.startswith("404") else "not_in_channel"
    return "refused"  # a PermanentFailure: the platform refused the message itself


def note_key(kind: str, reason: str) -> str:
    return f"failure.{'publish' if kind == PUBLISH else 'dm'}.{reason}"


async def tell_admins(job: Job, failure: Failure, now: datetime) -> int:
    """Queue a note to each admin of the job's programme (in the caller's transaction);
    how many were queued. A note that failed, or a job of no round, is only logged."""
    if job.kind == NOTE or job.round_id is None:
        log.error("job failed", extra={"job": job.id, "kind": job.kind, "reason": failure.reason})
        return 0
    round_ = await Round.get_or_none(id=job.round_id)
    if round_ is None:
        return 0
    programme = await Programme.get(id=round_.programme_id)
    person_id = job.payload.get("person_id")
    person = await Person.get_or_none(id=person_id) if isinstance(person_id, int) else None
    reason = why(job.kind, failure)
    error = failure.error
    params: dict[str, object] = {
        "round": round_.name,
        "programme": programme.key,
        "channel": programme.steering_channel,
        "person": person.name if person else "",
        "kind": job.kind,
        "attempts": job.attempts,
        "detail": error.detail if isinstance(error, DeliveryError) else "",
        "platform": str(error.params.get("platform") or "")
        if isinstance(error, DeliveryError)
        else "",
    }
    key = note_key(job.kind, reason)

    def told(admin: Person) -> dict[str, object]:
        """The note's data for one admin: a refusal of ours in their own language."""
        if not isinstance(error, UserError):
            return params
        return {**params, "reason": words(admin.language or programme.language).error(error)}

    return await enqueue_many(
        [
            JobSpec(
                NOTE,
                {"person_id": admin.id, "key": key, "params": told(admin)},
                now,
                f"note:failed:{job.id}:{admin.id}",
                round_.id,
            )
            for admin in await admins_of(round_.programme_id)
        ]
    )
