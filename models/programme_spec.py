"""The programme file's shape: what each field may hold, as pydantic models.

Pure and database-free, so the file can be checked whole before anything is written.
Each field check raises a PydanticCustomError whose type is its message key
("programme.bad_deadline"), which models/programme_file.py turns into a located message.
`ProgrammeSettings` is also how other code reads `Programme.settings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from conversations.errors import UserError
from conversations.limits import (
    CODE_LIMIT,
    GROUP_NUMBER_LIMIT,
    KEY_LIMIT,
    LABEL_LIMIT,
    LINE_LIMIT,
    NAME_LIMIT,
    PROSE_LIMIT,
    ROUND_NAME_LIMIT,
    TITLE_LIMIT,
)
from conversations.questions import Question
from conversations.vocabulary import LANGUAGES
from reporting.deadlines import MAX_YEAR, MIN_YEAR, read_deadline
from reporting.form import PLACEHOLDERS, Layout

Loc = tuple[str | int, ...]
"""Where a value sits in the file: ("groups", 5, "milestones", 2, "deadline")."""

# ---------------------------------------------------------------------------------------
# Field formats. Each check raises a PydanticCustomError whose type is the message key.


def _problem(key: str, **context: object) -> PydanticCustomError:
    return PydanticCustomError(key, key, context)


_KEY_RE: Final = re.compile(r"[^\W_][\w-]*")
# Letters, digits and . - _ / and spaces: nothing a button's value uses (conversations/events.py
# joins its parts with "|"), nothing a unit scope uses ("*").
_CODE_RE: Final = re.compile(r"[^\W_][\w./ -]*")
_TIME_RE: Final = re.compile(r"(\d{1,2}):(\d{2})")
_SLACK_USER_RE: Final = re.compile(r"[UW][A-Z0-9]{2,}")
_SLACK_CHANNEL_RE: Final = re.compile(r"[CG][A-Z0-9]{2,}")
_EMAIL_RE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _none_as_empty(value: object) -> object:
    """An optional text left blank (`definition:`) means empty, not missing."""
    return "" if value is None else value


def _check_key(value: str) -> str:
    if not _KEY_RE.fullmatch(value):
        raise _problem("programme.bad_key", text=value)
    return value


def _check_deadline(value: str) -> str:
    """A baseline deadline must be readable; its text is kept verbatim."""
    try:
        read_deadline(value)
    except UserError as error:
        if error.key == "deadline.too_long":
            raise _problem("programme.too_long", limit=error.params["limit"]) from None
        if error.key == "deadline.empty":
            raise _problem("programme.empty_value") from None
        raise _problem("programme.bad_deadline", text=value) from None
    return value


_DAY_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _read_day(value: object) -> object:
    """A meeting's day, written YYYY-MM-DD (as text: the file guesses nothing)."""
    if value is None:
        raise _problem("programme.empty_value")
    if not isinstance(value, str):
        return value  # pydantic names what it is instead
    text = value.strip()
    try:
        if _DAY_RE.fullmatch(text):
            day = date.fromisoformat(text)
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day
    except ValueError:  # 2018-02-30
        pass
    raise _problem("programme.bad_date", text=text)


