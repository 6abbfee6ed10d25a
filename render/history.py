"""The history pages as HTML: a round's matrix with its round picker, a cell with its trend
and its answer's revisions, and the plain pages of a refusal and of what is not there.

The words are the catalogue's (render/messages/*/history.yaml, and the matrix's and the
documents' own where they say the same), in the programme's language, so the pages read as
its documents do. The HTML is render/templates/history/*.j2 in the documents' environment:
autoescaped, so a remark or a name is text, never markup. There is no script: a cell is a
link to its own page. The stylesheet is one inline <style>, allowed by its hash
(`style_source`) in the pages' Content-Security-Policy; nothing is fetched from anywhere.
Where the links point is the caller's (`Links`): render/ knows no URL and no signature.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from markupsafe import Markup

from render.documents.palette import PALETTE
from render.i18n import catalogue, format_day, normalise_language
from render.nouns import Nouns, nouns_of
from render.templating import document_environment
from render.words import OwnNouns, own_nouns, status_text
from reporting.history import CellHistory, Changed, Revision, RoundHistory
from reporting.matrix import Cell, Source
from reporting.trend import CellTrend, Flag, Point

IMPORT_SOURCE = "import"


class Links(Protocol):
    """Where the pages link to (bot/web/history.py signs them)."""

    def round(self, round_id: int) -> str: ...

    def cell(self, round_id: int, unit: str, milestone: str) -> str: ...


@dataclass(frozen=True, slots=True)
class Mark:
    """A flag of a cell's trend, in words; `kind` is its Flag value (a CSS class)."""

    kind: str
    words: str


@dataclass(frozen=True, slots=True)
class Change:
    """One part of an answer a revision changed: its label, before (None: the first
    revision) and after."""

    label: str
    before: str | None
    after: str


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The pages' CSS, with the documents' palette; hashed into the CSP as it stands."""
    template = document_environment().get_template("history/style.css.j2")
    return template.render(palette=tuple(PALETTE.values()))


def style_source() -> str:
    """The CSP source that allows exactly `stylesheet()` inline: 'sha256-…'."""
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _translator(language: str, nouns: Nouns | None = None) -> Callable[..., str]:
    """`t(key, **data)`: the catalogue's text, in the programme's own `nouns` where given."""
    words = catalogue(language)
    own: dict[str, object] = {"noun": nouns} if nouns else {}

    def t(key: str, /, **params: object) -> str:
        return words.text(key, **{**own, **params})

    return t


def _render(name: str, language: str, nouns: Nouns | None = None, **context: Any) -> str:
    template = document_environment().get_template(f"history/{name}")
    return template.render(
        language=language, t=_translator(language, nouns), style=Markup(stylesheet()), **context
    )


def marks(cell: CellTrend, language: str, *, long: bool = False) -> tuple[Mark, ...]:
    """A cell's flags in words: short for the matrix, whole sentences for its own page."""
    t = _translator(language)
    prefix = "history.flag." if long else "history.flag_short."
    previous = cell.points[-2].round.name if len(cell.points) > 1 else ""
    last = cell.last.cell
    baseline = cell.baseline
    params: dict[Flag, dict[str, object]] = {
        Flag.WORSENED: {"previous": previous},
        Flag.IMPROVED: {"previous": previous},
        Flag.SLIPPING: {"rounds": cell.slipped},
        Flag.PAST_BASELINE: {
            "forecast": last.forecast if last is not None else "",
            "baseline": baseline.text if baseline is not None else "",
        },
        Flag.CRITICAL: {"rounds": cell.critical_for},
    }
    return tuple(Mark(flag.value, t(prefix + flag.value, **params[flag])) for flag in cell.flags)


def _picker(history: RoundHistory, links: Links, language: str) -> list[dict[str, object]]:
    current = history.matrix.round.id
    return [
        {
            "name": entry.name,
            "day": format_day(entry.date, language),
            "href": links.round(entry.id),
            "current": entry.id == current,
        }
        for entry in reversed(history.rounds)  # newest first: the one most often wanted
    ]


def _shown(cell: Cell | None, light: bool = True) -> tuple[str, str, str]:
    """A cell's colour class, symbol and words ('not reported' for no cell); without a
    traffic light (seed 004) what was typed, in the order the questions are documented."""
    colour = cell.colour.value if cell is not None else "not_reported"
    if cell is None:
        return colour, PALETTE[colour].symbol, ""
    typed = (cell.status, cell.economy, cell.sub_milestones, cell.ready, cell.remark)
    said = next((text for text in typed if text), "") if cell.reported and not light else ""
    return colour, PALETTE[colour].symbol, said or cell.text


