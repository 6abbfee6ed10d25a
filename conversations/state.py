"""The dialogue's stored state: plain data, saved on every transition.

It says where the person is — never what they answered (answers live in their own table,
shared by a unit's lead and deputies). An unknown phase in stored data is an error, not
a silent default: `State.from_json` refuses it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    INTRO = "intro"  # invited; nothing asked yet
    ASKING = "asking"  # one milestone at a time
    CONFIRM_FORECAST = "confirm_forecast"  # a forecast that cannot be read, awaiting yes/no
    REVIEW = "review"  # every answer at a glance, submit from here
    SUBMITTED = "submitted"  # handed in; edits allowed until the round closes
    PAUSED = "paused"  # "later": resume exactly here


class UnknownPhase(ValueError):
    """Stored state names a phase this code does not know (a bad migration or a bug)."""


@dataclass(frozen=True)
class State:
    phase: Phase = Phase.INTRO
    index: int = 0
    version: int = 0
    pending_forecast: str | None = None
    return_to_review: bool = False
    resume_phase: Phase | None = None
    last_event: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["phase"] = self.phase.value
        data["resume_phase"] = self.resume_phase.value if self.resume_phase else None
        return data

    @staticmethod
    def from_json(data: dict[str, Any] | None) -> State:
        if not data:
            return State()
        try:
            phase = Phase(data["phase"])
            resume = Phase(data["resume_phase"]) if data.get("resume_phase") else None
        except ValueError as error:
            raise UnknownPhase(str(error)) from None
        return State(
            phase=phase,
            index=int(data.get("index", 0)),
            version=int(data.get("version", 0)),
            pending_forecast=data.get("pending_forecast"),
            return_to_review=bool(data.get("return_to_review", False)),
            resume_phase=resume,
            last_event=data.get("last_event"),
        )

    def moved(self, **changes: Any) -> State:
        """The next state: the changes applied and the version one higher."""
        return replace(self, version=self.version + 1, **changes)
