"""Teams' part in posting a round's publication: its cards and its steering channel.

The publication is compiled once (service/publication.py) and posted as a thread by the
messenger base: the summary card starts a thread in the channel; the matrix cards and the
documents card are replies in it, as Slack posts them. A Teams bot cannot read a channel's
history, so each part is written down under its key as it goes out (models/sent.py).

The channel is the programme's entry in FREMDRIFT_TEAMS_STEERING_CHANNELS: a programme file
names a Slack channel only (see docs/teams.md). The documents are links the bot serves
(bot/teams/files.py): a bot cannot attach files to a channel message.
"""

from __future__ import annotations

from bot.teams.delivery import message_ref
from bot.teams.files import DocumentLinks
from bot.teams.outbound import Outbound, Where
from models import sent
from render.teams.views import TeamsMessage, publication_messages
from service.publication import RoundPublication, Thread


class SteeringChannel:
    """A Teams channel as service.publication.post_thread writes to it."""

    def __init__(self, outbound: Outbound, where: Where) -> None:
        self.outbound = outbound
        self.where = where

    async def find(self, key: str, thread: str | None) -> str | None:
        return await sent.find(key)

    async def post(self, message: TeamsMessage, *, key: str, thread: str | None) -> str:
        activity_id = await self.outbound.send(self.where, message, reply_to=thread)
        await sent.record(key, activity_id)
        return activity_id

    async def attach(self, thread: Thread, publication: RoundPublication, *, again: bool) -> None:
        """Nothing: the documents are linked from a card of the thread."""

    def ref(self, thread: Thread) -> dict[str, object]:
        return message_ref(self.where, thread.root)


def teams_cards(
    publication: RoundPublication, links: DocumentLinks, history_url: str | None = None
) -> list[TeamsMessage]:
    """The summary card (with the history page's link, when there is one), the matrix
    cards and, when the bot serves them, the documents'."""
    documents = (
        [(file.title, links.url(publication.round_id, file.kind)) for file in publication.files]
        if links.enabled
        else []
    )
    return publication_messages(
        publication.matrix,
        publication.comparison,
        published=publication.published,
        links=documents,
        slipping=publication.slipping,
        history_url=history_url,
    )
