"""Fremdrift's own web pages, served by the same aiohttp process as Slack's and Teams' routes
(bot/server.py): the read-only history of a programme (bot/web/history.py), behind signed,
expiring links (bot/web/signing.py), printed by `fremdrift round link`.

`history_access` reads what the pages need from the settings: the secret that signs links
(`FREMDRIFT_HISTORY_SECRET`; without it there are no pages, and no links can be made) and
the public URL they are written under (`FREMDRIFT_PUBLIC_URL`, else Teams' public URL,
else this host on `FREMDRIFT_PORT`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings, SettingsError
from bot.web.signing import MIN_SECRET_LENGTH, PublicLinks, Signer
from conversations.clock import Clock


@dataclass(frozen=True, slots=True)
class HistoryAccess:
    """What the history routes need: the links, the time, and the language of a refusal
    (which cannot know whose programme was asked for)."""

    links: PublicLinks
    clock: Clock
    language: str


def public_url(settings: Settings) -> str:
    """Where people reach this process."""
    found = settings.public_url or settings.teams_public_url
    return found.rstrip("/") if found else f"http://localhost:{settings.port}"


def history_links(settings: Settings) -> PublicLinks:
    """The signed links of the history; SettingsError when there is no usable secret."""
    secret = settings.history_secret.get_secret_value() if settings.history_secret else ""
    if not secret:
        raise SettingsError("history.secret_missing")
    if len(secret) < MIN_SECRET_LENGTH:
        raise SettingsError("history.secret_short", length=MIN_SECRET_LENGTH)
    return PublicLinks(Signer(secret.encode("utf-8")), public_url(settings))


def history_access(settings: Settings, clock: Clock) -> HistoryAccess | None:
    """The history pages' access, or None when no secret is set (then they are not served);
    a secret too short to trust is a SettingsError, said when `serve` starts."""
    if settings.history_secret is None or not settings.history_secret.get_secret_value():
        return None
    return HistoryAccess(history_links(settings), clock, settings.language)
