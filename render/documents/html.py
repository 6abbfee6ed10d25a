"""HTML → PDF for the documents: WeasyPrint, in this process or in a pool of processes.

WeasyPrint lays out in pure Python, so one document keeps one core busy and threads do not
help. Independent documents (the units' sheets in a ZIP) are therefore written by worker
processes, started with 'spawn' so a worker never inherits the parent's threads (the
event loop, the database driver) half-way through a lock. A worker receives HTML text and
returns PDF bytes: nothing else crosses the process boundary.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import current_process, get_context
from typing import Any

from weasyprint import HTML

from render.documents.palette import PALETTE
from render.i18n import catalogue
from render.templating import document_environment

PARALLEL_MIN_DOCUMENTS = 4
"""Fewer documents than this are written in this process: a worker costs a second to start."""


@dataclass(frozen=True, slots=True)
class Pdf:
    content: bytes
    pages: int


def write_pdf(html: str) -> Pdf:
    document = HTML(string=html).render()
    return Pdf(content=document.write_pdf(), pages=len(document.pages))


def _pdf_bytes(html: str) -> bytes:
    """A worker's job (module level, so it pickles by name)."""
    return write_pdf(html).content


def worker_count(documents: int, workers: int | None = None) -> int:
    """How many processes write `documents` PDFs: one per core, never more than documents;
    one (this process) inside a daemonic process, which may not start children."""
    if current_process().daemon:
        return 1
    if workers is None:
        workers = 1 if documents < PARALLEL_MIN_DOCUMENTS else (os.cpu_count() or 1)
    return max(1, min(workers, documents))


def write_pdfs(htmls: Sequence[str], workers: int | None = None) -> list[bytes]:
    """Each HTML as PDF bytes, in order; in a pool of `worker_count` processes when > 1."""
    count = worker_count(len(htmls), workers)
    if count == 1:
        return [_pdf_bytes(html) for html in htmls]
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_pdf_bytes, htmls))


def translator(language: str, nouns: Mapping[str, str] | None = None) -> Callable[..., str]:
    """`t(key, **data)` for the templates: the catalogue's plain text, escaped there; in the
    programme's own `nouns` (render/nouns.py) where given, else KOL's."""
    words = catalogue(language)
    own: dict[str, object] = {"noun": nouns} if nouns else {}

    def t(key: str, /, **params: object) -> str:
        return words.text(key, **{**own, **params})

    return t


def render_template(
    name: str, language: str, *, nouns: Mapping[str, str] | None = None, **context: Any
) -> str:
    """A document template with what every document's page set-up needs."""
    return (
        document_environment()
        .get_template(name)
        .render(
            language=language,
            orientation="landscape",
            t=translator(language, nouns),
            palette=tuple(PALETTE.values()),
            symbols={colour: swatch.symbol for colour, swatch in PALETTE.items()},
            **context,
        )
    )
