"""What Teams accepts as an Adaptive Card in a bot message: version 1.5 and below, the
elements and actions Teams renders, and the rules a sloppy template breaks.

Checked against the Adaptive Cards schema (adaptivecards.io) and Teams' card reference:
version ≤ 1.5 (Teams' renderer), `Action.Submit` data is an object (Teams merges the card's
inputs into it), input ids are unique, a TextBlock has text. Chosen for the stand-in: at
most 6 actions in an ActionSet (what Teams shows in a row before hiding the rest).
"""

from __future__ import annotations

from typing import Any

VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}
ELEMENTS = {
    "TextBlock",
    "RichTextBlock",
    "Image",
    "Container",
    "ColumnSet",
    "FactSet",
    "ImageSet",
    "ActionSet",
    "Table",
    "Input.Text",
    "Input.Number",
    "Input.Date",
    "Input.Time",
    "Input.Toggle",
    "Input.ChoiceSet",
}
ACTIONS = {
    "Action.Submit",
    "Action.OpenUrl",
    "Action.ShowCard",
    "Action.ToggleVisibility",
    "Action.Execute",
}
MAX_ACTIONS = 6


class CardError(ValueError):
    """Why Teams would refuse the card."""


def validate_card(card: Any) -> None:
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise CardError("the attachment is not an AdaptiveCard")
    if str(card.get("version")) not in VERSIONS:
        raise CardError(f"card version {card.get('version')!r}: Teams renders up to 1.5")
    ids: set[str] = set()
    _elements(card.get("body") or [], ids, "body")
    _actions(card.get("actions") or [], ids, "actions")


def _elements(items: Any, ids: set[str], where: str) -> None:
    if not isinstance(items, list):
        raise CardError(f"{where} is not a list")
    for index, element in enumerate(items):
        at = f"{where}[{index}]"
        if not isinstance(element, dict):
            raise CardError(f"{at} is not an element")
        kind = element.get("type")
        if kind not in ELEMENTS:
            raise CardError(f"{at}: unknown element {kind!r}")
        if kind == "TextBlock" and not str(element.get("text") or "").strip():
            raise CardError(f"{at}: a TextBlock without text")
        if str(kind).startswith("Input."):
            input_id = element.get("id")
            if not input_id or input_id in ids:
                raise CardError(f"{at}: an input needs a unique id ({input_id!r})")
            ids.add(str(input_id))
        if kind == "Input.ChoiceSet":
            for choice in element.get("choices") or []:
                if not str(choice.get("title") or "") or "value" not in choice:
                    raise CardError(f"{at}: a choice needs a title and a value")
        if kind == "Container":
            _elements(element.get("items") or [], ids, f"{at}.items")
        if kind == "ColumnSet":
            for number, column in enumerate(element.get("columns") or []):
                _elements(column.get("items") or [], ids, f"{at}.columns[{number}].items")
        if kind == "ActionSet":
            _actions(element.get("actions") or [], ids, f"{at}.actions")


def _actions(actions: Any, ids: set[str], where: str) -> None:
    if not isinstance(actions, list):
        raise CardError(f"{where} is not a list")
    if len(actions) > MAX_ACTIONS:
        raise CardError(f"{where}: {len(actions)} actions, Teams shows {MAX_ACTIONS}")
    for index, action in enumerate(actions):
        at = f"{where}[{index}]"
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in ACTIONS:
            raise CardError(f"{at}: unknown action {kind!r}")
        if not str(action.get("title") or "").strip():
            raise CardError(f"{at}: an action without a title")
        if kind == "Action.Submit" and not isinstance(action.get("data", {}), dict):
            raise CardError(f"{at}: Action.Submit data must be an object for Teams")
        if kind == "Action.OpenUrl" and not str(action.get("url") or "").startswith("http"):
            raise CardError(f"{at}: Action.OpenUrl needs an http(s) url")
        if kind == "Action.ShowCard":
            validate_card(action.get("card"))
