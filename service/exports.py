"""A round's documents for `fremdrift round export`: the stored ones when it was published.

A published round's documents were rendered once and stored with it (service/publication.py),
so an export gives its steering group's very bytes; any other round — open, closed, imported,
or published before documents were stored — is compiled and rendered now, as a publication
would be. The CLI only names the format and writes what it gets (bot/cli/round_export.py).
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum

from conversations.errors import UserError
from models.programme import Programme
from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.words import describer, worded_matrix
from service.comparisons import load_comparison
from service.history import earlier_rounds

LATEST = "latest"
"""The round name that means the programme's latest round by date."""


class Format(StrEnum):
    PDF = "pdf"
    SHEET = "sheet"
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"


KINDS = {
    Format.PDF: "matrix",
    Format.SHEET: "sheets",
    Format.XLSX: "xlsx",
    Format.CSV: "csv",
    Format.JSON: "json",
}
"""Which stored document of a publication (render.publication.DOCUMENT_KINDS) a format is."""

Documents = list[tuple[str | None, bytes]]
"""(unit key or None, bytes): several only for the sheets, one per unit."""


async def find_programme(key: str) -> Programme:
    programme = await Programme.get_or_none(key=key)
    if programme is None:
        raise UserError("export.unknown_programme", value=key)
    return programme


async def find_round(programme: Programme, name: str) -> Round:
    """The round called `name`, or the latest by date for LATEST."""
    if name == LATEST:
        found = await Round.filter(programme_id=programme.id).order_by("-date", "-id").first()
        if found is None:
            raise UserError("export.no_rounds", programme=programme.key)
        return found
    named = await Round.get_or_none(programme_id=programme.id, name=name)
    if named is None:
        raise UserError("export.unknown_round", programme=programme.key, name=name)
    return named


async def export_documents(
    programme_key: str, round_name: str, fmt: Format, unit: str | None
) -> Documents:
    """The document(s) asked for; a `UserError` for a programme, round or unit not known."""
    from reporting.exports import csv_of, json_of
    from reporting.tables import local_items

    programme = await find_programme(programme_key)
    round_ = await find_round(programme, round_name)
    stored = await published_documents(round_, fmt, unit)
    if stored is not None:  # the very bytes its steering group was given, rendered once
        return stored
    snapshot = await load_snapshot(round_.id)
    matrix = worded_matrix(snapshot)
    if unit is not None and unit not in {u.key for u in snapshot.units}:
        raise UserError("export.unknown_unit", programme=programme.key, value=unit)
    # Typst and openpyxl take a moment to import: only their formats pay for them.
    if fmt is Format.PDF:
        from render.documents.pdf import render_matrix_pdf

        comparison = await load_comparison(round_.id)
        trend = (await earlier_rounds(round_.id)).trend(matrix)
        return [(None, render_matrix_pdf(matrix, comparison, trend).content)]
    if fmt is Format.SHEET:
        from render.documents.pdf import render_sheet_pdf

        keys = [unit] if unit is not None else [u.key for u in snapshot.units]
        return [(key, render_sheet_pdf(snapshot, matrix, key).content) for key in keys]
    if fmt is Format.XLSX:
        from render.documents.xlsx import render_xlsx

        trend = (await earlier_rounds(round_.id)).trend(matrix)
        return [(None, render_xlsx(snapshot, matrix, trend))]
    local = local_items(snapshot, describer(matrix.language))
    if fmt is Format.CSV:
        return [(None, csv_of(matrix, local))]  # in the round's layout, a matrix or a table
    return [(None, json_of(matrix, local))]


async def published_documents(round_: Round, fmt: Format, unit: str | None) -> Documents | None:
    """A published round's document(s) as stored with it (service/publication.py), or None:
    not published, published before documents were stored, or sheets asked per unit of a
    round whose sheets are one PDF for all units (those are rendered, as for any round)."""
    if round_.status is not RoundStatus.PUBLISHED:
        return None
    row = await PublicationDocument.get_or_none(round_id=round_.id, kind=KINDS[fmt])
    if row is None:
        return None
    content = bytes(row.content)
    if fmt is not Format.SHEET:
        return [(None, content)]
    if not row.filename.endswith(".zip"):
        return None
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # a PDF per unit, named by its key
        sheets = {name.removesuffix(".pdf"): name for name in archive.namelist()}
        if unit is not None and unit not in sheets:
            return None  # refused by export_documents, as for any round
        keys = [unit] if unit is not None else list(sheets)
        return [(key, archive.read(sheets[key])) for key in keys]