def _check_time(value: str) -> str:
    match = _TIME_RE.fullmatch(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise _problem("programme.bad_time", text=value)
    return f"{int(match[1]):02d}:{match[2]}"


def _check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise _problem("programme.bad_language", text=value, choices=", ".join(LANGUAGES))
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _problem("programme.bad_timezone", text=value) from None
    return value


def _placeholder(noun: str) -> AfterValidator:
    """A noun that is a phrase around a value must say where the value goes."""

    def check(value: str) -> str:
        if PLACEHOLDERS[noun] not in value:
            raise _problem("programme.bad_phrase", text=value, placeholder=PLACEHOLDERS[noun])
        return value

    return AfterValidator(check)


def _pattern(regex: re.Pattern[str], key: str, *, allow_empty: bool = False) -> AfterValidator:
    def check(value: str) -> str:
        if not (allow_empty and value == "") and not regex.fullmatch(value):
            raise _problem(key, text=value)
        return value

    return AfterValidator(check)


def _choice(*choices: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in choices:
            raise _problem("programme.bad_choice", text=value, choices=", ".join(choices))
        return value

    return AfterValidator(check)


_OrEmpty = BeforeValidator(_none_as_empty)
Key = Annotated[
    str, StringConstraints(min_length=1, max_length=KEY_LIMIT), AfterValidator(_check_key)
]
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CODE_LIMIT),
    _pattern(_CODE_RE, "programme.bad_code"),
]
GroupNumber = Annotated[str, StringConstraints(min_length=1, max_length=GROUP_NUMBER_LIMIT)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_LIMIT)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_LIMIT)]
Label = Annotated[str, _OrEmpty, StringConstraints(max_length=LABEL_LIMIT)]
Line = Annotated[str, _OrEmpty, StringConstraints(max_length=LINE_LIMIT)]
Prose = Annotated[str, _OrEmpty, StringConstraints(max_length=PROSE_LIMIT)]
DeadlineText = Annotated[str, AfterValidator(_check_deadline)]
ClockTime = Annotated[str, AfterValidator(_check_time)]
Language = Annotated[str, AfterValidator(_check_language)]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
SlackUser = Annotated[str, _pattern(_SLACK_USER_RE, "programme.bad_slack_id")]
SlackChannel = Annotated[
    str, _OrEmpty, _pattern(_SLACK_CHANNEL_RE, "programme.bad_channel_id", allow_empty=True)
]
Email = Annotated[
    str,
    _OrEmpty,
    StringConstraints(max_length=255),
    _pattern(_EMAIL_RE, "programme.bad_email", allow_empty=True),
]
LateAnswers = Annotated[str, _choice("refuse", "accept")]
MeetingDay = Annotated[date, BeforeValidator(_read_day)]
RoundName = Annotated[str, StringConstraints(min_length=1, max_length=ROUND_NAME_LIMIT)]
LayoutName = Annotated[str, _choice(*(layout.value for layout in Layout))]
QuestionName = Annotated[str, _choice(*(question.value for question in Question))]
Noun = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Labels = dict[Language, Name]
"""Words per language: `{da: Emne, en: Topic}`."""

# ---------------------------------------------------------------------------------------
# The file's shape.


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Reminder(_Spec):
    days_before: Annotated[int, Field(ge=0, le=60)]
    at: ClockTime = "09:00"


class QuietHours(_Spec):
    start: ClockTime
    end: ClockTime


TREND_ROUNDS = 6
"""The rounds a trend spans by default: a year and a half of quarterly meetings."""


class ProgrammeSettings(_Spec):
    """A programme's round settings; `Programme.settings` holds them with defaults filled in."""

    reminders: list[Reminder] = Field(
        default_factory=lambda: [Reminder(days_before=3), Reminder(days_before=1)]
    )
    skip_weekends: bool = True
    quiet_hours: QuietHours | None = QuietHours(start="18:00", end="08:00")
    max_reminders: Annotated[int, Field(ge=0, le=50)] = 3
    auto_close: bool = True
    late_answers: LateAnswers = "refuse"
    steering_group: Line = ""  # who the matrix is submitted to; its meeting line names them
    # A round planned for a meeting (`meetings`, `round plan`) opens this many days before it
    # at 09:00, and its deadline is this many days before it at 12:00 (conversations/planning.py).
    open_days_before: Annotated[int, Field(ge=1, le=90)] = 14
    deadline_days_before: Annotated[int, Field(ge=0, le=60)] = 5
    # How many rounds, up to the one shown, the trend spans: the matrix PDF's «Udvikling»
    # page, the workbook's sheet and the history page (reporting/trend.py).
    trend_rounds: Annotated[int, Field(ge=2, le=24)] = TREND_ROUNDS

    @model_validator(mode="after")
    def _deadline_after_opening(self) -> ProgrammeSettings:
        if self.deadline_days_before >= self.open_days_before:
            raise _problem(
                "programme.deadline_before_opening",
                open=self.open_days_before,
                deadline=self.deadline_days_before,
            )
        return self


class MeetingSpec(_Spec):
    """A steering-group meeting; its round is planned on `programme load`, by name."""

    name: RoundName
    date: MeetingDay


