"""The dialogue's stored state: plain data, saved on every transition.

It says where the person is — never what they answered (answers live in their own table,
shared by a unit's lead and deputies). An unknown phase in stored data is an error, not
a silent default: `State.from_json` refuses it.

Where the person is, is a milestone *code*, not a position: a programme reloaded in the
middle of a round (a milestone added before the one a lead is on, an unanswered one
taken out) leaves every lead on the milestone they were on. Should that milestone itself
be taken out, the person goes on at the one that followed it when the state was written
(`following`), or else at the first one without an answer — see `State.position`.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    INTRO = "intro"  # invited; nothing asked yet
    ASKING = "asking"  # one milestone at a time
    CONFIRM_FORECAST = "confirm_forecast"  # a forecast that cannot be read, awaiting yes/no
    CONFIRM_BASELINE = "confirm_baseline"  # on time, forecast past the baseline: still on time?
    REVIEW = "review"  # every answer at a glance, submit from here
    SUBMITTED = "submitted"  # handed in; edits allowed until the round closes
    PAUSED = "paused"  # "later": resume exactly here


class UnknownPhase(ValueError):
    """Stored state names a phase this code does not know (a bad migration or a bug)."""


@dataclass(frozen=True)
class State:
    phase: Phase = Phase.INTRO
    code: str | None = None
    """The milestone asked (or last asked: where a pause resumes, where Back from the
    review lands before the last). None until the first is asked."""
    following: str | None = None
    """The milestone after `code` when this state was written: where the person goes on
    should a reloaded programme no longer have `code`."""
    version: int = 0
    pending_forecast: str | None = None
    return_to_review: bool = False
    resume_phase: Phase | None = None
    last_event: str | None = None
    asked_baseline: tuple[tuple[str, str], ...] = ()
    """(milestone, forecast) of each answer asked about once already: on time with a
    forecast past the baseline deadline (`conversations.baseline`). Never asked twice."""

    def position(self, codes: Sequence[str], answered: Container[str]) -> int:
        """Where in the checklist `codes` the person is (0 for an empty checklist).

        Their milestone; if the checklist no longer has it, the one that followed it;
        else (or before anything was asked) the first without an answer, else the first.
        """
        for wanted in (self.code, self.following if self.code is not None else None):
            if wanted is not None and wanted in codes:
                return codes.index(wanted)
        return next((index for index, code in enumerate(codes) if code not in answered), 0)

    def settled(self, codes: Sequence[str], answered: Container[str]) -> State:
        """This state on a milestone the checklist has (itself when it already is).

        Not a transition, so the version stays: views already drawn keep their buttons,
        and a button naming the milestone that is gone is refused as moved on.
        """
        if self.code is None or self.code in codes:
            return self
        at = self.position(codes, answered)
        code = codes[at] if codes else None
        return replace(self, code=code, following=following(code, codes))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["phase"] = self.phase.value
        data["resume_phase"] = self.resume_phase.value if self.resume_phase else None
        return data

    @staticmethod
    def from_json(data: dict[str, Any] | None, order: Sequence[str] = ()) -> State:
        """A stored state read back.

        `order` is the checklist's milestone codes, for a row stored before states kept a
        code: such a row has a position ("index"), which names the milestone at that place
        in `order`; without one that fits, the person goes on at the first unanswered.
        """
        if not data:
            return State()
        try:
            phase = Phase(data["phase"])
            resume = Phase(data["resume_phase"]) if data.get("resume_phase") else None
        except ValueError as error:
            raise UnknownPhase(str(error)) from None
        code, after = data.get("code"), data.get("following")
        if "code" not in data and isinstance(data.get("index"), int):
            index = data["index"]
            code = order[index] if 0 <= index < len(order) else None
            after = following(code, order)
        return State(
            phase=phase,
            code=str(code) if code is not None else None,
            following=str(after) if after is not None else None,
            version=int(data.get("version", 0)),
            pending_forecast=data.get("pending_forecast"),
            return_to_review=bool(data.get("return_to_review", False)),
            resume_phase=resume,
            last_event=data.get("last_event"),
            asked_baseline=tuple(
                (str(code), str(forecast)) for code, forecast in data.get("asked_baseline", ())
            ),
        )

    def moved(self, **changes: Any) -> State:
        """The next state: the changes applied and the version one higher."""
        return replace(self, version=self.version + 1, **changes)


def following(code: str | None, codes: Sequence[str]) -> str | None:
    """The code after `code` in `codes` (None after the last, or when it is not there)."""
    if code is None or code not in codes:
        return None
    at = codes.index(code)
    return codes[at + 1] if at + 1 < len(codes) else None
