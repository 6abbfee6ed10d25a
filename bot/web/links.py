"""Signed links to a programme's history for the chat: the one posted with each publication,
and the one `/fremdrift round link` gives an admin.

A link is made only where it can be followed: with a usable `FREMDRIFT_HISTORY_SECRET` and
a public address people reach (`FREMDRIFT_PUBLIC_URL`, else Teams' public URL). Without
them `link_maker` is None: the publication goes out without a link, and the command says
the history is not served here. `round link` on the command line keeps its own refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.settings import Settings, SettingsError
from bot.web import history_links
from bot.web.history import programme_path
from conversations.clock import SystemClock
from service.publication import RoundPublication

PUBLICATION_DAYS = 90
"""How long the link posted with a publication works: until well after the meeting it is for."""
COMMAND_DAYS = 30
"""How long the link `/fremdrift round link` gives works (as `fremdrift round link`'s default)."""

LinkMaker = Callable[[str, int], tuple[str, datetime]]
"""(programme key, days) → the signed URL of its history and when it expires."""


def link_maker(settings: Settings) -> LinkMaker | None:
    """Signed history links under the public URL, or None when there can be none."""
    if not (settings.public_url or settings.teams_public_url):
        return None
    if settings.history_secret is None or not settings.history_secret.get_secret_value():
        return None
    try:
        links = history_links(settings)
    except SettingsError:  # too short to trust: `serve` refuses to start on it anyway
        return None
    clock = SystemClock()

    def make(programme: str, days: int) -> tuple[str, datetime]:
        expires = clock.now().replace(microsecond=0) + timedelta(days=days)
        return links.url(programme_path(programme), int(expires.timestamp())), expires

    return make


def history_link(make: LinkMaker | None, publication: RoundPublication) -> str | None:
    """The link posted with a publication: its programme's history, for PUBLICATION_DAYS."""
    if make is None:
        return None
    return make(publication.matrix.programme.key, PUBLICATION_DAYS)[0]
