"""Compiling a round's publication — and rendering its documents — outside the event loop.

Compiling a publication means freezing the comparison with the round before, reading the
round as a snapshot, wording its matrix and, the costly part, rendering the documents
(half a minute of Typst and openpyxl for a 100 × 300 round). `compile_round` does all of it.

`RenderProcess` runs it in a process of its own, owned by the runtime (bot/runtime.py), so
the process that acknowledges clicks does none of that work: a fresh process per
compilation ('spawn': it inherits no thread of ours half-way through a lock; one task per
process: the memory of a large render goes back when it ends), at a lower CPU priority, so
on a busy machine the clicks come first. The child opens the database itself (a published
round is read, never a snapshot handed over), stores a published round's documents there
(`store_documents`: some 31 MB for 100 × 300, which on SQLite would hold the serving
process's only connection for as long as they are written) and sends back the compiled
publication.
`InThisProcess` does the same in a thread here, for the command line and the tests, which
acknowledge no clicks.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import datetime
from multiprocessing import get_context
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any, Protocol

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.db import close_db, open_db
from models.publication import PublicationDocument
from models.snapshot import load_snapshot
from render.words import worded_matrix
from reporting.comparison import CellRef, ColourChange, Comparison, ForecastMove, Missing
from reporting.matrix import Cell, Matrix, MatrixGroup, Row
from reporting.snapshot import DeadlineInfo, MilestoneInfo, ProgrammeInfo, RoundInfo, UnitInfo
from reporting.trend import CellTrend, Flag, Point
from service.comparisons import store_comparison
from service.history import earlier_rounds

NICE = 10
"""How much lower than the serving process's the render process's CPU priority is."""


@dataclass(frozen=True, slots=True)
class Document:
    """A rendered document as it is stored and served: render.publication.File's fields,
    without that module's libraries (Typst, openpyxl), which only the render process loads."""

    filename: str
    title: str
    content: bytes
    mimetype: str
    kind: str  # one of render.publication.DOCUMENT_KINDS


@dataclass(frozen=True)
class Compiled:
    """A round's publication as compiled: what service/publication.py keeps and posts. Not
    the snapshot the documents were rendered from: the messages need the matrix only, and
    whatever comes back from the render process is unpickled here, where clicks wait."""

    matrix: Matrix
    comparison: Comparison
    published: datetime  # the day the publication names
    files: tuple[Document, ...] | None  # None: compiled without its documents
    slipping: tuple[CellTrend, ...] = ()  # the summary's: forecasts moved later in a row


async def compile_round(round_id: int, *, with_documents: bool, store: bool = False) -> Compiled:
    """Freeze the comparison, read the round (and the rounds its trend looks back on), word
    its matrix and (`with_documents`) render its documents; the CPU work in a thread. With
    `store` (a published round's) the documents are stored with the round here, where they
    were rendered (`store_documents`): the files returned are the ones stored."""
    comparison = await store_comparison(round_id)
    snapshot = await load_snapshot(round_id)
    earlier = await earlier_rounds(round_id)

    def build() -> Compiled:
        from render.publication import documents, published_moment  # Typst, openpyxl: on first use

        matrix = worded_matrix(snapshot)
        trend = earlier.trend(matrix)
        files = None
        if with_documents:
            files = tuple(
                Document(f.filename, f.title, f.content, f.mimetype, f.kind)
                for f in documents(snapshot, matrix, comparison, trend)
            )
        slipping = trend.flagged(Flag.SLIPPING)
        return Compiled(matrix, comparison, published_moment(snapshot), files, slipping)

    compiled = await asyncio.to_thread(build)
    if store and compiled.files:
        compiled = replace(compiled, files=await store_documents(round_id, compiled.files))
    return compiled


async def stored_documents(round_id: int) -> tuple[Document, ...]:
    """A published round's documents as stored, in the order they were rendered."""
    rows = await PublicationDocument.filter(round_id=round_id).order_by("id")
    return tuple(as_document(row) for row in rows)


