"""One submitted card as the dialogue's events, in the order the dialogue needs them.

A card (Teams' Adaptive Card) sends everything at once: the button pressed and whatever
is in its inputs: the forecast, the remark, the answers to a programme's own typed
questions (status, economy, …). The dialogue takes one event at a time, so
the runner (`service/runner.py`, `handle_card`) turns one submission into several with
`card_events`, against the view as it stands inside its transaction:

- a button that sets a value (progress, delay, critical) goes first: text needs a status
  (where the programme asks one: without a traffic light, text may come first);
- any other button (next, back, review, later, ...) goes last: the text belongs to the
  milestone the card showed, before the button moves away from it;
- typed text becomes an event only when it differs from the answer as stored, because the
  inputs come filled with it: an untouched field saved again would ask once more about a
  forecast kept as written;
- on the "could not read this forecast" card the forecast input counts only with its own
  "write again" button (`button=None`), not with "keep as written"; so too on the "still
  on time?" card, not with "yes" or a delay band.

Text typed into a card that no longer shows that milestone is dropped: it was written
against something the person no longer sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conversations.events import (
    Event,
    GiveForecast,
    GiveRemark,
    GiveText,
    SetCritical,
    SetDelay,
    SetProgress,
)
from conversations.views import ConfirmBaselineView, ConfirmForecastView, MilestoneView, View

VALUE_FIRST: tuple[type[Event], ...] = (SetProgress, SetDelay, SetCritical)
"""Buttons that set a value: typed text is applied after them (it needs a status first)."""


@dataclass(frozen=True)
class CardSubmission:
    """What one submitted card carries, in neutral terms."""

    code: str
    """The milestone the card showed."""
    version: int | None
    """The version of the view the card was drawn from."""
    button: Event | None = None
    """The button pressed; None for the card's own save-text button."""
    forecast: str = ""
    remark: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    """The other typed answers (`questions.TYPED`: status, economy, …), by question."""


def card_events(card: CardSubmission, view: View) -> list[Event]:
    """The card's events, ordered; `view` is the checklist as it stands now."""
    typed = _typed(card, view)
    if card.button is None:
        return typed
    if isinstance(card.button, VALUE_FIRST):
        return [card.button, *typed]
    return [*typed, card.button]


def _typed(card: CardSubmission, view: View) -> list[Event]:
    forecast, remark = card.forecast.strip(), card.remark.strip()
    texts = {question: text.strip() for question, text in card.texts.items() if text.strip()}
    if not forecast and not remark and not texts:
        return []
    if isinstance(view, ConfirmForecastView | ConfirmBaselineView):
        if view.code != card.code or card.button is not None or not forecast:
            return []
        return [GiveForecast(text=forecast, code=card.code, version=card.version)]
    if not isinstance(view, MilestoneView) or view.code != card.code:
        return []
    draft = view.draft
    if draft is None and view.header.light:
        return []  # with a traffic light, text waits for a status

    def stored(question: str) -> str:
        return draft.text(question).strip() if draft is not None else ""

    typed: list[Event] = []
    if remark and remark != stored("remark"):
        typed.append(GiveRemark(text=remark, code=card.code, version=card.version))
    if forecast and forecast != stored("forecast"):
        typed.append(GiveForecast(text=forecast, code=card.code, version=card.version))
    for question in view.typed:
        text = texts.get(question, "")
        if text and text != stored(question) and question not in ("forecast", "remark"):
            typed.append(GiveText(field=question, text=text, code=card.code, version=card.version))
    return typed
