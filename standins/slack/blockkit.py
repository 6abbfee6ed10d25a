"""Block Kit validation: refuse what Slack refuses, in Slack's words.

Messages that fail come back as ``invalid_blocks`` (``invalid_blocks_format`` when
``blocks`` is not a JSON array); views as ``invalid_arguments``; both carry
``response_metadata.messages`` such as
``[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]``.

Limits checked against Slack's reference (docs.slack.dev block/element/view pages):
  50 blocks per message, 100 per modal or Home tab; section text 3,000 (min 1) and fields
  10 x 2,000; header text 150 plain_text; context elements 10; actions elements 25;
  button text 75 plain_text, value 2,000, url 3,000; action_id and block_id 255;
  static_select 100 options / option_groups, option text 75, value 150, description 75;
  overflow 5 options, checkboxes and radio_buttons 10; placeholder 150 plain_text;
  modal title / submit / close 24 plain_text, ``submit`` required with an input block;
  private_metadata 3,000; callback_id and external_id 255; plain_text_input max_length
  1..3,000 and min_length 0..3,000; input label and hint 2,000; image alt_text 2,000 and
  image_url 3,000; confirm title 100, text 300, confirm/deny 30; markdown block 12,000;
  view payload 250 kB (``view_too_large``).
Message wording verified from Slack responses quoted in public code: "must be less than
N+1 characters", "no more than N items allowed", "must provide at least N items",
"unsupported type: X", "missing required field: X", "invalid additional property: X",
"must be a valid enum value", "must define `submit` to use an `input` block in modals".

Chosen where the docs are silent (wording or rule):
  * block_id must be unique per message/view ("duplicate block_id: X"); action_id must be
    unique within its block, as the docs say ("duplicate action_id: X"), not per surface.
  * an element allowed elsewhere but not in this block: "unsupported element: X".
  * minimum lengths: "must be more than N-1 characters"; numbers: "must be less than or
    equal to N"; ``initial_option`` not among the options: "must match one of the
    provided options"; section without text or fields: "must provide either `text` or
    `fields`".
  * ``markdown`` and ``file`` blocks are accepted in messages only; video, table and the
    AI/work-object blocks are not modelled and are refused as unsupported types.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .blockkit_checks import KNOWN_ELEMENTS, Checker, check_element, check_image_element
from .models import JSON

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
VIEW_BYTES = 250_000

ACCESSORY = KNOWN_ELEMENTS - {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
    "datetimepicker",
}
ACTIONS = (KNOWN_ELEMENTS - {"image", "file_input", "number_input"}) - {
    k for k in KNOWN_ELEMENTS if k.startswith("multi_")
}
INPUT = KNOWN_ELEMENTS - {"image", "button", "overflow", "workflow_button"}


def _section(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "text", "fields", "accessory", "expand"}, ("type",))
    if "text" not in block and "fields" not in block:
        c.add("must provide either `text` or `fields`", ptr)
    c.text(block, "text", ptr, max_len=3000)
    for i, item in enumerate(c.array(block, "fields", ptr, max_items=10, min_items=1) or []):
        c.text_object(item, f"{ptr}/fields/{i}", max_len=2000)
    if "accessory" in block:
        _elements(c, [block["accessory"]], f"{ptr}/accessory", ACCESSORY, single=True)
    c.boolean(block, "expand", ptr)


def _header(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "text"}, ("type", "text"))
    c.text(block, "text", ptr, max_len=150, plain_only=True)


def _divider(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id"}, ("type",))


def _context(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "elements"}, ("type", "elements"))
    for i, el in enumerate(c.array(block, "elements", ptr, max_items=10, min_items=1) or []):
        el_ptr = f"{ptr}/elements/{i}"
        if isinstance(el, dict) and el.get("type") == "image":
            check_image_element(c, el, el_ptr)
        elif isinstance(el, dict) and el.get("type") not in ("plain_text", "mrkdwn"):
            c.add(f"unsupported type: {el.get('type')}", f"{el_ptr}/type")
        else:
            c.text_object(el, el_ptr, max_len=3000)


def _actions(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "elements"}, ("type", "elements"))
    elements = c.array(block, "elements", ptr, max_items=25, min_items=1) or []
    _elements(c, elements, f"{ptr}/elements", ACTIONS)


def _input(c: Checker, block: JSON, ptr: str) -> None:
    allowed = {"type", "block_id", "label", "element", "dispatch_action", "hint", "optional"}
    c.fields(block, ptr, allowed, ("type", "label", "element"))
    c.text(block, "label", ptr, max_len=2000, plain_only=True)
    c.text(block, "hint", ptr, max_len=2000, plain_only=True)
    c.boolean(block, "optional", ptr)
    c.boolean(block, "dispatch_action", ptr)
    if "element" in block:
        _elements(c, [block["element"]], f"{ptr}/element", INPUT, single=True)


def _image(c: Checker, block: JSON, ptr: str) -> None:
    allowed = {"type", "block_id", "image_url", "slack_file", "alt_text", "title"}
    c.fields(block, ptr, allowed, ("type", "alt_text"))
    if ("image_url" in block) == ("slack_file" in block):
        c.add("must provide exactly one of `image_url` or `slack_file`", ptr)
    c.string(block, "image_url", ptr, max_len=3000, min_len=1)
    c.string(block, "alt_text", ptr, max_len=2000, min_len=1)
    c.text(block, "title", ptr, max_len=2000, plain_only=True)


def _rich_text(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "elements"}, ("type", "elements"))
    c.array(block, "elements", ptr, max_items=None)


def _markdown(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "text"}, ("type", "text"))
    c.string(block, "text", ptr, max_len=12_000, min_len=1)


def _file(c: Checker, block: JSON, ptr: str) -> None:
    c.fields(block, ptr, {"type", "block_id", "external_id", "source"}, ("type", "external_id"))
    c.enum(block, "source", ptr, ("remote",))


BlockRule = Callable[[Checker, JSON, str], None]
COMMON_BLOCKS: dict[str, BlockRule] = {
    "section": _section,
    "header": _header,
    "divider": _divider,
    "context": _context,
    "actions": _actions,
    "input": _input,
    "image": _image,
    "rich_text": _rich_text,
}
MESSAGE_ONLY: dict[str, BlockRule] = {"markdown": _markdown, "file": _file}


def _elements(
    c: Checker, elements: list[Any], ptr: str, allowed: set[str], *, single: bool = False
) -> None:
    """Check elements and that each action_id is unique within the containing block."""
    seen: set[str] = set()
    for i, element in enumerate(elements):
        el_ptr = ptr if single else f"{ptr}/{i}"
        check_element(c, element, el_ptr, allowed)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                c.add(f"duplicate action_id: {action_id}", f"{el_ptr}/action_id")
            seen.add(action_id)


def check_blocks(c: Checker, blocks: list[Any], ptr: str, *, surface: str) -> None:
    rules = dict(COMMON_BLOCKS)
    if surface == "message":
        rules.update(MESSAGE_ONLY)
    limit = MESSAGE_BLOCKS if surface == "message" else VIEW_BLOCKS
    if len(blocks) > limit:
        c.add(f"no more than {limit} items allowed", ptr)
    for i, block in enumerate(blocks):
        b_ptr = f"{ptr}/{i}"
        if not c.is_object(block, b_ptr):
            continue
        kind = block.get("type")
        if not isinstance(kind, str):
            c.add("missing required field: type", b_ptr)
            continue
        rule = rules.get(kind)
        if rule is None:
            c.add(f"unsupported type: {kind}", f"{b_ptr}/type")
            continue
        c.block_id(block, b_ptr)
        rule(c, block, b_ptr)


def parse_json_param(value: object) -> object:
    """Web API JSON arguments arrive as objects (JSON body) or as encoded strings (forms)."""
    if isinstance(value, str):
        return json.loads(value)
    return value


def validate_message_blocks(blocks: object) -> list[str]:
    """Messages from Slack's invalid_blocks answer; empty when the blocks would be accepted."""
    c = Checker()
    if not isinstance(blocks, list):
        c.add("must be an array", "/blocks")
        return c.messages()
    check_blocks(c, blocks, "/blocks", surface="message")
    return c.messages()