async def store_documents(round_id: int, files: tuple[Document, ...]) -> tuple[Document, ...]:
    """Keep the documents with their round, all or none; should another replica have stored
    them first, theirs are what everyone is given."""
    try:
        async with in_transaction():
            await PublicationDocument.bulk_create(
                [
                    PublicationDocument(
                        round_id=round_id,
                        kind=file.kind,
                        filename=file.filename,
                        title=file.title,
                        mimetype=file.mimetype,
                        content=file.content,
                    )
                    for file in files
                ]
            )
    except IntegrityError:
        return await stored_documents(round_id) or files
    return files


def as_document(row: PublicationDocument) -> Document:
    return Document(row.filename, row.title, bytes(row.content), row.mimetype, row.kind)


class Renderer(Protocol):
    async def compile(
        self, round_id: int, *, with_documents: bool, store: bool = False
    ) -> Compiled: ...

    def close(self) -> None: ...


class InThisProcess:
    """Compiles in this process (a thread for the CPU work): for the command line and tests."""

    async def compile(
        self, round_id: int, *, with_documents: bool, store: bool = False
    ) -> Compiled:
        return await compile_round(round_id, with_documents=with_documents, store=store)

    def close(self) -> None:
        return None


class RenderProcess:
    """Compiles in a process of its own, started for each compilation; see the module.

    The process opens `database_url`, by default the database this process has open; one
    another process cannot open (SQLite in memory) is compiled in this process instead.
    """

    def __init__(self, database_url: str | None = None) -> None:
        self.database_url = database_url
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=get_context("spawn"),
                initializer=_lower_priority,
                max_tasks_per_child=1,
            )
        return self._pool

    async def compile(
        self, round_id: int, *, with_documents: bool, store: bool = False
    ) -> Compiled:
        url = self.database_url or _open_database_url()
        if url is None:
            return await compile_round(round_id, with_documents=with_documents, store=store)
        loop = asyncio.get_running_loop()
        compiled: Compiled = await loop.run_in_executor(
            self._executor(), _compile_in_child, url, round_id, with_documents, store
        )
        return compiled

    def close(self) -> None:
        """Stop: a compilation under way is abandoned, its process ended with it (a publish
        job's lease brings it back); left running, it would outlive `serve` by minutes."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            # the pool's processes (Python 3.14 has terminate_workers() for this)
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)


def _open_database_url() -> str | None:
    """The URL of the database this process has open, if another process can open it."""
    url = connections.db_config.get("default")
    return url if isinstance(url, str) and ":memory:" not in url else None


def _lower_priority() -> None:
    os.nice(NICE)


def _compile_in_child(
    database_url: str, round_id: int, with_documents: bool, store: bool
) -> Compiled:
    """The render process's task (module level, so it pickles by name)."""
    return asyncio.run(_compile_opened(database_url, round_id, with_documents, store))


async def _compile_opened(
    database_url: str, round_id: int, with_documents: bool, store: bool
) -> Compiled:
    await open_db(database_url, run_migrations=False)
    try:
        return await compile_round(round_id, with_documents=with_documents, store=store)
    finally:
        await close_db()


def _read_only_mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only_mapping, (dict(mapping),)


def _by_constructor(cls: type[Any]) -> None:
    """Have `cls` (a frozen dataclass, every field an argument) cross the process boundary
    as a call of its constructor with its fields' values."""
    names = tuple(field.name for field in fields(cls))

    def reduce(value: Any) -> tuple[type[Any], tuple[Any, ...]]:
        return cls, tuple([getattr(value, name) for name in names])

    ForkingPickler.register(cls, reduce)


# A snapshot and a matrix hold read-only mappings, which pickle cannot carry by itself: the
# render process sends them back as dictionaries, made read-only again on arrival.
ForkingPickler.register(MappingProxyType, _reduce_mapping)

# What comes back is unpickled in the serving process, where clicks wait for the interpreter
# meanwhile. Pickle rebuilds a frozen dataclass with slots through dataclasses' own
# __setstate__, which asks for the class's fields anew for every object: for the 30 000
# cells of a 100 × 300 matrix and its comparison that is a third of a second or more.
# Rebuilt by their constructors, they take some 40 % less.
for _cls in (
    Cell,
    Row,
    MatrixGroup,
    Matrix,
    ProgrammeInfo,
    RoundInfo,
    UnitInfo,
    MilestoneInfo,
    DeadlineInfo,
    ColourChange,
    CellRef,
    ForecastMove,
    Missing,
    Comparison,
    Point,
    CellTrend,
):
    _by_constructor(_cls)
