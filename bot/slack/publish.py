"""Posting a round's publication to the steering channel: summary, matrix, documents.

The summary goes to the channel; the matrix messages and the documents go in its thread.
Each part carries its own key, so a retried publication finishes what is missing and
repeats nothing. Compiling and rendering documents is CPU work: it runs in a thread so
the event loop keeps acknowledging clicks meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.slack.posting import Poster
from models.programme import Programme
from models.round import Round
from models.snapshot import load_snapshot
from render.slack.views import SlackMessage
from render.words import worded_matrix
from service.comparisons import store_comparison
from service.messenger import PermanentFailure, Sent

if TYPE_CHECKING:
    from render.publication import Publication


async def publication_for(round_id: int) -> Publication:
    """The publication as the steering group will read it; the comparison is stored.

    The documents' libraries (WeasyPrint, openpyxl) are imported here, on first use, so a
    replica starts in a fraction of a second and pays for them only when it publishes.
    """
    from render.publication import build_publication

    comparison = await store_comparison(round_id)
    snapshot = await load_snapshot(round_id)
    return await asyncio.to_thread(
        lambda: build_publication(snapshot, worded_matrix(snapshot), comparison)
    )


async def publish_round(poster: Poster, round_id: int, *, key: str, maybe_sent: bool) -> Sent:
    round_ = await Round.get(id=round_id)
    programme = await Programme.get(id=round_.programme_id)
    channel = programme.steering_channel
    if not channel:
        raise PermanentFailure("the programme has no steering channel")
    publication = await publication_for(round_id)
    summary, *rest = publication.messages
    top_key = f"{key}:0"
    thread_ts = await poster.find_sent(channel, top_key) if maybe_sent else None
    if thread_ts is None:
        sent = await poster.post(
            channel, SlackMessage(summary.text, list(summary.blocks)), key=top_key
        )
        thread_ts = str(sent.ref["ts"])
        maybe_sent = False  # a new thread holds nothing yet
    for index, message in enumerate(rest, start=1):
        part_key = f"{key}:{index}"
        if maybe_sent and await poster.find_sent(channel, part_key, thread_ts):
            continue
        await poster.post(
            channel,
            SlackMessage(message.text, list(message.blocks)),
            key=part_key,
            thread_ts=thread_ts,
        )
    if publication.files and not (maybe_sent and await poster.has_files(channel, thread_ts)):
        files = [(f.filename, f.title, f.content) for f in publication.files]
        await poster.upload(channel, thread_ts, files)
    return Sent({"platform": "slack", "channel": channel, "ts": thread_ts})
