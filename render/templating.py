"""The Jinja2 environments of the documents and of the Slack publication, built once.

Documents (render/templates/documents/*.html.j2) are HTML: autoescaped, StrictUndefined.
Their words come from the message catalogue through `t(key, **data)`, which returns plain
text that autoescaping then makes safe, so neither a sentence nor data can inject markup.

The Slack publication templates (render/templates/slack/*.j2) build Block Kit blocks as
Jinja dicts (`{% do blocks.append({...}) %}`) and write them with the `json` filter, so
quoting is never done by hand. Data reaches mrkdwn either through a sentence of the Slack
catalogue (`t`, which escapes its parameters) or through the `m` filter (&, <, >), so a
remark holding <!channel> stays text; `tp` gives plain-text sentences for plain_text fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from render.i18n import mrkdwn_escape

TEMPLATES_DIR = Path(__file__).parent / "templates"


def css_string(value: str) -> Markup:
    """A CSS string literal (for @page content): quotes, backslashes and < escaped.

    Marked safe because it is written inside <style>, where HTML escaping would break it.
    """
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    )
    return Markup(f'"{escaped}"')


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every `|json`: `json.dumps` with an option builds a new one per call, and
a checklist view writes some fifty values."""


def json_value(value: object) -> str:
    return _ENCODER.encode(value)


def clip(value: str, limit: int) -> str:
    """Keep a text within a platform's limit, saying that it was cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def drop_nulls(node: Any) -> Any:
    """Drop the `null` sentinels the JSON templates end their lists with. Only containers
    are looked into (most of a message is strings, and this runs on every redraw)."""
    if isinstance(node, list):
        return [
            drop_nulls(item) if isinstance(item, (list, dict)) else item
            for item in node
            if item is not None
        ]
    if isinstance(node, dict):
        return {
            key: drop_nulls(value) if isinstance(value, (list, dict)) else value
            for key, value in node.items()
        }
    return node


@lru_cache(maxsize=1)
def document_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def json_environment(**filters: Callable[..., str]) -> Environment:
    """A fresh environment for templates that write JSON (Block Kit, Adaptive Cards):
    values through `json`, no HTML escaping, and the platform's own text `filters`.
    Fresh, not an overlay: an overlay shares its parent's filter table, so one platform's
    escaping would leak into the other's."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(json=json_value, clip=clip, **filters)
    return env


@lru_cache(maxsize=1)
def slack_environment() -> Environment:
    return json_environment(m=mrkdwn_escape)
