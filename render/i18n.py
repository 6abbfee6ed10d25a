"""Words, in the person's language.

Every sentence a person reads is a Jinja2 template in a catalogue per language
(`render/messages/da/*.yaml`, `render/messages/en/*.yaml`, one file per area), addressed
by a message key such as `deadline.unreadable`. Python code names keys and passes data;
it never holds the words.

The catalogue is compiled once per (language, target). The target decides how the
*data* put into a sentence is escaped — never the sentence itself, which may carry
intended formatting: for Slack, user text is escaped for mrkdwn (`&`, `<`, `>`) so a
remark cannot fire `<!channel>` or forge a link; for Teams, for Adaptive Card markdown (no
bold or `[label](url)` forged); for plain text (terminal, CSV) nothing. The Teams targets
also read Teams' own wording: a key under `teams.override.` (render/messages/*/teams.yaml)
replaces the shared sentence of the same name, where the shared one speaks of /fremdrift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date, format_datetime
from jinja2 import Environment, StrictUndefined, Template

from conversations.errors import UserError
from conversations.vocabulary import LANGUAGES
from render.plurals import FILTER, plural_filter

MESSAGES_DIR = Path(__file__).parent / "messages"
DEFAULT_LANGUAGE = "da"
BABEL_LOCALE = {"da": "da_DK", "en": "en_GB"}


class Target(StrEnum):
    PLAIN = "plain"
    SLACK = "slack"  # Slack mrkdwn: data escaped
    TEAMS = "teams"  # Adaptive Card markdown: data escaped, Teams' wording
    TEAMS_PLAIN = "teams_plain"  # Teams' wording, data as it is (titles, summaries)

    @property
    def teams(self) -> bool:
        return self in (Target.TEAMS, Target.TEAMS_PLAIN)


OVERRIDE = "teams.override."
"""Keys under this prefix are Teams' wording of the shared key that follows it."""
ZERO_WIDTH_SPACE = "\u200b"
MARKUP = str.maketrans({c: f"{ZERO_WIDTH_SPACE}{c}{ZERO_WIDTH_SPACE}" for c in "*_~`"})


def mrkdwn_escape(value: str) -> str:
    """User text as text in Slack: no mention, link or formatting can be forged.

    `&`, `<` and `>` are escaped as Slack documents (so `<!channel>` or `<url|label>` stay
    text); Slack has no escape for `*`, `_`, `~` and backticks, so a zero-width space on
    each side keeps them from pairing into bold, italics, strike or code.
    """
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.translate(MARKUP)


def card_escape(value: str) -> str:
    """User text as text in card markdown: no bold, italics, code or [link](url) forged.

    Adaptive Cards' markdown has no escape character; a zero-width space on each side of a
    markup character keeps it from pairing, and one between `]` and `(` keeps
    `[label](url)` from becoming a link (brackets alone stay as they are: "[UNIT]").
    """
    return value.translate(MARKUP).replace("](", f"]{ZERO_WIDTH_SPACE}(")


ESCAPES: dict[Target, Callable[[str], str]] = {
    Target.SLACK: mrkdwn_escape,
    Target.TEAMS: card_escape,
}


def normalise_language(language: str | None) -> str:
    """'da-DK', 'en_US', None … → one of LANGUAGES (Danish first)."""
    if not language:
        return DEFAULT_LANGUAGE
    short = language.replace("_", "-").split("-", 1)[0].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


def format_day(value: date, language: str, fmt: str = "long") -> str:
    return str(format_date(value, format=fmt, locale=BABEL_LOCALE[language]))


def format_moment(value: datetime, language: str, tz: str = "Europe/Copenhagen") -> str:
    local = value.astimezone(ZoneInfo(tz))
    pattern = "d. MMMM y 'kl.' HH:mm" if language == "da" else "d MMMM y, HH:mm"
    return str(format_datetime(local, pattern, locale=BABEL_LOCALE[language]))


def _finalizer(target: Target) -> Callable[[Any], Any]:
    escape = ESCAPES.get(target)

    def finalize(value: Any) -> Any:
        if escape is not None and isinstance(value, str):
            return escape(value)
        return value

    return finalize


