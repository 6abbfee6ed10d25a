"""Compiling a round's publication — and rendering its documents — outside the event loop.

Compiling a publication means freezing the comparison with the round before, reading the
round as a snapshot, wording its matrix and, the costly part, rendering the documents
(half a minute of Typst and openpyxl for a 100 × 300 round). `compile_round` does all of it.

`RenderProcess` runs it in a process of its own, owned by the runtime (bot/runtime.py), so
the process that acknowledges clicks does none of that work: a fresh process per
compilation ('spawn': it inherits no thread of ours half-way through a lock; one task per
process: the memory of a large render goes back when it ends), at a lower CPU priority, so
on a busy machine the clicks come first. The child opens the database itself (a published
round is read, never a snapshot handed over) and sends back the compiled publication.
`InThisProcess` does the same in a thread here, for the command line and the tests, which
acknowledge no clicks.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any, Protocol

from tortoise import connections

from models.db import close_db, open_db
from models.snapshot import load_snapshot
from render.words import worded_matrix
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.trend import CellTrend, Flag
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


async def compile_round(round_id: int, *, with_documents: bool) -> Compiled:
    """Freeze the comparison, read the round (and the rounds its trend looks back on), word
    its matrix and (`with_documents`) render its documents; the CPU work in a thread."""
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

    return await asyncio.to_thread(build)


class Renderer(Protocol):
    async def compile(self, round_id: int, *, with_documents: bool) -> Compiled: ...

    def close(self) -> None: ...


class InThisProcess:
    """Compiles in this process (a thread for the CPU work): for the command line and tests."""

    async def compile(self, round_id: int, *, with_documents: bool) -> Compiled:
        return await compile_round(round_id, with_documents=with_documents)

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

    async def compile(self, round_id: int, *, with_documents: bool) -> Compiled:
        url = self.database_url or _open_database_url()
        if url is None:
            return await compile_round(round_id, with_documents=with_documents)
        loop = asyncio.get_running_loop()
        compiled: Compiled = await loop.run_in_executor(
            self._executor(), _compile_in_child, url, round_id, with_documents
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


def _compile_in_child(database_url: str, round_id: int, with_documents: bool) -> Compiled:
    """The render process's task (module level, so it pickles by name)."""
    return asyncio.run(_compile_opened(database_url, round_id, with_documents))


async def _compile_opened(database_url: str, round_id: int, with_documents: bool) -> Compiled:
    await open_db(database_url, run_migrations=False)
    try:
        return await compile_round(round_id, with_documents=with_documents)
    finally:
        await close_db()


def _read_only_mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only_mapping, (dict(mapping),)


# A snapshot and a matrix hold read-only mappings, which pickle cannot carry by itself: the
# render process sends them back as dictionaries, made read-only again on arrival.
ForkingPickler.register(MappingProxyType, _reduce_mapping)
