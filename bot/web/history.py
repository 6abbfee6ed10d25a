"""The history pages' routes: `/history/{programme}[/{round}[/{unit}/{milestone}]]`.

Read-only, and only by a signed link that has not expired (bot/web/signing.py): anything
else — no signature, a wrong one, another path's, an expired one — gets 403 and a plain
page that says nothing about what was asked for, before the database is asked anything.
A signed link to what is not in the history (an open round, a cell the matrix no longer
has) gets 404 and a plain page. Every link on a page is signed with the expiry of the link
that opened it, so following them never outlives it.

Every response carries a strict Content-Security-Policy — nothing may load but the one
inline stylesheet its hash allows: no script, no font, no frame, no form — and
`X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (a link is a key: it
must not leak to another site in a Referer) and `Cache-Control: no-store`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web import HistoryAccess
from bot.web.signing import EXPIRES, SIGNATURE, PublicLinks, path_of
from render.history import cell_page, missing_page, refused_page, round_page, style_source
from service.history import NotInHistory, cell_history, round_history

log = logging.getLogger(__name__)

PREFIX = "history"


def programme_path(programme: str) -> str:
    """The signed path of a programme's history (its latest round): what `round link` gives."""
    return path_of(PREFIX, programme)


def content_security_policy() -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_source()}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


class SignedLinks:
    """The pages' links (render.history.Links), signed with the opening link's expiry."""

    def __init__(self, links: PublicLinks, programme: str, expires: int) -> None:
        self.links = links
        self.programme = programme
        self.expires = expires

    def round(self, round_id: int) -> str:
        return self.links.href(path_of(PREFIX, self.programme, str(round_id)), self.expires)

    def cell(self, round_id: int, unit: str, milestone: str) -> str:
        path = path_of(PREFIX, self.programme, str(round_id), unit, milestone)
        return self.links.href(path, self.expires)


def _round_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise NotInHistory(text)
    return int(text)


Build = Callable[[SignedLinks], Awaitable[str]]


def history_routes(access: HistoryAccess) -> list[web.RouteDef]:
    def page(html: str, status: int = 200) -> web.Response:
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers()
        )

    async def show(request: web.Request, segments: tuple[str, ...], build: Build) -> web.Response:
        expires = request.query.get(EXPIRES, "")
        signature = request.query.get(SIGNATURE, "")
        signer = access.links.signer
        if not signer.valid(path_of(PREFIX, *segments), expires, signature, access.clock.now()):
            log.info("history: a link without a valid signature was refused")
            return page(refused_page(access.language), 403)
        try:
            html = await build(SignedLinks(access.links, segments[0], int(expires)))
        except NotInHistory:
            return page(missing_page(access.language), 404)
        return page(html)

    async def programme(request: web.Request) -> web.Response:
        key = request.match_info["programme"]

        async def build(links: SignedLinks) -> str:
            return round_page(await round_history(key), links)

        return await show(request, (key,), build)

    async def round_(request: web.Request) -> web.Response:
        key, number = request.match_info["programme"], request.match_info["round"]

        async def build(links: SignedLinks) -> str:
            return round_page(await round_history(key, _round_id(number)), links)

        return await show(request, (key, number), build)

    async def cell(request: web.Request) -> web.Response:
        found = request.match_info
        key, number, unit, code = found["programme"], found["round"], found["unit"], found["code"]

        async def build(links: SignedLinks) -> str:
            return cell_page(await cell_history(key, _round_id(number), code, unit), links)

        return await show(request, (key, number, unit, code), build)

    base = f"/{PREFIX}/{{programme}}"
    return [
        web.get(base, programme),
        web.get(f"{base}/{{round}}", round_),
        web.get(f"{base}/{{round}}/{{unit}}/{{code}}", cell),
    ]
