"""A round's publication in Slack's messages, and its documents for every platform.

`documents` renders the documents as bytes (the same files for Slack and Teams);
`messages` draws Slack's summary and matrix (fallback text + Block Kit blocks, rendered
from render/templates/slack/publication*.j2); `build_publication` does both. The round's
publication is compiled once, by service/publication.py; posting it is the adapters' job.
Importing this module loads the documents' libraries (Typst, openpyxl): its users
import it on first use, so a process starts without them.

The matrix is shown in Slack as text, not as an image: one section per milestone group,
one line per milestone, a coloured dot per unit in the programme's order (🟢🟡🔴⚪),
‼️ naming the units that flag the milestone critical. Dots come first on each line so the
units line up as columns. Text stays searchable, readable on a phone, needs no renderer
and no upload; the PDF alongside is the printable copy (Slack previews it).

Slack's limits are kept by construction: a section longer than 3,000 characters is
split at line ends, a message carries at most 50 blocks, and the matrix continues in as
many messages as it needs ("part 2 of 3").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from render.documents.pdf import RoundPdfs
from render.documents.xlsx import render_xlsx
from render.highlights import LIST_LIMIT, changes, critical_units, tally, unreported_units
from render.i18n import Target, catalogue, format_day
from render.nouns import Nouns, nouns_of
from render.slipping import slips
from render.table_post import slack_post
from render.templating import slack_environment
from render.words import describer, own_nouns
from reporting.comparison import Comparison
from reporting.exports import csv_of, is_table, json_of
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot
from reporting.tables import local_items
from reporting.trend import CellTrend, Flag, Trend

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FALLBACK = 3000
Block = dict[str, Any]
DOCUMENT_KINDS = ("matrix", "sheets", "xlsx", "csv", "json")
"""The documents of a publication, in the order they are posted and named."""


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class File:
    filename: str
    title: str
    content: bytes
    mimetype: str
    kind: str = ""  # one of DOCUMENT_KINDS


@dataclass(frozen=True, slots=True)
class Publication:
    messages: tuple[Message, ...]
    files: tuple[File, ...]


def split_section(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Text cut at line ends into pieces of at most `limit` characters (a longer line is cut)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[: limit - 1] + "…")
            line = ""
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def fit_sections(blocks: Sequence[Block]) -> list[Block]:
    """Every section's text within Slack's 3,000 characters, split into several if needed."""
    fitted: list[Block] = []
    for block in blocks:
        text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
        if len(text) <= MAX_SECTION:
            fitted.append(block)
            continue
        fitted.extend(
            {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in split_section(text)
        )
    return fitted


def _render(template: str, **context: Any) -> list[Block]:
    rendered = slack_environment().get_template(f"slack/{template}").render(**context)
    blocks: list[Block] = json.loads(rendered)
    return fit_sections(blocks)


def _words(language: str, nouns: Nouns | None = None) -> dict[str, Callable[..., str]]:
    """`t` (mrkdwn) and `tp` (plain), in the programme's own `nouns` where given."""
    slack, plain = catalogue(language, Target.SLACK), catalogue(language, Target.PLAIN)
    own: dict[str, object] = {"noun": nouns} if nouns else {}

    def t(key: str, /, **params: object) -> str:
        return slack.text(key, **{**own, **params})

    def tp(key: str, /, **params: object) -> str:
        return plain.text(key, **{**own, **params})

    return {"t": t, "tp": tp}


def summary_message(
    matrix: Matrix,
    comparison: Comparison,
    *,
    published: datetime,
    with_files: bool = True,
    slipping: tuple[CellTrend, ...] = (),
    history_url: str | None = None,
) -> Message:
    """The summary; with the cells `slipping` (render/slipping.py) and a signed link to the
    programme's history page, when there is one."""
    language = matrix.language
    words = _words(language, nouns_of(matrix.programme))
    counts = tally(matrix)
    unreported = unreported_units(matrix, comparison)
    slipped, slipped_more = slips(slipping, matrix.unit_name)
    blocks = _render(
        "publication_summary.j2",
        **words,
        round=matrix.round,
        programme=matrix.programme,
        date=format_day(published.date(), language),
        counts=counts,
        critical=critical_units(matrix),
        comparison=comparison,
        changes=changes(comparison),
        missing=comparison.missing[: LIST_LIMIT * 4],
        not_reported=unreported[: LIST_LIMIT * 4],
        not_reported_more=max(0, len(unreported) - LIST_LIMIT * 4),
        unit_name=matrix.unit_name,
        with_files=with_files,
        slipping=slipped,
        slipping_more=slipped_more,
        history_url=history_url,
    )
    fallback = words["t"](
        "publication.fallback", title=matrix.programme.title, round=matrix.round.name, **counts
    )
    return Message(text=fallback[:MAX_FALLBACK], blocks=tuple(blocks[:MAX_BLOCKS]))


