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
from reporting.matrix import Cell, Describe, Matrix, compile_matrix
from reporting.snapshot import Snapshot


@cache
def status_text(language: str, progress: Progress, delay: Delay, critical: bool) -> str:
    """'Milepæl igangsat, men 0-3 måneder forsinket (milepælen er kritisk for hele projektet)'."""
    words = catalogue(normalise_language(language))
    delay = effective_delay(progress, delay)
    if delay is Delay.ON_TIME or progress in (Progress.REACHED, Progress.NONE):
        status = words.text(f"matrix.status.{progress.value}")
    else:
        band = words.text(f"matrix.band.{delay.value}")
        status = words.text(f"matrix.status.{progress.value}_late", band=band)
    if critical:
        return words.text("matrix.critical", status=status)
    return status


@cache
def not_reported_text(language: str) -> str:
    """'Ikke indberettet': nobody answered the cell, unlike a lead's 'Intet angivet'."""
    return catalogue(normalise_language(language)).text("matrix.status.not_reported")


def cell_text(language: str, progress: Progress | None, delay: Delay, critical: bool) -> str:
    """A matrix cell's words; progress None is a cell nobody answered (not reported)."""
    if progress is None:
        return not_reported_text(language)
    return status_text(language, progress, delay, critical)


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


def describer(language: str) -> Describe:
    """A cell's words in this language, for `reporting.matrix`."""
    return partial(cell_text, language)


def worded_matrix(snapshot: Snapshot) -> Matrix:
    """The round's matrix with its cells' words in the programme's language."""
    return compile_matrix(snapshot, describer(snapshot.programme.language))
