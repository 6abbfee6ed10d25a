"""What a person can do in the checklist, as plain values, and their compact wire form.

Every platform turns a click or a typed text into one of these events. The wire form is
what a button carries (`value` in Slack, `data` in a Teams card): short, versioned, and
checked on the way back in, so a tampered value is refused rather than guessed at.

Wire form: ``<name>|<version>|<round>|<scope>|<code>|<argument>`` — e.g.
``progress|7|12|unit:syddanmark|6.1 B|started``. Round, scope and code name the checklist
and the milestone the view was drawn for; the runner refuses a checklist the person may
not answer, and the dialogue never applies an event to another milestone than it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from conversations.errors import UserError
from conversations.vocabulary import Delay, Progress

SEPARATOR = "|"
MAX_WIRE_LENGTH = 2000  # Slack's limit on a button value


@dataclass(frozen=True)
class Event:
    """Base of every event: the version of the view it came from (None: typed, no view)."""

    name: ClassVar[str] = ""
    navigates: ClassVar[bool] = True
    """Navigation applied twice would move twice; value events only set a value."""

    version: int | None = field(default=None, kw_only=True)
    code: str = field(default="", kw_only=True)

    def argument(self) -> str:
        return ""

    def fingerprint(self) -> str:
        return f"{self.name}:{self.code}:{self.argument()}:{self.version}"


@dataclass(frozen=True)
class Start(Event):
    name: ClassVar[str] = "start"


@dataclass(frozen=True)
class SetProgress(Event):
    name: ClassVar[str] = "progress"
    navigates: ClassVar[bool] = False
    progress: Progress = Progress.NONE

    def argument(self) -> str:
        return self.progress.value


@dataclass(frozen=True)
class SetDelay(Event):
    name: ClassVar[str] = "delay"
    navigates: ClassVar[bool] = False
    delay: Delay = Delay.ON_TIME

    def argument(self) -> str:
        return self.delay.value


@dataclass(frozen=True)
class SetCritical(Event):
    name: ClassVar[str] = "critical"
    navigates: ClassVar[bool] = False
    critical: bool = False

    def argument(self) -> str:
        return "yes" if self.critical else "no"


@dataclass(frozen=True)
class GiveForecast(Event):
    name: ClassVar[str] = "forecast"
    navigates: ClassVar[bool] = False
    text: str = ""

    def argument(self) -> str:
        return self.text


@dataclass(frozen=True)
class ConfirmForecast(Event):
    """Keep a forecast that cannot be read as a date, verbatim, once the person says so."""

    name: ClassVar[str] = "confirm_forecast"
    navigates: ClassVar[bool] = False


@dataclass(frozen=True)
class ConfirmBaseline(Event):
    """Yes, still on time: an answer whose forecast is past the baseline deadline, kept as
    given once the person says so (`conversations.baseline`)."""

    name: ClassVar[str] = "confirm_baseline"
    navigates: ClassVar[bool] = False


@dataclass(frozen=True)
class GiveRemark(Event):
    name: ClassVar[str] = "remark"
    navigates: ClassVar[bool] = False
    text: str = ""

    def argument(self) -> str:
        return self.text


@dataclass(frozen=True)
class GiveText(Event):
    """A typed answer to one of the questions answered by typing (`questions.TYPED`):
    a status, an economy, sub-milestones, the day it is ready for SKU/DAK."""

    name: ClassVar[str] = "text"
    navigates: ClassVar[bool] = False
    field: str = ""
    text: str = ""

    def argument(self) -> str:
        return f"{self.field}:{self.text}"


@dataclass(frozen=True)
class SameAsLast(Event):
    name: ClassVar[str] = "same"


@dataclass(frozen=True)
class Next(Event):
    name: ClassVar[str] = "next"


@dataclass(frozen=True)
class Back(Event):
    name: ClassVar[str] = "back"


@dataclass(frozen=True)
class Skip(Event):
    name: ClassVar[str] = "skip"


@dataclass(frozen=True)
class Jump(Event):
    """Go straight to a milestone by its code (typed, or picked from the review)."""

    name: ClassVar[str] = "jump"


@dataclass(frozen=True)
class Review(Event):
    name: ClassVar[str] = "review"


@dataclass(frozen=True)
class Edit(Event):
    """Change one milestone from the review; Next then returns to the review."""

    name: ClassVar[str] = "edit"


@dataclass(frozen=True)
class Submit(Event):
    name: ClassVar[str] = "submit"


@dataclass(frozen=True)
class Pause(Event):
    name: ClassVar[str] = "later"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.name: cls
    for cls in (
        Start,
        SetProgress,
        SetDelay,
        SetCritical,
        GiveForecast,
        ConfirmForecast,
        ConfirmBaseline,
        GiveRemark,
        GiveText,
        SameAsLast,
        Next,
        Back,
        Skip,
        Jump,
        Review,
        Edit,
        Submit,
        Pause,
    )
}


TYPED_EVENTS: tuple[type[Event], ...] = (GiveForecast, GiveRemark, GiveText)
"""Events that carry typed text: they travel in a form, never in a button's value."""


@dataclass(frozen=True)
class Envelope:
    """An event as it arrived, with the round and checklist it was drawn for."""

    round_id: int
    scope: str
    event: Event


def encode(round_id: int, scope: str, event: Event) -> str:
    """The wire form a button carries. Free text never travels in a button."""
    if isinstance(event, GiveForecast | GiveRemark | GiveText):
        raise ValueError("typed text travels in a form, not in a button value")
    version = "" if event.version is None else str(event.version)
    parts = [event.name, version, str(round_id), scope, event.code, event.argument()]
    return SEPARATOR.join(parts)


def decode(wire: str) -> Envelope:
    """Read a button's value back; anything malformed is a `UserError`, never a guess."""
    if len(wire) > MAX_WIRE_LENGTH or wire.count(SEPARATOR) != 5:
        raise UserError("checklist.bad_action")
    name, version_text, round_text, scope, code, argument = wire.split(SEPARATOR)
    cls = EVENT_TYPES.get(name)
    if cls is None or cls in TYPED_EVENTS or not scope:
        raise UserError("checklist.bad_action")
    try:
        version = int(version_text) if version_text else None
        round_id = int(round_text)
    except ValueError:
        raise UserError("checklist.bad_action") from None
    try:
        event = build_event(name, argument, version=version, code=code)
    except ValueError:
        raise UserError("checklist.bad_action") from None
    return Envelope(round_id=round_id, scope=scope, event=event)


def build_event(name: str, argument: str = "", *, version: int | None, code: str) -> Event:
    """An event from its wire name and argument; ValueError if they make no event."""
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise ValueError(name)
    if cls is SetProgress:
        return SetProgress(progress=Progress(argument), version=version, code=code)
    if cls is SetDelay:
        return SetDelay(delay=Delay(argument), version=version, code=code)
    if cls is SetCritical:
        if argument not in ("yes", "no"):
            raise ValueError(argument)
        return SetCritical(critical=argument == "yes", version=version, code=code)
    if argument:
        raise ValueError(argument)
    return cls(version=version, code=code)
