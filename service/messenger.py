"""What the round machinery needs from a chat platform, and nothing more.

Jobs (invitations, reminders, notes to admins, publication) are written in the database
and sent by workers through a `Messenger`. Slack (bot/slack/messenger.py) and Microsoft
Teams (bot/teams/messenger.py) implement it on one base (service/messenger_base.py). Every
send carries an idempotency key: a send that may already have happened (a retried job
after a crash or a lost response) must not show the person the same message twice, so
implementations check before they resend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from conversations.views import View


class DeliveryError(Exception):
    """A send failed; the worker decides what to do from the subclass.

    Like a `UserError`, it carries a message key (render/messages/*/delivery.yaml) and its
    data, so whoever tells a person about it says it in their language; `detail` is the
    platform's own word for it (`channel_not_found`, `403 Forbidden`), kept for operators.
    `str(error)` is the detail, else the key: never a sentence.
    """

    default_key = "delivery.failed"

    def __init__(self, detail: str = "", *, key: str | None = None, **params: object) -> None:
        self.key = key or self.default_key
        self.detail = detail
        self.params: dict[str, object] = {"detail": detail, **params}
        super().__init__(detail or self.key)


class Unreachable(DeliveryError):
    """The person has no account on this platform, or the platform refuses them for good."""

    default_key = "delivery.unreachable"


class RateLimited(DeliveryError):
    """The platform asked us to wait; not a failure, and not counted as an attempt."""

    default_key = "delivery.rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(seconds=retry_after)
        self.retry_after = retry_after


class TransientFailure(DeliveryError):
    """Worth retrying with backoff (a 5xx, a dropped connection, a timeout)."""

    default_key = "delivery.transient"


class PermanentFailure(DeliveryError):
    """Retrying will not help (the platform refused the message itself); a bug to report."""

    default_key = "delivery.refused"


@dataclass(frozen=True)
class Notice:
    """A message to one person from a template key, optionally with a resume button."""

    key: str
    params: dict[str, object] = field(default_factory=dict)
    resume_round_id: int | None = None
    resume_scope: str | None = None


@dataclass(frozen=True)
class Sent:
    """Where a message landed, in the platform's own terms (kept as plain data)."""

    ref: dict[str, object]
    already_sent: bool = False


class Messenger(Protocol):
    platform: str

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        """Post a checklist view (an invitation is its intro) as a new DM message.

        `maybe_sent` says an earlier attempt with this key may have gone out (a retried
        job): the implementation then looks before it sends, and returns the earlier
        message with `already_sent=True` if it finds one.
        """
        ...

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        """Post a reminder or a note (to a lead, or to an admin) as a DM."""
        ...

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        """Post the round's compiled matrix and documents to the steering channel."""
        ...
