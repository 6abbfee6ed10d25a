"""Plural forms by CLDR's rules (Babel): «1 rød», «2 røde», «1 påmindelse», "2 reminders".

A sentence in the catalogue picks the word that goes with a count through the `plural`
filter, naming each form its language needs by CLDR category, the number kept apart:

    {{ red }} {{ red | plural(one="rød", other="røde") }}

Like ICU's `{count, plural, one {…} other {…}}`, the forms stay inside the sentence they
belong to, so a translator sees them together; the rule that picks one is the locale's
(`babel.Locale.plural_form`), never written by hand. Forms are plain words: the target's
escaping (render/i18n.py) applies to them as to any data. Danish and English both have
`one` and `other`; tests/test_plurals.py holds every use in the catalogue to the forms its
language has, so a missing form fails there rather than in a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import cast

from babel import Locale
from jinja2 import Environment, nodes

FILTER = "plural"
"""The filter's name in the catalogue's sentences."""


@cache
def categories(locale: str) -> frozenset[str]:
    """The CLDR plural categories a locale uses ('one', 'other', …; 'other' always)."""
    return frozenset(Locale.parse(locale).plural_form.tags) | {"other"}


def category(locale: str, count: float) -> str:
    """The CLDR category of a count in a locale: da 1 → 'one', 2 → 'other'."""
    return str(_rule(locale)(count))


@cache
def _rule(locale: str) -> Callable[[float], str]:
    return Locale.parse(locale).plural_form


def choose(locale: str, count: float, /, **forms: str) -> str:
    """The form for `count`: `choose("da_DK", 1, one="rød", other="røde")` is 'rød'.

    A form the locale needs and the sentence lacks is a programming error (ValueError).
    """
    wanted = category(locale, count)
    if wanted not in forms:
        raise ValueError(f"no {wanted!r} form for {count} in {locale}: {sorted(forms)}")
    return forms[wanted]


def plural_filter(locale: str) -> Callable[..., str]:
    """The `plural` filter of a language's sentences."""

    def plural(count: float, /, **forms: str) -> str:
        return choose(locale, count, **forms)

    return plural


def forms_used(source: str) -> Iterator[frozenset[str]]:
    """The form names of each `plural` filter in a sentence's template source."""
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source)
    for node in tree.find_all(nodes.Filter):
        if node.name == FILTER:
            # typed as Pair, built as Keyword (jinja2.parser.parse_call_args)
            yield frozenset(cast(nodes.Keyword, keyword).key for keyword in node.kwargs)
