"""A cell's words, as the matrix shows them (seed 000) and the sheet names them (seed 001).

There are only 4 progresses × 4 delay bands × 2 critical flags per language, plus the
words of a cell nobody answered («Ikke indberettet»), so each text is rendered once from the
catalogue (render/messages/*/matrix.yaml) and cached; compiling a 30,000-cell matrix then
costs dictionary look-ups, not template renders.
"""

from __future__ import annotations

from functools import cache, partial

from conversations.vocabulary import Colour, Delay, Progress, effective_delay
from render.i18n import catalogue, normalise_language
from render.nouns import nouns_of
from reporting.matrix import Cell, Describe, Matrix, compile_matrix
from reporting.snapshot import ProgrammeInfo, Snapshot

OwnNouns = tuple[tuple[str, str], ...]
"""A programme's nouns as a hashable tuple (render/nouns.py), for the cached texts; () is KOL's."""


def own_nouns(programme: ProgrammeInfo) -> OwnNouns:
    """The programme's nouns in its language, as `status_text` and `describer` take them."""
    return tuple(sorted(nouns_of(programme).items()))


@cache
def status_text(
    language: str, progress: Progress, delay: Delay, critical: bool, nouns: OwnNouns = ()
) -> str:
    """'Milepæl igangsat, men 0-3 måneder forsinket (milepælen er kritisk for hele projektet)';
    in the programme's own `nouns` where given («Emne igangsat …»)."""
    words = catalogue(normalise_language(language))
    own: dict[str, object] = {"noun": dict(nouns)} if nouns else {}
    delay = effective_delay(progress, delay)
    if delay is Delay.ON_TIME or progress in (Progress.REACHED, Progress.NONE):
        status = words.text(f"matrix.status.{progress.value}", **own)
    else:
        band = words.text(f"matrix.band.{delay.value}")
        status = words.text(f"matrix.status.{progress.value}_late", band=band, **own)
    if critical:
        return words.text("matrix.critical", status=status, **own)
    return status


@cache
def not_reported_text(language: str) -> str:
    """'Ikke indberettet': nobody answered the cell, unlike a lead's 'Intet angivet'."""
    return catalogue(normalise_language(language)).text("matrix.status.not_reported")


def cell_text(
    language: str,
    progress: Progress | None,
    delay: Delay,
    critical: bool,
    nouns: OwnNouns = (),
) -> str:
    """A matrix cell's words; progress None is a cell nobody answered (not reported)."""
    if progress is None:
        return not_reported_text(language)
    return status_text(language, progress, delay, critical, nouns)


@cache
def sheet_status(language: str, progress: Progress | None) -> str:
    """Seed 001's column 'Status på milepælen': Afsluttet / Igangsat / Ej igangsat;
    progress None: not reported (`sheet_status_of` decides that from a cell)."""
    key = progress.value if progress is not None else "not_reported"
    return catalogue(normalise_language(language)).text(f"matrix.sheet_status.{key}")


def sheet_status_of(language: str, cell: Cell) -> str:
    """A cell's sheet status, «Ikke indberettet» when nobody answered it."""
    return sheet_status(language, cell.progress if cell.reported else None)


@cache
def colour_name(language: str, colour: Colour) -> str:
    return catalogue(normalise_language(language)).text(f"matrix.colour.{colour.value}")


def describer(language: str, nouns: OwnNouns = ()) -> Describe:
    """A cell's words in this language (and the programme's nouns), for `reporting.matrix`."""
    return partial(cell_text, language, nouns=nouns)


def worded_matrix(snapshot: Snapshot) -> Matrix:
    """The round's matrix with its cells' words in the programme's language and nouns."""
    programme = snapshot.programme
    return compile_matrix(snapshot, describer(programme.language, own_nouns(programme)))
