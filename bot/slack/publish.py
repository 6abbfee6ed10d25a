"""Slack's part in posting a round's publication: its messages, its channel, the files.

The publication is compiled once (service/publication.py) and posted as a thread by the
messenger base: the summary goes to the channel, the matrix messages in its thread, each
with its key in Slack message metadata (bot/slack/posting.py), so a retried publication
finds what went out. The documents are uploaded into the thread, once.
"""

from __future__ import annotations

from bot.slack.posting import Poster
from render.slack.views import SlackMessage
from service.publication import RoundPublication, Thread


class SteeringChannel:
    """A Slack channel as service.publication.post_thread writes to it."""

    def __init__(self, poster: Poster, channel: str) -> None:
        self.poster = poster
        self.channel = channel

    async def find(self, key: str, thread: str | None) -> str | None:
        return await self.poster.find_sent(self.channel, key, thread)

    async def post(self, message: SlackMessage, *, key: str, thread: str | None) -> str:
        sent = await self.poster.post(self.channel, message, key=key, thread_ts=thread)
        return str(sent.ref["ts"])

    async def attach(self, thread: Thread, publication: RoundPublication, *, again: bool) -> None:
        """The documents in the thread, unless an earlier attempt uploaded them there."""
        if not publication.files:
            return
        if again and await self.poster.has_files(self.channel, thread.root):
            return
        files = [(f.filename, f.title, f.content) for f in publication.files]
        await self.poster.upload(self.channel, thread.root, files)

    def ref(self, thread: Thread) -> dict[str, object]:
        return {"platform": "slack", "channel": self.channel, "ts": thread.root}


def slack_messages(
    publication: RoundPublication, history_url: str | None = None
) -> list[SlackMessage]:
    """The summary (with the history page's link, when there is one) and the matrix as
    Slack messages (Block Kit)."""
    from render.publication import messages  # with the documents' libraries: on first use

    drawn = messages(
        publication.matrix,
        publication.comparison,
        published=publication.published,
        with_files=bool(publication.files),
        slipping=publication.slipping,
        history_url=history_url,
    )
    return [SlackMessage(message.text, list(message.blocks)) for message in drawn]
