"""A programme's nouns in a language: its own where it names them, else KOL's.

The catalogue's `noun.*` (render/messages/*/form.yaml) are KOL's words, the defaults; every
message environment has them as the global `noun` (render/i18n.py), so a sentence says
«Milepæl 6.1 A» unless its caller passes the programme's own: `noun=nouns_of(programme)`,
and it says «Emne ØA20.1». A programme's `unit_label` is its unit noun unless it names one
per language. Nouns are plain words; `{name}` and `{round}` in a phrase are filled in by the
template that uses it (`noun.reporter | replace("{name}", …)`).
"""

from __future__ import annotations

from collections.abc import Mapping

from render.i18n import catalogue, load_raw, normalise_language
from reporting.form import NOUNS
from reporting.snapshot import ProgrammeInfo

Nouns = dict[str, str]


def default_nouns(language: str | None) -> Nouns:
    """KOL's nouns in the language (the catalogue's)."""
    raw = load_raw(normalise_language(language))
    return {name: raw[f"noun.{name}"] for name in NOUNS}


def nouns_for(
    language: str | None, own: Mapping[str, str] | None = None, unit_label: str = ""
) -> Nouns:
    """Every noun in the language: the programme's `own`, else its unit label, else KOL's."""
    words = default_nouns(language)
    if unit_label:
        words["unit"] = unit_label
    words.update(own or {})
    return words


def nouns_of(programme: ProgrammeInfo, language: str | None = None) -> Nouns:
    """The programme's nouns in `language` (default: the programme's own language)."""
    language = normalise_language(language or programme.language)
    return nouns_for(language, programme.nouns_in(language), programme.unit_label)


def question_label(programme: ProgrammeInfo, question: str, language: str | None = None) -> str:
    """A question's label: the programme's in the language, else the catalogue's."""
    language = normalise_language(language or programme.language)
    own = programme.label_of(question, language)
    return own if own is not None else catalogue(language).text(f"question.{question}")


def text_label(programme: ProgrammeInfo, key: str, language: str | None = None) -> str:
    """A standing text's label: in the language, else in the first given, else its key."""
    language = normalise_language(language or programme.language)
    found = next((text for text in programme.texts if text.key == key), None)
    return found.any_label(language) if found is not None else key