def round_page(history: RoundHistory, links: Links) -> str:
    """A round's matrix: every cell a link to its page, marked with its trend's flags."""
    matrix = history.matrix
    language = normalise_language(matrix.language)
    round_id = matrix.round.id
    groups = []
    for group in matrix.groups:
        rows = []
        for row in group.rows:
            cells = []
            for cell in row.cells:
                colour, symbol, words = _shown(cell, matrix.programme.light)
                trend = history.trend.get(cell.milestone, cell.unit)
                cells.append(
                    {
                        "unit": matrix.unit_name(cell.unit),
                        "colour": colour,
                        "symbol": symbol,
                        "text": words,
                        "href": links.cell(round_id, cell.unit, cell.milestone),
                        "marks": marks(trend, language) if trend is not None else (),
                    }
                )
            rows.append({"milestone": row.milestone, "cells": cells})
        groups.append({"number": group.number, "title": group.title, "rows": rows})
    return _render(
        "round.html.j2",
        language,
        nouns_of(matrix.programme),
        programme=matrix.programme,
        round=matrix.round,
        meta=_meta(history, language),
        rounds=_picker(history, links, language),
        units=matrix.units,
        groups=groups,
        legend=[(colour, swatch.symbol) for colour, swatch in PALETTE.items()],
        flags=[flag.value for flag in Flag],
    )


def _meta(history: RoundHistory, language: str) -> str:
    round_ = history.matrix.round
    entry = next(entry for entry in history.rounds if entry.id == round_.id)
    t = _translator(language)
    return t(
        "history.round_meta",
        day=format_day(entry.date, language),
        status=t(f"history.status.{entry.status.value}"),
    )


def cell_page(history: CellHistory, links: Links) -> str:
    """A cell of a round: as the matrix shows it, its trend up to the round, its answer's
    revisions with what each changed, and its remark."""
    matrix = history.round.matrix
    language = normalise_language(matrix.language)
    cell = history.cell
    colour, symbol, words = _shown(cell, matrix.programme.light)
    nouns = own_nouns(matrix.programme)
    return _render(
        "cell.html.j2",
        language,
        nouns_of(matrix.programme),
        programme=matrix.programme,
        round=matrix.round,
        meta=_meta(history.round, language),
        back=links.round(matrix.round.id),
        milestone=history.trend.milestone,
        unit=matrix.unit_name(cell.unit),
        baseline=history.trend.baseline,
        cell=cell,
        for_all=cell.source is Source.ALL and len(matrix.units) > 1,  # one unit: no «all»
        colour=colour,
        symbol=symbol,
        text=words,
        timezone=matrix.programme.timezone,
        marks=marks(history.trend, language, long=True),
        points=[_point(point, history, links) for point in history.trend.points],
        revisions=[
            _revision(r, before, language, nouns) for r, before in _pairs(history.revisions)
        ],
    )


def _point(point: Point, history: CellHistory, links: Links) -> dict[str, object]:
    colour, symbol, words = _shown(point.cell, history.round.matrix.programme.light)
    cell = history.cell
    return {
        "round": point.round,
        "day": format_day(point.round.date, history.round.matrix.language)
        if point.round.date is not None
        else "",
        "colour": colour,
        "symbol": symbol,
        "text": words,
        "forecast": point.cell.forecast if point.cell is not None else "",
        "exists": point.cell is not None,
        "href": links.cell(point.round.id, cell.unit, cell.milestone),
        "current": point.round.id == history.round.matrix.round.id,
    }


def _pairs(revisions: tuple[Revision, ...]) -> list[tuple[Revision, Revision | None]]:
    return [(revision, revisions[n - 1] if n else None) for n, revision in enumerate(revisions)]


def _revision(
    revision: Revision, before: Revision | None, language: str, nouns: OwnNouns = ()
) -> dict[str, object]:
    t = _translator(language)
    if revision.changed_by is not None:
        who = revision.changed_by
    elif revision.source == IMPORT_SOURCE:
        who = t("history.imported")
    else:
        who = t("history.unknown_person")
    return {
        "number": revision.number,
        "when": revision.changed_at,
        "who": who,
        "changes": [
            Change(
                t(f"history.changed.{part}"),
                _part(before, part, language, nouns) if before is not None else None,
                _part(revision, part, language, nouns),
            )
            for part in (Changed.STATUS, Changed.FORECAST, Changed.REMARK)
            if part in revision.changed
        ],
    }


def _part(revision: Revision, part: str, language: str, nouns: OwnNouns = ()) -> str:
    """A revision's status, forecast or remark in words; '(empty)' for an empty one."""
    if part == Changed.STATUS:
        return status_text(language, revision.progress, revision.delay, revision.critical, nouns)
    value = revision.forecast if part == Changed.FORECAST else revision.remark
    return value or catalogue(language).text("history.empty")


def refused_page(language: str) -> str:
    """A 403's page: one sentence, nothing about what was asked for."""
    language = normalise_language(language)
    return _render("plain.html.j2", language, kind="refused")


def missing_page(language: str) -> str:
    """A 404's page, for a signed link to what is not (or no longer) in the history."""
    language = normalise_language(language)
    return _render("plain.html.j2", language, kind="missing")
