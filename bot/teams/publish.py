"""Posting a round's publication to the steering group's Teams channel.

The summary card starts a thread in the channel; the matrix cards and the documents card
are replies in that thread, as Slack posts them. Each part is written down under its own
key, so a retried publication finishes what is missing and repeats nothing. Compiling the
matrix is CPU work: it runs in a thread so the bot keeps answering clicks meanwhile.

The channel is the programme's entry in FREMDRIFT_TEAMS_STEERING_CHANNELS: a programme
file names a Slack channel only (see docs/teams.md).
"""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from bot.teams import sent
from bot.teams.delivery import message_ref
from bot.teams.files import KINDS, DocumentLinks
from bot.teams.outbound import Outbound, Where
from models.programme import Programme
from models.round import Round
from models.snapshot import load_snapshot
from render.teams.views import TeamsMessage, card_words, publication_messages
from render.words import worded_matrix
from service.comparisons import store_comparison
from service.messenger import PermanentFailure, Sent


async def publication(round_id: int, links: DocumentLinks) -> list[TeamsMessage]:
    """The cards as the steering group will read them; the comparison is stored."""
    round_ = await Round.get(id=round_id)
    comparison = await store_comparison(round_id)
    snapshot = await load_snapshot(round_id)
    matrix = await asyncio.to_thread(worded_matrix, snapshot)
    titles = card_words(matrix.language, escaped=False)
    documents = (
        [
            (titles.text(f"publication.file.{kind}", round=round_.name), links.url(round_id, kind))
            for kind in KINDS
        ]
        if links.enabled
        else []
    )
    moment = round_.published_at or round_.closed_at
    return await asyncio.to_thread(
        lambda: publication_messages(matrix, comparison, published=moment, links=documents)
    )


async def publish_round(
    outbound: Outbound,
    settings: Settings,
    links: DocumentLinks,
    round_id: int,
    *,
    key: str,
    maybe_sent: bool,
) -> Sent:
    round_ = await Round.get(id=round_id)
    programme = await Programme.get(id=round_.programme_id)
    channel = settings.teams_steering_channels.get(programme.key)
    if not channel:
        raise PermanentFailure("the programme has no Teams steering channel")
    where = Where(settings.teams_service_url, channel, settings.teams_tenant_id or "", "channel")
    summary, *rest = await publication(round_id, links)
    top_key = f"{key}:0"
    root = await sent.find(top_key) if maybe_sent else None
    if root is None:
        root = await outbound.send(where, summary)
        await sent.record(top_key, root)
        maybe_sent = False  # a new thread holds nothing yet
    for index, message in enumerate(rest, start=1):
        part_key = f"{key}:{index}"
        if maybe_sent and await sent.find(part_key):
            continue
        await sent.record(part_key, await outbound.send(where, message, reply_to=root))
    return Sent(message_ref(where, root))
