"""What every platform's renderer draws alike from a neutral view.

A reporter's checklist set apart for one unit is titled with both names, from the
catalogue; the choice that opens such a checklist carries a Start event for its scope.
Buttons carry their event in the wire form of `conversations.events`, and answers read in
the matrix's words, alike on Slack and Teams. A programme's own words come with the view:
its nouns (`worded`: every sentence says «Emne» where KOL's says «Milepæl») and its questions'
labels (`label_of`); an answer without a traffic light reads as what was typed (`summary_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from conversations.events import Start, build_event, encode
from conversations.views import TEXT_QUESTIONS, AnswerView, View
from render.i18n import Target, catalogue
from render.nouns import nouns_for
from render.templating import clip
from render.words import status_text

SUMMARY_LIMIT = 300
"""How much of a typed answer a line about it shows (a review's, last round's)."""
SAID_LIMIT = 1000
"""How much of each typed answer a view shows beside the status (last round's forecast and
remark on a milestone, a read-only milestone's answer); the review shows less, as room
allows (render/slack/views.py)."""

V = TypeVar("V", bound=View)


def titled(view: V) -> V:
    """The view with its header's title saying whose answers for which unit it holds."""
    head = view.header
    if not head.apart_unit:
        return view
    title = catalogue(head.language, Target.PLAIN).text(
        "view.scope_apart", reporter=head.scope_title, unit=head.apart_unit
    )
    return replace(view, header=replace(head, scope_title=title))


def start_of(view: View) -> Callable[[str], str]:
    """`start_of(scope)` for templates: a button value that opens another checklist of the
    same round (a reporter's answers set apart for a unit). It carries no version: starting
    shows that checklist where it stands, however often it is pressed."""

    def start(scope: str) -> str:
        return encode(view.header.round_id, scope, Start(version=None))

    return start


def wire_of(view: View) -> Callable[..., str]:
    """`wire(name, code, argument)` for templates: a button's value drawn from this view."""
    head = view.header

    def wire(name: str, code: str = "", argument: str = "") -> str:
        event = build_event(name, argument, version=head.version, code=code)
        return encode(head.round_id, head.scope, event)

    return wire


def status_of(view: View) -> Callable[[AnswerView], str]:
    """`status(answer)` for templates: the answer in the matrix's words, in the programme's
    own nouns where it has any («Emne nået»)."""
    language = view.header.language
    own = tuple(sorted(view.header.nouns.items()))

    def status(answer: AnswerView) -> str:
        return status_text(language, answer.progress, answer.delay, answer.critical, own)

    return status


def worded(say: Callable[..., str], view: View) -> Callable[..., str]:
    """`say` (a catalogue's `text`) in the programme's own nouns, where the view has any."""
    own = view.header.nouns
    if not own:
        return say
    nouns = nouns_for(view.header.language, own)

    def said(key: str, /, **params: object) -> str:
        return say(key, **{"noun": nouns, **params})

    return said


def label_of(view: View) -> Callable[[str], str]:
    """`label(question)` for templates: the programme's label, else the catalogue's."""
    given = getattr(view, "labels", {})
    words = catalogue(view.header.language, Target.PLAIN)

    def label(question: str) -> str:
        return str(given.get(question) or words.text(f"question.{question}"))

    return label


def summary_of(view: View) -> Callable[[AnswerView], str]:
    """`summary(answer)` for templates: without a traffic light, the first thing typed in the
    programme's order of questions, cut to a line's length; with one, the status in words."""
    questions = view.header.questions
    status = status_of(view)

    def summary(answer: AnswerView) -> str:
        if view.header.light:
            return status(answer)
        typed = next((answer.text(q) for q in questions if answer.text(q)), "")
        return clip(" ".join(typed.split()), SUMMARY_LIMIT)

    return summary


def said_of(view: View) -> Callable[[AnswerView, int], list[tuple[str, str]]]:
    """`said(answer, limit)` for templates: what an answer says beyond its status — each
    typed answer it holds (forecast, remark, the programme's own questions), in the
    programme's order, as (label, text) cut to `limit` characters. Without a traffic light
    the first is left out: the answer's line (`summary_of`) already says it."""
    questions = [q for q in view.header.questions if q in TEXT_QUESTIONS]
    label = label_of(view)
    light = view.header.light

    def said(answer: AnswerView, limit: int = SAID_LIMIT) -> list[tuple[str, str]]:
        found = [(q, text) for q in questions if (text := answer.text(q))]
        shown = found if light else found[1:]
        return [(label(q), clip(text, limit)) for q, text in shown if limit > 0]

    return said
