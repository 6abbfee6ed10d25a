"""`fremdrift round …`: export a round's documents, import an earlier round from a file.

`round_app` is the `round` command group; other round commands (open, status, …) are
added to it from their own modules. Export writes one document of a round: the matrix PDF,
the units' sheets, the workbook, CSV or JSON (`--output -` sends CSV or JSON to stdout).
Import reads a whole earlier round from CSV or JSON — an export of ours unchanged, or a
spreadsheet's — and stores it closed, all rows or none (service/imports.py).
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_language, err_console, fail, run_with_db, say
from conversations.errors import UserError
from models.answer import Answer
from models.programme import Programme
from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.i18n import text
from render.words import describer, worded_matrix
from service.comparisons import load_comparison
from service.history import earlier_rounds
from service.imports import ImportFailed, import_round, read_import_file

round_app = typer.Typer(
    help="Rounds: export their documents, import earlier ones.", no_args_is_help=True
)

LATEST = "latest"
IMPORT_SOURCE = "import"


class Format(StrEnum):
    PDF = "pdf"
    SHEET = "sheet"
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"


SUFFIX = {
    Format.PDF: ".pdf",
    Format.SHEET: ".pdf",
    Format.XLSX: ".xlsx",
    Format.CSV: ".csv",
    Format.JSON: ".json",
}


async def find_programme(key: str) -> Programme:
    programme = await Programme.get_or_none(key=key)
    if programme is None:
        raise UserError("export.unknown_programme", value=key)
    return programme


async def find_round(programme: Programme, name: str) -> Round:
    """The round called `name`, or the latest by date for 'latest'."""
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
) -> list[tuple[str | None, bytes]]:
    """The document(s) asked for: (unit key or None, bytes); several only for sheets per unit."""
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
    # WeasyPrint and openpyxl take a second to import: only their formats pay for them.
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


KINDS = {
    Format.PDF: "matrix",
    Format.SHEET: "sheets",
    Format.XLSX: "xlsx",
    Format.CSV: "csv",
    Format.JSON: "json",
}
"""Which stored document of a publication (render.publication.DOCUMENT_KINDS) a format is."""


async def published_documents(
    round_: Round, fmt: Format, unit: str | None
) -> list[tuple[str | None, bytes]] | None:
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
            return None  # refused below, as for any round
        keys = [unit] if unit is not None else list(sheets)
        return [(key, archive.read(sheets[key])) for key in keys]


def _write(
    out: str, fmt: Format, unit: str | None, documents: list[tuple[str | None, bytes]]
) -> None:
    if out == "-":
        if fmt not in (Format.CSV, Format.JSON):
            fail(UserError("export.stdout_binary", format=fmt.value))
        content = documents[0][1]
        sys.stdout.buffer.write(content.removeprefix(b"\xef\xbb\xbf"))
        sys.stdout.buffer.flush()
        return
    path = Path(out)
    if fmt is Format.SHEET and unit is None:
        if path.exists() and not path.is_dir():
            fail(UserError("export.not_a_folder", path=str(path)))
        path.mkdir(parents=True, exist_ok=True)
        for key, content in documents:
            target = path / f"{key}{SUFFIX[fmt]}"
            target.write_bytes(content)
            say("export.written", what=fmt.value, path=str(target))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(documents[0][1])
    say("export.written", what=fmt.value, path=str(path))


@round_app.command("export")
def export(
    programme: Annotated[str, typer.Option("--programme", help="The programme's key.")],
    fmt: Annotated[Format, typer.Option("--format", help="pdf, sheet, xlsx, csv or json.")],
    out: Annotated[
        str,
        typer.Option("--output", "-o", help="File (or folder for sheets); - for stdout."),
    ],
    round_name: Annotated[
        str, typer.Option("--round", help="The round's name, or latest.")
    ] = LATEST,
    unit: Annotated[str | None, typer.Option("--unit", help="One unit's sheet (its key).")] = None,
) -> None:
    """Write one document of a round: the matrix PDF, sheets, workbook, CSV or JSON."""

    async def body() -> list[tuple[str | None, bytes]]:
        return await export_documents(programme, round_name, fmt, unit)

    _write(out, fmt, unit, run_with_db(body))


def render_error(language: str, error: UserError) -> str:
    """A message whose parameters may hold another error (a forecast's reason) in words."""
    params = {
        key: render_error(language, value) if isinstance(value, UserError) else value
        for key, value in error.params.items()
    }
    return text(language, error.key, **params)


@round_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The CSV or JSON file (an export of ours, too).")],
    programme: Annotated[str, typer.Option("--programme", help="The programme's key.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="The new round's name (default: a JSON export's)."),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The round's meeting day, YYYY-MM-DD, which orders history "
            "(default: a JSON export's, else today).",
        ),
    ] = None,
) -> None:
    """Import an earlier round from CSV or JSON; docs/formats.md describes both."""
    try:
        data = read_import_file(file)  # a regular file within the limit, or one line
    except UserError as refused:
        fail(refused)

    async def body() -> tuple[str, int] | ImportFailed:
        try:
            round_ = await import_round(programme, name, data, datetime.now(UTC), date_text=day)
        except ImportFailed as failed:
            return failed
        return round_.name, await Answer.filter(round_id=round_.id).count()

    result = run_with_db(body)
    if isinstance(result, ImportFailed):
        language = cli_language()
        for error in result.errors:  # the first few; the rest counted
            err_console.print(render_error(language, error), markup=False)
        if result.total > len(result.errors):
            more = result.total - len(result.errors)
            err_console.print(text(language, "import.more", count=more), markup=False)
        fail(UserError("import.failed", count=result.total))
    imported, count = result
    say("import.done", round=imported, count=count)
