"""`fremdrift round …`: export a round's documents, import an earlier round from a file.

`round_app` is the `round` command group; other round commands (open, status, …) are
added to it from their own modules. Export writes one document of a round: the matrix PDF,
the units' sheets, the workbook, CSV or JSON (`--output -` sends CSV or JSON to stdout).
Import reads a whole earlier round from CSV or JSON — an export of ours unchanged, or a
spreadsheet's — and stores it closed, all rows or none (service/imports.py). What is
exported, stored or rendered, is service/exports.py's to say; these commands only parse
their options and write or print what they get.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_language, err_console, fail, run_with_db, say
from conversations.errors import UserError
from render.i18n import catalogue, text
from service.exports import LATEST, Documents, Format, export_documents
from service.imports import ImportFailed, answer_count, import_round, read_import_file

round_app = typer.Typer(
    help="Rounds: export their documents, import earlier ones.", no_args_is_help=True
)

SUFFIX = {
    Format.PDF: ".pdf",
    Format.SHEET: ".pdf",
    Format.XLSX: ".xlsx",
    Format.CSV: ".csv",
    Format.JSON: ".json",
}


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

    async def body() -> Documents:
        return await export_documents(programme, round_name, fmt, unit)

    _write(out, fmt, unit, run_with_db(body))


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
        return round_.name, await answer_count(round_)

    result = run_with_db(body)
    if isinstance(result, ImportFailed):
        language = cli_language()
        for error in result.errors:  # the first few; the rest counted
            err_console.print(catalogue(language).error(error), markup=False)
        if result.total > len(result.errors):
            more = result.total - len(result.errors)
            err_console.print(text(language, "import.more", count=more), markup=False)
        fail(UserError("import.failed", count=result.total))
    imported, count = result
    say("import.done", round=imported, count=count)
