"""What every platform's renderer draws alike from a neutral view.

A reporter's checklist set apart for one unit is titled with both names, from the
catalogue; the choice that opens such a checklist carries a Start event for its scope.
Buttons carry their event in the wire form of `conversations.events`, and answers read in
the matrix's words, alike on Slack and Teams.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from conversations.events import Start, build_event, encode
from conversations.views import AnswerView, View
from render.i18n import Target, catalogue
from render.words import status_text

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


def status_of(language: str) -> Callable[[AnswerView], str]:
    """`status(answer)` for templates: the answer in the matrix's words."""

    def status(answer: AnswerView) -> str:
        return status_text(language, answer.progress, answer.delay, answer.critical)

    return status
