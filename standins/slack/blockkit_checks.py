"""Field-level Block Kit checks and the interactive elements.

Each problem is reported the way Slack words it in ``response_metadata.messages``:
``[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]``.
See :mod:`standins.slack.blockkit` for the sources of the limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .models import JSON

TEXT_TYPES = ("plain_text", "mrkdwn")


@dataclass
class Checker:
    """Collects (message, json-pointer) problems while walking one payload."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    block_ids: set[str] = field(default_factory=set)

    def add(self, message: str, pointer: str) -> None:
        self.problems.append((message, pointer))

    def messages(self) -> list[str]:
        return [f"[ERROR] {m} [json-pointer:{p}]" for m, p in self.problems]

    # -- shapes ---------------------------------------------------------------------------
    def is_object(self, value: object, ptr: str) -> bool:
        if isinstance(value, dict):
            return True
        self.add("must be an object", ptr)
        return False

    def fields(self, obj: JSON, ptr: str, allowed: set[str], required: tuple[str, ...]) -> None:
        for key in obj:
            if key not in allowed:
                self.add(f"invalid additional property: {key}", ptr)
        for key in required:
            if key not in obj:
                self.add(f"missing required field: {key}", ptr)

    def string(
        self, obj: JSON, key: str, ptr: str, *, max_len: int | None = None, min_len: int = 0
    ) -> str | None:
        if key not in obj:
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.add("must be a string", f"{ptr}/{key}")
            return None
        self.length(value, f"{ptr}/{key}", max_len=max_len, min_len=min_len)
        return value

    def length(self, value: str, ptr: str, *, max_len: int | None, min_len: int = 0) -> None:
        if max_len is not None and len(value) > max_len:
            self.add(f"must be less than {max_len + 1} characters", ptr)
        if len(value) < min_len:
            self.add(f"must be more than {min_len - 1} characters", ptr)

    def array(
        self, obj: JSON, key: str, ptr: str, *, max_items: int | None, min_items: int = 0
    ) -> list[Any] | None:
        if key not in obj:
            return None
        value = obj[key]
        if not isinstance(value, list):
            self.add("must be an array", f"{ptr}/{key}")
            return None
        if max_items is not None and len(value) > max_items:
            self.add(f"no more than {max_items} items allowed", f"{ptr}/{key}")
        if len(value) < min_items:
            self.add(f"must provide at least {min_items} items", f"{ptr}/{key}")
        return value

    def boolean(self, obj: JSON, key: str, ptr: str) -> None:
        if key in obj and not isinstance(obj[key], bool):
            self.add("must be a boolean", f"{ptr}/{key}")

    def integer(self, obj: JSON, key: str, ptr: str, *, lo: int, hi: int) -> None:
        if key not in obj:
            return
        value = obj[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.add("must be an integer", f"{ptr}/{key}")
        elif value > hi:
            self.add(f"must be less than or equal to {hi}", f"{ptr}/{key}")
        elif value < lo:
            self.add(f"must be greater than or equal to {lo}", f"{ptr}/{key}")

    def enum(self, obj: JSON, key: str, ptr: str, allowed: tuple[str, ...]) -> None:
        if key in obj and obj[key] not in allowed:
            self.add("must be a valid enum value", f"{ptr}/{key}")

    def text(
        self,
        obj: JSON,
        key: str,
        ptr: str,
        *,
        max_len: int | None,
        plain_only: bool = False,
        required: bool = False,
    ) -> None:
        """A text composition object; ``plain_only`` where Slack accepts only ``plain_text``."""
        if key not in obj:
            if required:
                self.add(f"missing required field: {key}", ptr)
            return
        self.text_object(obj[key], f"{ptr}/{key}", max_len=max_len, plain_only=plain_only)

    def text_object(
        self, value: object, ptr: str, *, max_len: int | None, plain_only: bool = False
    ) -> None:
        if not self.is_object(value, ptr):
            return
        assert isinstance(value, dict)
        allowed = {"type", "text", "emoji", "verbatim"}
        self.fields(value, ptr, allowed, ("type", "text"))
        kind = value.get("type")
        if "type" in value and (kind not in TEXT_TYPES or (plain_only and kind != "plain_text")):
            self.add("must be a valid enum value", f"{ptr}/type")
        if kind == "plain_text" and "verbatim" in value:
            self.add("invalid additional property: verbatim", ptr)
        if kind == "mrkdwn" and "emoji" in value:
            self.add("invalid additional property: emoji", ptr)
        self.string(value, "text", ptr, max_len=max_len, min_len=1)

    def block_id(self, block: JSON, ptr: str) -> None:
        block_id = self.string(block, "block_id", ptr, max_len=255, min_len=1)
        if block_id is None:
            return
        if block_id in self.block_ids:
            self.add(f"duplicate block_id: {block_id}", f"{ptr}/block_id")
        self.block_ids.add(block_id)


# -- interactive elements ---------------------------------------------------------------
COMMON = {"type", "action_id", "confirm", "focus_on_load"}
SELECTS = {
    "static_select": {"placeholder", "options", "option_groups", "initial_option"},
    "external_select": {"placeholder", "initial_option", "min_query_length"},
    "users_select": {"placeholder", "initial_user"},
    "conversations_select": {
        "placeholder",
        "initial_conversation",
        "default_to_current_conversation",
        "response_url_enabled",
        "filter",
    },
    "channels_select": {"placeholder", "initial_channel", "response_url_enabled"},
    "multi_static_select": {
        "max_selected_items",
        "placeholder",
        "options",
        "option_groups",
        "initial_options",
    },
    "multi_external_select": {
        "max_selected_items",
        "placeholder",
        "initial_options",
        "min_query_length",
    },
    "multi_users_select": {"max_selected_items", "placeholder", "initial_users"},
    "multi_conversations_select": {
        "max_selected_items",
        "placeholder",
        "initial_conversations",
        "default_to_current_conversation",
        "filter",
    },
    "multi_channels_select": {"max_selected_items", "placeholder", "initial_channels"},
}
INPUTS = {
    "plain_text_input": {
        "initial_value",
        "multiline",
        "min_length",
        "max_length",
        "dispatch_action_config",
        "placeholder",
    },
    "email_text_input": {"initial_value", "dispatch_action_config", "placeholder"},
    "url_text_input": {"initial_value", "dispatch_action_config", "placeholder"},
    "number_input": {
        "is_decimal_allowed",
        "initial_value",
        "min_value",
        "max_value",
        "dispatch_action_config",
        "placeholder",
    },
    "rich_text_input": {"initial_value", "dispatch_action_config", "placeholder"},
    "file_input": {"filetypes", "max_files"},
    "datepicker": {"initial_date", "placeholder"},
    "timepicker": {"initial_time", "placeholder", "timezone"},
    "datetimepicker": {"initial_date_time"},
    "checkboxes": {"options", "initial_options"},
    "radio_buttons": {"options", "initial_option"},
}
OTHERS = {
    "button": {"text", "url", "value", "style", "accessibility_label"},
    "overflow": {"options"},
    "workflow_button": {"text", "workflow", "style", "accessibility_label"},
}
KNOWN_ELEMENTS = set(SELECTS) | set(INPUTS) | set(OTHERS) | {"image"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{2}:\d{2}$")


def check_element(c: Checker, element: object, ptr: str, allowed_here: set[str]) -> None:
    """Validate one element and record its action_id for the per-block uniqueness check."""
    if not c.is_object(element, ptr):
        return
    assert isinstance(element, dict)
    kind = element.get("type")
    if not isinstance(kind, str):
        c.add("missing required field: type", ptr)
        return
    if kind not in KNOWN_ELEMENTS:
        c.add(f"unsupported type: {kind}", f"{ptr}/type")
        return
    if kind not in allowed_here:
        c.add(f"unsupported element: {kind}", ptr)
        return
    if kind == "image":
        check_image_element(c, element, ptr)
        return
    extra = SELECTS.get(kind) or INPUTS.get(kind) or OTHERS[kind]
    required: tuple[str, ...] = ("type",)
    if kind in ("button", "workflow_button"):
        required = ("type", "text")
    elif kind in ("overflow", "checkboxes", "radio_buttons"):
        required = ("type", "options")
    elif kind == "number_input":
        required = ("type", "is_decimal_allowed")
    allowed = COMMON | extra | ({"accessibility_label"} - _no_a11y(kind))
    c.fields(element, ptr, allowed, required)
    c.string(element, "action_id", ptr, max_len=255, min_len=1)
    c.boolean(element, "focus_on_load", ptr)
    if "placeholder" in element:
        c.text(element, "placeholder", ptr, max_len=150, plain_only=True)
    if "confirm" in element:
        check_confirm(c, element["confirm"], f"{ptr}/confirm")
    _ELEMENT_RULES.get(kind, _no_rules)(c, element, ptr)


def _no_a11y(kind: str) -> set[str]:
    return set() if kind in ("button", "workflow_button") else {"accessibility_label"}


def _no_rules(c: Checker, element: JSON, ptr: str) -> None:
    return None


def _button(c: Checker, element: JSON, ptr: str) -> None:
    c.text(element, "text", ptr, max_len=75, plain_only=True)
    c.string(element, "value", ptr, max_len=2000, min_len=1)
    c.string(element, "url", ptr, max_len=3000, min_len=1)
    c.string(element, "accessibility_label", ptr, max_len=75, min_len=1)
    c.enum(element, "style", ptr, ("primary", "danger"))


def _static_select(c: Checker, element: JSON, ptr: str) -> None:
    has_options, has_groups = "options" in element, "option_groups" in element
    if has_options == has_groups:
        c.add("must provide exactly one of `options` or `option_groups`", ptr)
    values: list[str] = []
    for opt_ptr, option in _options(c, element, ptr, max_items=100):
        values.extend(check_option(c, option, opt_ptr, plain_only=True))
    groups = c.array(element, "option_groups", ptr, max_items=100, min_items=1) or []
    for g, group in enumerate(groups):
        g_ptr = f"{ptr}/option_groups/{g}"
        if not c.is_object(group, g_ptr):
            continue
        c.fields(group, g_ptr, {"label", "options"}, ("label", "options"))
        c.text(group, "label", g_ptr, max_len=75, plain_only=True)
        for o, option in enumerate(c.array(group, "options", g_ptr, max_items=100) or []):
            values.extend(check_option(c, option, f"{g_ptr}/options/{o}", plain_only=True))
    _initial_options(c, element, ptr, values)
    if element.get("type") == "multi_static_select":
        c.integer(element, "max_selected_items", ptr, lo=1, hi=100)


def _options(c: Checker, element: JSON, ptr: str, *, max_items: int) -> list[tuple[str, Any]]:
    options = c.array(element, "options", ptr, max_items=max_items, min_items=1) or []
    return [(f"{ptr}/options/{i}", o) for i, o in enumerate(options)]


def check_option(c: Checker, option: object, ptr: str, *, plain_only: bool) -> list[str]:
    if not c.is_object(option, ptr):
        return []
    assert isinstance(option, dict)
    c.fields(option, ptr, {"text", "value", "description", "url"}, ("text", "value"))
    c.text(option, "text", ptr, max_len=75, plain_only=plain_only)
    c.text(option, "description", ptr, max_len=75, plain_only=plain_only)
    c.string(option, "url", ptr, max_len=3000, min_len=1)
    value = c.string(option, "value", ptr, max_len=150, min_len=1)
    return [value] if value is not None else []


def _initial_options(c: Checker, element: JSON, ptr: str, values: list[str]) -> None:
    initial: list[tuple[str, object]] = []
    if "initial_option" in element:
        initial.append((f"{ptr}/initial_option", element["initial_option"]))
    for i, opt in enumerate(element.get("initial_options") or []):
        initial.append((f"{ptr}/initial_options/{i}", opt))
    for i_ptr, opt in initial:
        if not isinstance(opt, dict) or opt.get("value") not in values:
            c.add("must match one of the provided options", i_ptr)


def _choice(max_items: int) -> Any:
    def check(c: Checker, element: JSON, ptr: str) -> None:
        values: list[str] = []
        plain_only = element.get("type") == "overflow"
        for opt_ptr, option in _options(c, element, ptr, max_items=max_items):
            values.extend(check_option(c, option, opt_ptr, plain_only=plain_only))
        _initial_options(c, element, ptr, values)

    return check


def _plain_text_input(c: Checker, element: JSON, ptr: str) -> None:
    c.integer(element, "max_length", ptr, lo=1, hi=3000)
    c.integer(element, "min_length", ptr, lo=0, hi=3000)
    c.boolean(element, "multiline", ptr)
    lo, hi = element.get("min_length"), element.get("max_length")
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        c.add("must be less than or equal to max_length", f"{ptr}/min_length")
    c.string(element, "initial_value", ptr, max_len=hi if isinstance(hi, int) else 3000)


def _datepicker(c: Checker, element: JSON, ptr: str) -> None:
    value = c.string(element, "initial_date", ptr)
    if value is not None and not DATE.match(value):
        c.add("must be a valid date (YYYY-MM-DD)", f"{ptr}/initial_date")


def _timepicker(c: Checker, element: JSON, ptr: str) -> None:
    value = c.string(element, "initial_time", ptr)
    if value is not None and not TIME.match(value):
        c.add("must be a valid time (HH:mm)", f"{ptr}/initial_time")


def _number_input(c: Checker, element: JSON, ptr: str) -> None:
    c.boolean(element, "is_decimal_allowed", ptr)


def check_image_element(c: Checker, element: JSON, ptr: str) -> None:
    c.fields(element, ptr, {"type", "image_url", "slack_file", "alt_text"}, ("type", "alt_text"))
    if ("image_url" in element) == ("slack_file" in element):
        c.add("must provide exactly one of `image_url` or `slack_file`", ptr)
    c.string(element, "image_url", ptr, max_len=3000, min_len=1)
    c.string(element, "alt_text", ptr, max_len=2000, min_len=1)


def check_confirm(c: Checker, confirm: object, ptr: str) -> None:
    if not c.is_object(confirm, ptr):
        return
    assert isinstance(confirm, dict)
    c.fields(confirm, ptr, {"title", "text", "confirm", "deny", "style"}, ("title", "text"))
    c.text(confirm, "title", ptr, max_len=100, plain_only=True)
    c.text(confirm, "text", ptr, max_len=300)
    c.text(confirm, "confirm", ptr, max_len=30, plain_only=True)
    c.text(confirm, "deny", ptr, max_len=30, plain_only=True)
    c.enum(confirm, "style", ptr, ("primary", "danger"))


_ELEMENT_RULES: dict[str, Any] = {
    "button": _button,
    "workflow_button": _button,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "overflow": _choice(5),
    "checkboxes": _choice(10),
    "radio_buttons": _choice(10),
    "plain_text_input": _plain_text_input,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "number_input": _number_input,
}
