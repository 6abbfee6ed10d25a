"""A round's publication, compiled once and frozen: what every platform posts.

Publishing a round (service/round_jobs.py marks it published, then each messenger posts)
needs the same things on Slack and on Teams: the comparison with the round before, frozen
in `Round.comparison` (service/comparisons.py), the snapshot, the matrix in words, the day
the publication names, and the documents' bytes (matrix PDF, sheets, workbook, CSV, JSON).
`compile_publication` makes them, the CPU work in a thread so the event loop keeps
answering clicks meanwhile. `Publications` keeps each published round's publication once
compiled (a published round cannot change), so Slack and Teams post the same one and the
Teams document links (bot/teams/files.py) serve the very bytes Slack was given.

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
from typing import TYPE_CHECKING, Protocol, TypeVar

from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.words import worded_matrix
from reporting.comparison import Comparison
from reporting.matrix import Matrix
from reporting.snapshot import Snapshot
from service.comparisons import store_comparison

if TYPE_CHECKING:
    from render.publication import File

M = TypeVar("M", contravariant=True)


@dataclass(frozen=True)
class RoundPublication:
    """A published round as its steering group reads it, on any platform."""

    round_id: int
    snapshot: Snapshot
    matrix: Matrix
    comparison: Comparison
    published: datetime
    files: tuple[File, ...]

    def file(self, kind: str) -> File | None:
        """One document by its kind (render.publication.DOCUMENT_KINDS)."""
        return next((file for file in self.files if file.kind == kind), None)


async def compile_publication(round_id: int) -> RoundPublication:
    """The round's publication, compiled now; the comparison is frozen with it."""
    comparison = await store_comparison(round_id)
    snapshot = await load_snapshot(round_id)

    def build() -> RoundPublication:
        from render.publication import documents, published_moment  # WeasyPrint: on first use

        matrix = worded_matrix(snapshot)
        files = documents(snapshot, matrix, comparison)
        return RoundPublication(
            round_id, snapshot, matrix, comparison, published_moment(snapshot), files
        )

    return await asyncio.to_thread(build)


class Publications:
    """Each published round's publication, compiled once in this process.

    The last `keep` are kept (documents can run to megabytes); one compiled again after it
    was dropped, or in another process, is the same: the round is frozen once published,
    its comparison stored. A round that is not published is compiled afresh every time and
    never kept. One compilation runs at a time, so callers asking together compile once.
    """

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
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
            publication = await compile_publication(round_id)
            if round_.status is RoundStatus.PUBLISHED:
                self._kept[round_id] = publication
                while len(self._kept) > self.keep:
                    self._kept.popitem(last=False)
            return publication

    async def document(self, round_id: int, kind: str) -> File | None:
        """One document of a published round; None for a round that is not published
        (or not there), whose documents are nobody's to read yet."""
        round_ = await Round.get_or_none(id=round_id)
        if round_ is None or round_.status is not RoundStatus.PUBLISHED:
            return None
        return (await self.of(round_id)).file(kind)


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
