"""A published round's documents are rendered once, elsewhere, and kept with it (issue 19,
item 2): stored in the database in one transaction by whoever publishes first, then served
as they are — to another replica, to Teams' links, to a retry, to `round export` — and
rendered in a process of its own, never in the one that acknowledges clicks.

The workbook carries the moment it was written, so a document rendered twice differs:
equal bytes mean the stored ones were served.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import sys
from datetime import timedelta
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import MappingProxyType

from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from service.exports import Format, export_documents
from service.publication import Publications
from service.rendering import RenderProcess, compile_round
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10

KINDS = ["matrix", "sheets", "xlsx", "csv", "json"]
ROOT = Path(__file__).parent.parent


async def published() -> Small:
    small = await small_programme()
    await Round.filter(id=small.round.id).update(
        status=RoundStatus.PUBLISHED, open_slot=None, published_at=MONDAY_10 + timedelta(days=3)
    )
    return small


async def stored(round_id: int) -> dict[str, bytes]:
    rows = await PublicationDocument.filter(round_id=round_id)
    return {row.kind: bytes(row.content) for row in rows}


async def test_the_documents_are_rendered_once_and_every_replica_serves_the_stored_ones(
    db: str,
) -> None:
    small = await published()
    first = await Publications(renderer=RenderProcess()).of(small.round.id)
    assert [file.kind for file in first.files] == KINDS
    matrix = first.file("matrix")
    assert matrix is not None
    assert matrix.content.startswith(b"%PDF")
    kept = await stored(small.round.id)
    assert kept == {file.kind: file.content for file in first.files}

    another = Publications(renderer=RenderProcess())  # another replica, or after a restart
    again = await another.of(small.round.id)
    assert {file.kind: file.content for file in again.files} == kept, "not rendered again"
    assert (again.matrix, again.comparison) == (first.matrix, first.comparison)
    link = await Publications().document(small.round.id, "xlsx")
    assert link is not None and link.content == kept["xlsx"]
    assert await PublicationDocument.filter(round_id=small.round.id).count() == len(KINDS)


async def test_a_round_not_published_is_neither_stored_nor_served(db: str) -> None:
    small = await small_programme()
    publications = Publications()
    compiled = await publications.of(small.round.id)
    assert [file.kind for file in compiled.files] == KINDS
    assert await PublicationDocument.all().count() == 0
    assert await publications.document(small.round.id, "csv") is None


async def test_two_replicas_publishing_at_once_both_give_the_stored_documents(db: str) -> None:
    small = await published()
    one, two = await asyncio.gather(
        Publications().of(small.round.id), Publications().of(small.round.id)
    )
    kept = await stored(small.round.id)
    assert len(kept) == len(KINDS)
    for publication in (one, two):
        assert {file.kind: file.content for file in publication.files} == kept


async def test_round_export_of_a_published_round_writes_the_stored_bytes(db: str) -> None:
    small = await published()
    publication = await Publications().of(small.round.id)
    round_name = small.round.name
    for fmt, kind in ((Format.PDF, "matrix"), (Format.XLSX, "xlsx"), (Format.CSV, "csv")):
        written = await export_documents("mini", round_name, fmt, None)
        document = publication.file(kind)
        assert document is not None
        assert written == [(None, document.content)], fmt


async def test_a_compilation_arrives_from_the_render_process_as_it_was_sent(db: str) -> None:
    """What the render process sends back crosses as the serving process unpickles it
    (service/rendering.py rebuilds its frozen dataclasses by their constructors): equal, its
    mappings read-only again, with the comparison and the trend's flags."""
    small = await published()
    compiled = await compile_round(small.round.id, with_documents=False)
    arrived = pickle.loads(ForkingPickler.dumps(compiled))
    assert arrived == compiled
    assert isinstance(arrived.matrix.programme, type(compiled.matrix.programme))
    assert isinstance(arrived.matrix._index, MappingProxyType)
    cell = compiled.matrix.groups[0].rows[0].cells[0]
    assert arrived.matrix.cell(cell.milestone, cell.unit) == cell


SERVING = """
import asyncio, json, sys
from datetime import UTC, datetime
from models.db import close_db, open_db
from models.round import Round, RoundStatus
from service.publication import Publications
from service.rendering import RenderProcess
from tests.factories import small_programme

async def main() -> None:
    await open_db(sys.argv[1])
    small = await small_programme()
    await Round.filter(id=small.round.id).update(
        status=RoundStatus.PUBLISHED, open_slot=None, published_at=datetime.now(UTC)
    )
    publications = Publications(renderer=RenderProcess())
    publication = await publications.of(small.round.id)
    publications.close()
    await close_db()
    print(json.dumps({
        "pdf": publication.file("matrix").content[:4].decode(),
        "typst_here": "typst" in sys.modules,
        "openpyxl_here": "openpyxl" in sys.modules,
    }))

if __name__ == "__main__":  # the render process is spawned: it imports this module again
    asyncio.run(main())
"""


async def test_the_documents_are_rendered_in_another_process(tmp_path: Path) -> None:
    """A process that compiles a publication through RenderProcess, as `serve` does, gets
    its documents without ever loading their libraries (Typst, openpyxl) itself."""
    url = f"sqlite://{tmp_path / 'serving.sqlite3'}"  # a database of its own, on any backend
    script = tmp_path / "serving.py"
    script.write_text(SERVING, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        url,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 300)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    found = json.loads(out.decode().strip().splitlines()[-1])
    assert found == {"pdf": "%PDF", "typst_here": False, "openpyxl_here": False}