class NounsSpec(_Spec):
    """A programme's own nouns in one language; a noun not given is KOL's (the catalogue's)."""

    item: Noun | None = None
    plural: Noun | None = None
    an_item: Noun | None = None
    the_item: Noun | None = None
    group: Label | None = None
    unit: Label | None = None
    reporter: Annotated[Line, _placeholder("reporter")] | None = None
    document: Noun | None = None
    sheet: Name | None = None
    submitted: Annotated[Line, _placeholder("submitted")] | None = None


class QuestionSpec(_Spec):
    """A question the checklist asks of every item, with its label in the programme's words."""

    ask: QuestionName
    label: Labels = {}


class TextSpec(_Spec):
    """A standing text the items may carry (not an answer), and its label."""

    key: Key
    label: Labels = {}


class PersonSpec(_Spec):
    key: Key
    name: Name
    language: Language | None = None
    email: Email = ""
    slack: SlackUser | None = None


Texts = dict[Key, Prose]
"""An item's standing texts by the key of the programme's `texts`."""


class LocalItemSpec(_Spec):
    code: Code
    title: Title
    definition: Prose = ""
    deadline: DeadlineText | None = None
    texts: Texts = {}


class UnitSpec(_Spec):
    key: Key
    name: Name
    leads: Annotated[list[Key], Field(min_length=1)]
    deputies: list[Key] = []
    local_items: list[LocalItemSpec] = []


class MilestoneSpec(_Spec):
    code: Code
    title: Title
    definition: Prose = ""
    # who answers it for every unit: one person's key, or several (seed 004's «AKJ / NPE»)
    reporter: Key | Annotated[list[Key], Field(min_length=1)] | None = None
    deadline: DeadlineText | None = None
    deadlines: dict[Key, DeadlineText] = {}
    texts: Texts = {}

    @property
    def reporters(self) -> tuple[str, ...]:
        """The keys of those who answer it for every unit, each once, as the file gives them."""
        if self.reporter is None:
            return ()
        given = [self.reporter] if isinstance(self.reporter, str) else self.reporter
        return tuple(dict.fromkeys(given))


class GroupSpec(_Spec):
    number: GroupNumber
    title: Title
    milestones: Annotated[list[MilestoneSpec], Field(min_length=1)]


class ProgrammeSpec(_Spec):
    key: Key
    title: Name
    subtitle: Prose = ""
    language: Language = "da"
    timezone: Timezone = "Europe/Copenhagen"
    unit_label: Label = ""
    steering_channel: SlackChannel = ""
    source: Line = ""
    layout: LayoutName = Layout.MATRIX.value
    nouns: dict[Language, NounsSpec] = {}
    texts: list[TextSpec] = []
    questions: list[QuestionSpec] = []
    settings: ProgrammeSettings = ProgrammeSettings()
    meetings: list[MeetingSpec] = []
    people: Annotated[list[PersonSpec], Field(min_length=1)]
    admins: Annotated[list[Key], Field(min_length=1)]
    units: Annotated[list[UnitSpec], Field(min_length=1)]
    groups: Annotated[list[GroupSpec], Field(min_length=1)]


@dataclass(frozen=True)
class ProgrammeFile:
    """A validated programme file: its content, its name in messages, and its lines."""

    spec: ProgrammeSpec
    name: str
    path: str
    lines: Mapping[Loc, int]

    def where(self, loc: Loc) -> dict[str, object]:
        """The file, line and field parameters every located message takes."""
        return {"file": self.name, "line": line_of(self.lines, loc), "field": field_name(loc)}


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int:
    """The line of `loc`, or of the nearest enclosing value (a missing field's mapping)."""
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def field_name(loc: Loc) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


def codes(spec: ProgrammeSpec) -> Iterator[tuple[str, Loc]]:
    """Every code with where it sits: the milestones, then the local items (one name space)."""
    for i, group in enumerate(spec.groups):
        for j, milestone in enumerate(group.milestones):
            yield milestone.code, ("groups", i, "milestones", j, "code")
    for i, unit in enumerate(spec.units):
        for j, item in enumerate(unit.local_items):
            yield item.code, ("units", i, "local_items", j, "code")