def make_environment(language: str, target: Target) -> Environment:
    """The environment message templates are compiled in, with the filters they use."""
    env = Environment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalizer(target),
        keep_trailing_newline=False,
    )
    env.filters["day"] = lambda value, fmt="long": format_day(value, language, fmt)
    env.filters["moment"] = lambda value, tz="Europe/Copenhagen": format_moment(value, language, tz)
    env.filters[FILTER] = plural_filter(BABEL_LOCALE[language])  # render/plurals.py
    # KOL's nouns (`noun.*`) unless the caller passes a programme's own (render/nouns.py)
    env.globals["noun"] = {k[5:]: v for k, v in load_raw(language).items() if k[:5] == "noun."}
    return env


class Keyed(Protocol):
    """What is said by a message key and its data (a `UserError`, a `DeliveryError`)."""

    @property
    def key(self) -> str: ...

    @property
    def params(self) -> Mapping[str, object]: ...


class Catalogue:
    """One language's messages for one target, each compiled on its first use: compiling
    all of them (some 1,100) took a second or more of CPU, which the first command or
    click after a start paid before its acknowledgement — past Slack's 3 s on a busy
    machine."""

    def __init__(self, language: str, target: Target = Target.PLAIN) -> None:
        self.language = language
        self.target = target
        env = make_environment(language, target)
        raw = load_raw(language)
        if target.teams:
            raw = {
                key: raw.get(OVERRIDE + key, source)
                for key, source in raw.items()
                if not key.startswith(OVERRIDE)
            }
        self._env = env
        self._sources = raw
        self._templates: dict[str, Template] = {}
        self._own: dict[str, object] = {}  # what `speaking` gives every message
        self._plain: dict[str, str] = {}  # messages said without data, once each

    def keys(self) -> set[str]:
        return set(self._sources)

    def template(self, key: str) -> Template:
        """The compiled message; an unknown key is a programming error and raises KeyError."""
        template = self._templates.get(key)
        if template is None:  # two threads may both compile it: the same template either way
            template = self._templates[key] = self._env.from_string(self._sources[key])
        return template

    def text(self, key: str, /, **params: object) -> str:
        """The message for `key`; an unknown key is a programming error and raises KeyError.
        A message without data is the same every time, so it is rendered once: a checklist
        view says a dozen such labels on every click."""
        if params:
            return self.template(key).render(**{**self._own, **params}).strip()
        said = self._plain.get(key)
        if said is None:
            said = self._plain[key] = self.template(key).render(**self._own).strip()
        return said

    def speaking(self, nouns: Mapping[str, str] | None) -> Catalogue:
        """This catalogue in a programme's own `nouns` (render/nouns.py): every message gets
        them as `noun` unless its caller passes its own. Shares the compiled messages."""
        if not nouns:
            return self
        found = copy(self)
        found._own = {"noun": dict(nouns)}
        found._plain = {}
        return found

    def error(self, error: Keyed) -> str:
        """The words of a refusal or a failure: a `UserError`, a delivery failure
        (service.messenger.DeliveryError), anything that carries a key and its data. A
        parameter that is itself a `UserError` (an import row's forecast, refused for its
        own reason) is said in words too."""
        params = {
            name: self.error(value) if isinstance(value, UserError) else value
            for name, value in error.params.items()
        }
        return self.text(error.key, **params)


@lru_cache(maxsize=len(LANGUAGES))
def load_raw(language: str) -> dict[str, str]:
    """The language's catalogue files as key → template source (`a: {b: …}` is `a.b`).

    A key defined in two files is an error: each area owns its keys.
    """
    merged: dict[str, str] = {}
    for path in sorted((MESSAGES_DIR / language).glob("*.yaml")):
        flat: dict[str, str] = {}
        _flatten("", yaml.safe_load(path.read_text(encoding="utf-8")) or {}, flat)
        clash = merged.keys() & flat.keys()
        if clash:
            raise ValueError(f"{path}: message keys defined twice: {sorted(clash)}")
        merged.update(flat)
    return merged


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    elif isinstance(node, str):
        out[prefix] = node
    else:
        raise TypeError(f"message {prefix!r} must be text, not {type(node).__name__}")


@lru_cache(maxsize=len(Target) * len(LANGUAGES))
def catalogue(language: str | None = None, target: Target = Target.PLAIN) -> Catalogue:
    """The shared, compiled catalogue for a language and target."""
    return Catalogue(normalise_language(language), target)


def text(language: str | None, key: str, /, **params: object) -> str:
    """A plain-text message in the given language."""
    return catalogue(language).text(key, **params)
