"""Neutral views as terminal text, through the templates in render/templates/terminal/.

`fremdrift try` shows the checklist with the words of the Slack message (the same catalogue
keys, render/messages/*/views.yaml) and a key for each control Slack would show. Keys are
data here, so the screen that names them and the CLI that reads them cannot disagree, and
each names the event it sends (`KEY_EVENTS`): which of them a view answers to is the
dialogue's table's to say (`conversations.checklist.TRANSITIONS`), not the terminal's.

Everything comes out as a rich `Text`. Templates write rich markup around their data, but
data never passes through the markup parser: the environment's `finalize` swaps each value
for a numbered slot, the markup is parsed, and the slots are filled in afterwards — so a
remark such as "[/red] [leverandør]" is printed as written instead of styled or refused.
Catalogue sentences get the same treatment; their Slack emphasis (`*Deadline:*`) becomes
bold, and a sentence put into another sentence or a template keeps its own styles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from functools import lru_cache
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup
from rich.markup import escape
from rich.text import Span, Text

from conversations.events import (
    Back,
    ConfirmBaseline,
    ConfirmForecast,
    Edit,
    Event,
    GiveForecast,
    GiveRemark,
    GiveText,
    Next,
    Pause,
    Review,
    SameAsLast,
    SetCritical,
    SetDelay,
    SetProgress,
    Skip,
    Start,
    Submit,
)
from conversations.questions import Question
from conversations.views import AnswerView, View
from conversations.vocabulary import Colour, Delay, Progress
from render.i18n import Target, load_raw, make_environment, normalise_language
from render.nouns import nouns_for
from render.templating import TEMPLATES_DIR
from render.view_common import label_of, said_of, summary_of
from render.words import status_text


class Key(StrEnum):
    """What a person types for each control; progress and delay have a key per value."""

    START = ""  # Enter on an empty line: start, or resume after a pause
    CRITICAL = "c"
    FORECAST = "f"
    REMARK = "r"
    SAME_AS_LAST = "s"
    NEXT = "n"
    SKIP = "k"
    BACK = "b"
    REVIEW = "v"
    EDIT = "e"  # followed by a milestone's code: edit from the review, or go to it
    SUBMIT = "u"
    LATER = "l"
    KEEP_FORECAST = "y"
    ON_TIME = "i"  # still on time («i tide», "in time") though the forecast is past the deadline
    STATUS = "t"  # a programme's own typed questions (conversations.questions.TYPED)
    ECONOMY = "o"
    SUB_MILESTONES = "d"
    READY = "a"
    QUIT = "q"


PROGRESS_KEYS: Final[Mapping[str, Progress]] = {
    "1": Progress.REACHED,
    "2": Progress.STARTED,
    "3": Progress.EXPECTED,
    "4": Progress.NONE,
}
DELAY_KEYS: Final[Mapping[str, Delay]] = {
    "5": Delay.ON_TIME,
    "6": Delay.UP_TO_3,
    "7": Delay.UP_TO_6,
    "8": Delay.OVER_6,
}
TEXT_KEYS: Final[Mapping[str, Question]] = {
    Key.STATUS: Question.STATUS,
    Key.ECONOMY: Question.ECONOMY,
    Key.SUB_MILESTONES: Question.SUB_MILESTONES,
    Key.READY: Question.READY,
}
"""The key of each typed question that travels as `GiveText`."""
KEY_EVENTS: Final[Mapping[str, type[Event]]] = {
    Key.START: Start,
    **dict.fromkeys(PROGRESS_KEYS, SetProgress),
    **dict.fromkeys(DELAY_KEYS, SetDelay),
    Key.CRITICAL: SetCritical,
    Key.FORECAST: GiveForecast,
    Key.REMARK: GiveRemark,
    Key.SAME_AS_LAST: SameAsLast,
    Key.NEXT: Next,
    Key.SKIP: Skip,
    Key.BACK: Back,
    Key.REVIEW: Review,
    Key.EDIT: Edit,  # on a milestone's view: go to another one (Jump)
    Key.SUBMIT: Submit,
    Key.LATER: Pause,
    Key.KEEP_FORECAST: ConfirmForecast,
    Key.ON_TIME: ConfirmBaseline,
    **dict.fromkeys(TEXT_KEYS, GiveText),
}
"""The event each key sends (every key but QUIT)."""
LIGHT: Final[Mapping[Colour, tuple[str, str]]] = {
    Colour.GREEN: ("🟢", "green"),
    Colour.YELLOW: ("🟡", "yellow"),
    Colour.RED: ("🔴", "red"),
    Colour.NONE: ("⚪", "dim"),
}
TITLE_LIMIT = 90  # a review line's title, as in Slack
DETAIL_LIMIT = 300  # a review line's forecast, remark and other typed answers, each

_SLOT = re.compile("\ue000(\\d+)\ue001")
_EMPHASIS = re.compile(r"\*([^*\n]+?)\*")
_SLOTS: ContextVar[list[object]] = ContextVar("terminal_slots")


def _slot(value: object) -> object:
    """`finalize` of both environments: a value becomes a numbered slot, filled in later.

    Template output (a macro's Markup) stays markup. Outside a render there are no slots,
    so Jinja's compile-time folding of constants falls back to doing it at render time.
    """
    if isinstance(value, Markup):
        return value
    slots = _SLOTS.get()
    slots.append(value)
    return f"\ue000{len(slots) - 1}\ue001"


@contextmanager
def _collecting() -> Iterator[list[object]]:
    slots: list[object] = []
    token = _SLOTS.set(slots)
    try:
        yield slots
    finally:
        _SLOTS.reset(token)


def _fill(markup: str, slots: Sequence[object]) -> Text:
    """Parse the markup around the slots, then put each value in its slot, styles intact."""
    parsed = Text.from_markup(markup, emoji=False)
    plain = parsed.plain
    pieces: list[str] = []
    inner: list[Span] = []
    shifts: list[tuple[int, int]] = []  # (end of a slot in `plain`, total shift after it)
    position = shift = 0
    for match in _SLOT.finditer(plain):
        value = slots[int(match.group(1))]
        part = value if isinstance(value, Text) else Text(str(value))
        start = match.start() + shift
        if part.style:
            inner.append(Span(start, start + len(part), part.style))
        inner.extend(Span(span.start + start, span.end + start, span.style) for span in part.spans)
        pieces += [plain[position : match.start()], part.plain]
        shift += len(part) - (match.end() - match.start())
        shifts.append((match.end(), shift))
        position = match.end()
    pieces.append(plain[position:])

    def moved(offset: int) -> int:
        total = 0
        for end, after in shifts:
            if end > offset:
                break
            total = after
        return offset + total

    spans = [Span(moved(span.start), moved(span.end), span.style) for span in parsed.spans]
    return Text("".join(pieces), style=parsed.style, spans=spans + inner, end="")


@lru_cache(maxsize=4)
def _sentence_environment(language: str) -> Environment:
    env = make_environment(language, Target.PLAIN)
    env.finalize = _slot
    return env


@lru_cache(maxsize=512)
def _sentence(language: str, key: str) -> Template:
    return _sentence_environment(language).from_string(load_raw(language)[key])


def sentence(language: str, key: str, /, **params: object) -> Text:
    """A catalogue message as styled text: its `*emphasis*` bold, its data verbatim."""
    language = normalise_language(language)
    with _collecting() as slots:
        rendered = _sentence(language, key).render(**params).strip()
    return _fill(_EMPHASIS.sub(r"[bold]\1[/bold]", escape(rendered)), slots)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # autoescape only so that macros return Markup, which `_slot` passes on as markup;
    # every value is a slot, so nothing is ever HTML-escaped.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_slot,
    )


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _render(
    template_name: str, language: str, nouns: Mapping[str, str] | None = None, **data: object
) -> Text:
    language = normalise_language(language)
    own = {"noun": nouns_for(language, nouns)} if nouns else {}  # the programme's own nouns
    mine = tuple(sorted((nouns or {}).items()))

    def t(key: str, /, **params: object) -> Text:
        return sentence(language, key, **{**own, **params})

    def light(answer: AnswerView) -> Text:
        """The traffic light and the status in its colour ('🟡 Milepæl igangsat, men …')."""
        emoji, style = LIGHT[answer.colour]
        status = status_text(language, answer.progress, answer.delay, answer.critical, mine)
        return Text.assemble(emoji, " ", (status, style), end="")

    with _collecting() as slots:
        markup = (
            _environment()
            .get_template(f"terminal/{template_name}.txt.j2")
            .render(
                t=t,
                light=light,
                clip=_clip,
                keys={key.name.lower(): key.value for key in Key},
                text_keys={question.value: key for key, question in TEXT_KEYS.items()},
                progress_keys=PROGRESS_KEYS,
                delay_keys=DELAY_KEYS,
                title_limit=TITLE_LIMIT,
                detail_limit=DETAIL_LIMIT,
                **data,
            )
        )
    return _fill(markup.strip("\n"), slots)


def render_view(view: View) -> Text:
    """A neutral view as the terminal shows it, with the keys for its choices."""
    return _render(
        view.kind,
        view.header.language,
        view.header.nouns,
        view=view,
        choices={choice.value for choice in getattr(view, "choices", ())},
        label=label_of(view),
        summary=summary_of(view),
        said=said_of(view),
    )


def render_tell(language: str, key: str, params: Mapping[str, object]) -> Text:
    """A refusal or a note from the dialogue, set apart from the view."""
    return _render("tell", language, key=key, params=dict(params))


def render_text_prompt(
    language: str, field: str, *, code: str, current: str, limit: int, label: str | None = None
) -> Text:
    """What the terminal asks before a typed answer (Slack's modal); `label`: a programme's
    own question's, said instead of the catalogue's words for a forecast or a remark."""
    return _render(
        "text_prompt", language, field=field, code=code, current=current, limit=limit, label=label
    )


def render_prompt(language: str, *, text: bool = False) -> Text:
    """The prompt before a key, or (`text`) before a forecast or a remark."""
    return _render("prompt", language, text=text)


def render_line(language: str, key: str, /, **params: object) -> Text:
    """One of the trial's own lines (welcome, goodbye …) from the catalogue."""
    return sentence(language, key, **params)
