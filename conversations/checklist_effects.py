"""What a step of the checklist dialogue asks the runner to do, as plain values.

The runner (`service/runner.py`) stores what the Store effects say inside its transaction
and hands views, tells and notes to the platform only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.context import AnswerData
from conversations.state import State
from conversations.views import View


@dataclass(frozen=True)
class StoreAnswer:
    """Write this answer for the milestone (the runner adds a revision if it changed)."""

    code: str
    answer: AnswerData
    late: bool = False


@dataclass(frozen=True)
class StoreSubmission:
    late: bool = False


@dataclass(frozen=True)
class Show:
    view: View


@dataclass(frozen=True)
class Tell:
    """A message to the person, apart from the view (a refusal, a reminder of a rule)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class NotifyAdmins:
    key: str
    params: dict[str, object] = field(default_factory=dict)


Effect = StoreAnswer | StoreSubmission | Show | Tell | NotifyAdmins
Outcome = tuple[State, list[Effect]]