def validate_view(view: object, *, allowed_types: tuple[str, ...]) -> list[str]:
    """Messages from Slack's invalid_arguments answer for a modal or Home tab view."""
    c = Checker()
    if not c.is_object(view, "/view"):
        return c.messages()
    assert isinstance(view, dict)
    kind = view.get("type")
    common = {"type", "blocks", "private_metadata", "callback_id", "external_id"}
    if kind == "modal":
        modal = {"title", "close", "submit", "clear_on_close", "notify_on_close", "submit_disabled"}
        c.fields(view, "/view", common | modal, ("type", "title", "blocks"))
        c.text(view, "title", "/view", max_len=24, plain_only=True)
        c.text(view, "close", "/view", max_len=24, plain_only=True)
        c.text(view, "submit", "/view", max_len=24, plain_only=True)
        c.boolean(view, "clear_on_close", "/view")
        c.boolean(view, "notify_on_close", "/view")
    elif kind == "home":
        c.fields(view, "/view", common, ("type", "blocks"))
    else:
        c.add("must be a valid enum value", "/view/type")
    if kind in ("modal", "home") and kind not in allowed_types:
        c.add(f"must be one of {', '.join(allowed_types)}", "/view/type")
    c.string(view, "private_metadata", "/view", max_len=3000)
    c.string(view, "callback_id", "/view", max_len=255)
    c.string(view, "external_id", "/view", max_len=255)
    blocks = view.get("blocks")
    if isinstance(blocks, list):
        check_blocks(c, blocks, "/view/blocks", surface=str(kind))
        if kind == "modal" and "submit" not in view:
            for i, block in enumerate(blocks):
                if isinstance(block, dict) and block.get("type") == "input":
                    c.add(
                        "must define `submit` to use an `input` block in modals",
                        f"/view/blocks/{i}/input",
                    )
                    break
    elif "blocks" in view:
        c.add("must be an array", "/view/blocks")
    return c.messages()


def view_too_large(view: object) -> bool:
    return len(json.dumps(view, separators=(",", ":")).encode()) > VIEW_BYTES
