"""The Jinja2 environments of the documents and of the Slack publication, built once.

Documents (render/templates/documents/*.html.j2) are HTML: autoescaped, StrictUndefined.
Their words come from the message catalogue through `t(key, **data)`, which returns plain
text that autoescaping then makes safe, so neither a sentence nor data can inject markup.

The Slack publication templates (render/templates/slack/*.j2) write Block Kit JSON. Every
value put into the JSON goes through the `json` filter; the data they get has already
been escaped for mrkdwn (see render.publication), and their words come from the Slack
catalogue, which escapes the data put into a sentence.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).parent / "templates"


def css_string(value: str) -> str:
    """A CSS string literal (for @page content), quotes and backslashes escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def json_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


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


@lru_cache(maxsize=1)
def slack_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = json_value
    return env
