"""The round's rules, pure: whether answers are taken, and whether they count as late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LatePolicy(StrEnum):
    REFUSE = "refuse"
    ACCEPT = "accept"  # accepted until publication, and marked late


@dataclass(frozen=True)
class Acceptance:
    accepting: bool
    late: bool


def acceptance(
    *,
    status: str,
    imported: bool,
    deadline: datetime | None,
    now: datetime,
    policy: LatePolicy,
) -> Acceptance:
    """Open and before the deadline: taken. After it, or closed: the programme's policy.

    A published or imported round takes nothing: what the steering group read stays true.
    """
    if imported or status == "published":
        return Acceptance(accepting=False, late=False)
    past_deadline = deadline is not None and now > deadline
    if status == "open" and not past_deadline:
        return Acceptance(accepting=True, late=False)
    return Acceptance(accepting=policy is LatePolicy.ACCEPT, late=True)
