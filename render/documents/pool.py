"""The documents' PDFs, written in this process or in a pool of processes.

A document is a `TypstSource` (render/documents/typst_pdf.py): a template and its data.
Laying one out keeps one core busy, so independent documents (the units' sheets in a ZIP)
are written by worker processes, started with 'spawn' so a worker never inherits the
parent's threads (the event loop, the database driver) half-way through a lock. A worker
receives a `TypstSource` and returns PDF bytes: nothing else crosses the process boundary.

A round's PDFs — the matrix and every unit's sheet — go to one pool together (`PdfBatch`),
largest first, so the matrix (the longest single job) starts at once and the sheets fill
the other cores around it, while this process writes the workbook meanwhile.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import current_process, get_context
from types import TracebackType
from typing import Self

from render.documents.typst_pdf import TypstSource, write_typst
from render.i18n import catalogue

PARALLEL_MIN_DOCUMENTS = 4
"""Fewer documents than this are written in this process: a worker costs a second to start."""
PARALLEL_MIN_CHARS = 2_000_000
"""...unless their data is at least this long (some 100 × 300 cells' worth): seconds of
layout, for which a second spent starting a worker pays."""


@dataclass(frozen=True, slots=True)
class Pdf:
    content: bytes
    pages: int


def _pdf_bytes(source: TypstSource) -> bytes:
    """A worker's job (module level, so it pickles by name)."""
    return write_typst(source)


def _end_with_parent() -> None:
    """A pool worker's start: end this worker once the process that started it is gone (the
    render process, terminated by serve's shutdown mid-publication), rather than finish a
    layout — minutes for a large matrix — that nobody will read."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def worker_count(documents: int, workers: int | None = None, chars: int = 0) -> int:
    """How many processes write `documents` PDFs of `chars` of data in all: one per core,
    never more than documents; one (this process) for a few small documents, and inside a
    daemonic process, which may not start children."""
    if current_process().daemon:
        return 1
    if workers is None:
        many = documents >= PARALLEL_MIN_DOCUMENTS or chars >= PARALLEL_MIN_CHARS
        workers = (os.cpu_count() or 1) if many else 1
    return max(1, min(workers, documents))


class PdfBatch:
    """Documents being written as PDF bytes by a pool of
    `worker_count` processes, the longest first (the longest job bounds the batch's wall
    time), while this process goes on; a batch for one process writes when `results` is
    asked. Use it as a context manager: on leaving, the pool is shut down, and work not yet
    started is dropped."""

    def __init__(self, sources: Sequence[TypstSource], workers: int | None = None) -> None:
        self._sources = list(sources)
        count = worker_count(len(sources), workers, sum(len(source) for source in sources))
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future[bytes]] = {}
        if count > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=count, mp_context=get_context("spawn"), initializer=_end_with_parent
            )
            longest_first = sorted(range(len(sources)), key=lambda i: len(sources[i]), reverse=True)
            for index in longest_first:
                self._futures[index] = self._pool.submit(_pdf_bytes, sources[index])

    def results(self) -> list[bytes]:
        """Each document's PDF bytes, in the order given."""
        if self._pool is None:
            return [_pdf_bytes(source) for source in self._sources]
        return [self._futures[index].result() for index in range(len(self._sources))]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def write_pdfs(sources: Sequence[TypstSource], workers: int | None = None) -> list[bytes]:
    """Each document as PDF bytes, in order; in a pool of `worker_count` processes when > 1."""
    with PdfBatch(sources, workers) as batch:
        return batch.results()


def translator(language: str, nouns: Mapping[str, str] | None = None) -> Callable[..., str]:
    """`t(key, **data)` for the templates: the catalogue's plain text, escaped there; in the
    programme's own `nouns` (render/nouns.py) where given, else KOL's."""
    words = catalogue(language)
    own: dict[str, object] = {"noun": nouns} if nouns else {}

    def t(key: str, /, **params: object) -> str:
        return words.text(key, **{**own, **params})

    return t
