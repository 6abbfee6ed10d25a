"""A round's publication, compiled once and frozen: what every platform posts.

Publishing a round (service/round_jobs.py marks it published, then each messenger posts)
needs the same things on Slack and on Teams: the comparison with the round before, frozen
in `Round.comparison` (service/comparisons.py), the snapshot, the matrix in words, the day
the publication names, and the documents' bytes (matrix PDF, sheets, workbook, CSV, JSON).
`Publications` has them compiled by its renderer (service/rendering.py) — in a process of
its own in `serve`, so the process that acknowledges clicks never renders — and the
documents of a published round rendered once: stored with the round in one transaction
(models/publication.py) by whoever publishes it first — by the render process that rendered
them, so their megabytes never hold up this process's database connection — and served
from there by every
later reader on any replica — a retried publication, Teams' document links
(bot/teams/files.py), `round export`. The last `keep` publications are also kept in
memory, so Slack and Teams post the very same one.

`post_thread` is how every platform posts it: the first message starts a thread in the
steering channel and the rest reply in it, each part under its own key, so a retried
publication finishes what is missing and repeats nothing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.trend import CellTrend
from service.rendering import Document, InThisProcess, Renderer, as_document, stored_documents

M = TypeVar("M", contravariant=True)


@dataclass(frozen=True)
class RoundPublication:
    """A published round as its steering group reads it, on any platform."""

    round_id: int
    matrix: Matrix
    comparison: Comparison
    published: datetime
    files: tuple[Document, ...]
    slipping: tuple[CellTrend, ...] = ()  # forecasts moved later round after round

    def file(self, kind: str) -> Document | None:
        """One document by its kind (render.publication.DOCUMENT_KINDS)."""
        return next((file for file in self.files if file.kind == kind), None)


class Publications:
    """Each round's publication, compiled by `renderer` (default: in this process).

    A published round cannot change: its documents are rendered once and stored, and its
    publication is kept here once compiled, so every platform posts the same one (the last
    `keep`: a large round's matrix and documents run to megabytes, and every object kept is
    one more the collector walks while clicks wait). A round that is not published is
    compiled afresh every time, its documents neither stored nor kept. One compilation runs
    at a time, so callers asking together compile once.
    """

    def __init__(self, keep: int = 1, renderer: Renderer | None = None) -> None:
        self.keep = keep
        self.renderer: Renderer = renderer or InThisProcess()
        self._kept: OrderedDict[int, RoundPublication] = OrderedDict()
        self._compiling = asyncio.Lock()

    async def of(self, round_id: int) -> RoundPublication:
        """The round's publication, compiled now or earlier."""
        async with self._compiling:
            kept = self._kept.get(round_id)
            if kept is not None:
                self._kept.move_to_end(round_id)
                return kept
            round_ = await Round.get(id=round_id)
            published = round_.status is RoundStatus.PUBLISHED
            stored = await stored_documents(round_id) if published else ()
            # Stored where they are rendered (see the module): on SQLite one transaction
            # holds this process's only connection, and clicks, for as long as it writes.
            compiled = await self.renderer.compile(
                round_id, with_documents=not stored, store=published
            )
            files = stored or compiled.files or ()
            publication = RoundPublication(
                round_id,
                compiled.matrix,
                compiled.comparison,
                compiled.published,
                files,
                compiled.slipping,
            )
            if published:
                self._kept[round_id] = publication
                while len(self._kept) > self.keep:
                    self._kept.popitem(last=False)
            return publication

    async def document(self, round_id: int, kind: str) -> Document | None:
        """One document of a published round, as stored; None for a round that is not
        published (or not there), whose documents are nobody's to read yet, or that has no
        such document. Compiled (and stored) first if the round's never were."""
        round_ = await Round.get_or_none(id=round_id)
        if round_ is None or round_.status is not RoundStatus.PUBLISHED:
            return None
        kept = self._kept.get(round_id)
        if kept is not None:
            return kept.file(kind)
        row = await PublicationDocument.get_or_none(round_id=round_id, kind=kind)
        if row is not None:
            return as_document(row)
        if await PublicationDocument.exists(round_id=round_id):
            return None  # stored without one (a round in table layout has no sheets)
        return (await self.of(round_id)).file(kind)

    def close(self) -> None:
        self.renderer.close()


@dataclass(frozen=True)
class Thread:
    root: str
    new: bool  # started now: nothing of an earlier attempt can be in it


class Channel(Protocol[M]):
    """A steering channel as a publication is posted to it: the platform's primitives."""

    async def find(self, key: str, thread: str | None) -> str | None:
        """The id of a message sent earlier under `key` (in `thread`), if there is one."""
        ...

    async def post(self, message: M, *, key: str, thread: str | None) -> str:
        """Post `message` under `key` (as a reply in `thread`); the new message's id."""
        ...

    async def attach(self, thread: Thread, publication: RoundPublication, *, again: bool) -> None:
        """What goes beside the messages (Slack uploads the documents into the thread);
        `again`: an earlier attempt may have done it."""
        ...

    def ref(self, thread: Thread) -> dict[str, object]:
        """Where the thread is, as plain data (service.messenger.Sent's ref)."""
        ...


async def post_thread(
    channel: Channel[M], messages: Sequence[M], *, key: str, maybe_sent: bool
) -> Thread:
    """The first message starts a thread and the rest reply in it, each under
    `{key}:{index}`; with `maybe_sent`, what an earlier attempt posted is not posted again."""
    first, *rest = messages
    top_key = f"{key}:0"
    root = await channel.find(top_key, None) if maybe_sent else None
    new = root is None
    if root is None:
        root = await channel.post(first, key=top_key, thread=None)
    for index, message in enumerate(rest, start=1):
        part_key = f"{key}:{index}"
        if not new and maybe_sent and await channel.find(part_key, root):
            continue
        await channel.post(message, key=part_key, thread=root)
    return Thread(root, new)
