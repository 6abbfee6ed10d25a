"""The matrix PDF's data for its Typst template (render/templates/documents/matrix.typ).

Typst lays out a 100 × 300 matrix in a tenth of WeasyPrint's time (issue 19). The template
holds only layout: every word here comes from the catalogue, in the programme's language
and its own nouns (render/nouns.py), and every answer, name and title goes in as a string
the template shows as text. The first page's words are render/documents/overview.py's,
the «Udvikling» page's render/documents/trend_page.py's; the tables and the full list of
changes are built here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from render.documents.overview import (
    CHANGE_KINDS,
    change_item,
    meeting_sentence,
    missing_words,
    overview_words,
)
from render.documents.page_words import page_data
from render.documents.palette import CRITICAL_SYMBOL, PALETTE
from render.documents.pool import translator
from render.documents.trend_page import trend_page, trend_words
from render.documents.typst_pdf import TypstSource
from render.nouns import nouns_of
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.snapshot import UnitInfo
from reporting.trend import Trend

TEMPLATE = "matrix.typ"
WIDE_LABELS = 34
"""The label column's width (per cent) while a table has at most `WIDE_UNITS` units..."""
NARROW_LABELS = 28
"""...and with more, so six units' columns stay readable."""
WIDE_UNITS = 5


def matrix_data(
    matrix: Matrix,
    comparison: Comparison,
    chunks: Sequence[Sequence[UnitInfo]],
    trend: Trend | None = None,
) -> dict[str, Any]:
    """Everything matrix.typ shows, as JSON-ready data: the units in `chunks` (column
    slices, one table each per group); the «Udvikling» page with a `trend` of rounds."""
    language = matrix.language
    t = translator(language, nouns_of(matrix.programme))
    programme = matrix.programme
    full_changes = comparison.previous is not None or bool(comparison.not_reported)
    widest = max(len(chunk) for chunk in chunks)
    return {
        "lang": language,
        "title": programme.title,
        "round": matrix.round.name,
        **page_data(t),
        "heading": {
            "title": programme.title,
            "subtitle": programme.subtitle,
            "meeting": meeting_sentence(matrix, t),
        },
        "overview": overview_words(matrix, comparison, t, full_changes),
        "matrix": {
            "label-width": WIDE_LABELS if widest <= WIDE_UNITS else NARROW_LABELS,
            "marker": f"{CRITICAL_SYMBOL} {t('documents.critical_marker').upper()}",
            "tables": tables(matrix, chunks, t),
        },
        "source": t("documents.source", source=programme.source) if programme.source else "",
        "changes": changes_words(matrix, comparison, t) if full_changes else None,
        "trend": trend_words(trend_page(matrix, trend), t)
        if trend is not None and trend.rounds
        else None,
    }


def tables(
    matrix: Matrix, chunks: Sequence[Sequence[UnitInfo]], t: Callable[..., str]
) -> list[dict[str, Any]]:
    """A table per group and slice of units: its heading, its units' names, and per
    milestone its label and a cell per unit as [colour, critical, symbol and words]."""
    symbols = {colour: swatch.symbol for colour, swatch in PALETTE.items()}
    found = []
    for group in matrix.groups:
        heading = t("documents.group", number=group.number, title=group.title)
        labels = [_label(row.milestone, t) for row in group.rows]
        for units in chunks:
            rows = []
            for label, row in zip(labels, group.rows, strict=True):
                cells = []
                for unit in units:
                    cell = matrix.cell(row.milestone.code, unit.key)
                    colour = cell.colour.value
                    cells.append([colour, cell.critical, f"{symbols[colour]} {cell.text}"])
                rows.append({"label": label, "cells": cells})
            found.append({"heading": heading, "units": [u.name for u in units], "rows": rows})
    return found


def _label(milestone: Any, t: Callable[..., str]) -> str:
    label = t("documents.milestone", code=milestone.code, title=milestone.title)
    if milestone.reporter:
        label += " " + t("documents.answered_by", reporter=milestone.reporter)
    return label


def changes_words(matrix: Matrix, comparison: Comparison, t: Callable[..., str]) -> dict[str, Any]:
    """The full list of changes after the matrix: a section per kind of change, what was
    not reported (a line per unit), and who did not answer."""
    sections: list[dict[str, Any]] = []
    if comparison.previous is None:
        intro = [t("documents.changes.first")]
    else:
        intro = [t("documents.changes.against", previous=comparison.previous)]
        if not comparison.changed:
            intro.append(t("documents.changes.nothing"))
        for kind in CHANGE_KINDS:
            items = getattr(comparison, kind)
            if items:
                sections.append(
                    {
                        "title": f"{t(f'documents.changes.{kind}')} ({len(items)})",
                        "items": [change_item(kind, item, t, matrix) for item in items],
                        "lines": False,
                    }
                )
    # Not reported is no change: its own section, whether or not there is a previous round.
    if comparison.not_reported:
        by_unit = comparison.not_reported_by_unit()
        sections.append(
            {
                "title": f"{t('documents.changes.not_reported')} ({len(comparison.not_reported)})",
                "items": [
                    t(
                        "documents.changes.unit_cells",
                        unit=matrix.unit_name(unit),
                        count=len(codes),
                        codes=", ".join(codes),
                    )
                    for unit, codes in by_unit
                ],
                "lines": True,
            }
        )
    missing = missing_words(comparison, t)
    sections.append(
        {
            "title": t("documents.changes.missing"),
            "items": missing or [t("documents.changes.everyone")],
            "lines": not missing,
        }
    )
    return {"title": t("documents.changes.title"), "intro": intro, "sections": sections}


def matrix_source(
    matrix: Matrix,
    comparison: Comparison,
    chunks: Sequence[Sequence[UnitInfo]],
    trend: Trend | None = None,
) -> TypstSource:
    """The matrix PDF as a Typst template and its data, ready for a pool worker."""
    return TypstSource.of(TEMPLATE, matrix_data(matrix, comparison, chunks, trend))