def grid_messages(matrix: Matrix) -> list[Message]:
    """The matrix as dots, in as many messages as Slack's 50-block limit asks for."""
    language = matrix.language
    words = _words(language, nouns_of(matrix.programme))
    sections = _render(
        "publication_grid.j2", **words, groups=matrix.groups, unit_name=matrix.unit_name
    )
    head_size = 2
    per_message = MAX_BLOCKS - head_size
    parts = [sections[i : i + per_message] for i in range(0, len(sections), per_message)] or [[]]
    messages = []
    for number, part in enumerate(parts, start=1):
        head = _render(
            "publication_grid_head.j2", **words, part=number, parts=len(parts), units=matrix.units
        )
        text = words["t"](
            "publication.grid_fallback",
            title=matrix.programme.title,
            round=matrix.round.name,
            part=number,
            parts=len(parts),
        )
        messages.append(Message(text=text[:MAX_FALLBACK], blocks=tuple(head + part)))
    return messages


def slug(value: str) -> str:
    """An ASCII file name part ("12. møde, 20. juni 2018" → "12-moede-20-juni-2018")."""
    folded = unicodedata.normalize(
        "NFKD", value.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    )
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-") or "round"


def documents(
    snapshot: Snapshot, matrix: Matrix, comparison: Comparison, trend: Trend | None = None
) -> tuple[File, ...]:
    """The round's documents as files: matrix PDF, sheets, workbook, CSV, JSON; the PDF's
    «Udvikling» page and the workbook's sheet when given the round's `trend`.

    The sheets are one PDF up to COMBINED_SHEETS_MAX_UNITS units, else a ZIP of a PDF per unit.
    A round in table layout (seed 004) has its table as the PDF, titled in the programme's
    own words, and no sheets: the table is its one unit's sheet.
    """
    words = _words(matrix.language)["tp"]
    describe = describer(matrix.language, own_nouns(matrix.programme))
    local = local_items(snapshot, describe)  # the units' own items too
    stem = f"{slug(matrix.programme.key)}-{slug(matrix.round.name)}"
    table = is_table(matrix)

    def file(kind: str, filename: str, content: bytes, mimetype: str) -> File:
        if table and kind == "matrix":
            title = words("table.file", round=matrix.round.name, noun=nouns_of(matrix.programme))
        else:
            title = words(f"publication.file.{kind}", round=matrix.round.name)
        return File(filename, title, content, mimetype, kind)

    with RoundPdfs(snapshot, matrix, comparison, trend) as pdfs:  # in a pool, when large
        workbook = render_xlsx(snapshot, matrix, trend)  # meanwhile, in this process
        matrix_pdf, sheets_content = pdfs.results()
    if sheets_content is None:
        sheets: tuple[File, ...] = ()
    elif pdfs.zipped:
        sheets = (file("sheets", f"{stem}-sheets.zip", sheets_content, "application/zip"),)
    else:
        sheets = (file("sheets", f"{stem}-sheets.pdf", sheets_content, "application/pdf"),)
    return (
        file(
            "matrix",
            f"{stem}-{'table' if table else 'matrix'}.pdf",
            matrix_pdf,
            "application/pdf",
        ),
        *sheets,
        file(
            "xlsx",
            f"{stem}.xlsx",
            workbook,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        file("csv", f"{stem}.csv", csv_of(matrix, local), "text/csv"),
        file("json", f"{stem}.json", json_of(matrix, local), "application/json"),
    )


def published_moment(snapshot: Snapshot) -> datetime:
    """The day a publication names: when the round was published, else closed, else now."""
    return snapshot.round.published_at or snapshot.round.closed_at or datetime.now(UTC)


def messages(
    matrix: Matrix,
    comparison: Comparison,
    *,
    published: datetime,
    with_files: bool = True,
    slipping: tuple[CellTrend, ...] = (),
    history_url: str | None = None,
) -> tuple[Message, ...]:
    """Slack's messages: the summary, then the matrix in as many messages as needed; a round
    in table layout posts its items instead (render/table_post.py), without colours."""
    if is_table(matrix):
        posted = slack_post(matrix, comparison, published=published, with_files=with_files)
        return tuple(Message(text[:MAX_FALLBACK], tuple(blocks)) for text, blocks in posted)
    summary = summary_message(
        matrix,
        comparison,
        published=published,
        with_files=with_files,
        slipping=slipping,
        history_url=history_url,
    )
    return (summary, *grid_messages(matrix))


def build_publication(
    snapshot: Snapshot,
    matrix: Matrix,
    comparison: Comparison,
    *,
    published: datetime | None = None,
    with_files: bool = True,
    trend: Trend | None = None,
) -> Publication:
    """The summary, the matrix in as many messages as needed, and (with_files) the documents;
    with the round's `trend`, its slipping cells and the documents' trend page and sheet."""
    moment = published or published_moment(snapshot)
    files = documents(snapshot, matrix, comparison, trend) if with_files else ()
    slipping = trend.flagged(Flag.SLIPPING) if trend is not None else ()
    drawn = messages(matrix, comparison, published=moment, with_files=with_files, slipping=slipping)
    return Publication(drawn, files)


__all__ = [
    "DOCUMENT_KINDS",
    "File",
    "Message",
    "Publication",
    "build_publication",
    "documents",
    "messages",
    "published_moment",
    "slug",
]
