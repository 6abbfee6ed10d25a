"""How a programme presents itself: its layout, its nouns, its questions' and texts' labels.

Seed 000 (KOL) is a matrix of units × milestones, and speaks of «Milepæl», «Landsdelsprogram»
and «indtastet af FUT»; seed 004 (ØA20) is one table of topics and speaks of «Emne» and
«Ansvarlig: AKJ». A programme says which it is: `Layout` for its documents and posts, its
own nouns per language (`NOUNS`, KOL's are the catalogue's defaults, `render/nouns.py`), and
a label per question and per standing text, in its own words.

Plain data only; the words a programme does not give come from the catalogue in `render/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Layout(StrEnum):
    """How a round's documents and posts are laid out."""

    MATRIX = "matrix"  # units × items, a cell per unit (seed 000)
    TABLE = "table"  # one row per item with its texts and answers (seed 004)


NOUNS: tuple[str, ...] = (
    "item",  # what an item is called: Milepæl / Emne
    "plural",  # the same, more than one: Milepæle / Emner (not "items": a mapping has that)
    "an_item",  # with its article, in a sentence: en milepæl / et emne
    "the_item",  # definite, in a sentence: milepælen / emnet
    "group",  # before a group's number in its heading: «Milepæl 6: …»; empty: the title alone
    "unit",  # what a unit is called in headings: Landsdelsprogram / Region / empty
    "reporter",  # who answers an item, with {name}: «(indtastet af {name})» / «Ansvarlig: {name}»
    "document",  # the round's main document, in file titles: Matrix / Opfølgning
    "sheet",  # a unit's sheet: Porteføljestyringsværktøj
    "submitted",  # the submitted-at line, with {round}: «Indsendt ved {round}»
)
"""The nouns a programme may name per language; each has KOL's word as its default."""

PLACEHOLDERS: dict[str, str] = {"reporter": "{name}", "submitted": "{round}"}
"""Nouns that are phrases around a value, and the placeholder each must hold."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """A question asked or a standing text carried, with its labels by language."""

    key: str
    labels: tuple[tuple[str, str], ...] = ()  # (language, label)

    def label(self, language: str) -> str | None:
        """The label in `language`; None when the programme gave none in it."""
        return next((text for lang, text in self.labels if lang == language), None)

    def any_label(self, language: str) -> str:
        """The label in `language`, else in the first language given, else the key."""
        found = self.label(language)
        if found is not None:
            return found
        return self.labels[0][1] if self.labels else self.key


def labelled(key: str, labels: Mapping[str, str]) -> Labelled:
    return Labelled(key, tuple((language, text) for language, text in labels.items()))


def layout_of(layout: str, units: int) -> Layout:
    """The layout a round is drawn in: the programme's, but never a one-column matrix."""
    if layout == Layout.TABLE or units <= 1:
        return Layout.TABLE
    return Layout.MATRIX
