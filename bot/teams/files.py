"""The publication's documents as links the bot serves, for Teams channels.

A bot cannot attach files to a channel message (files there live in SharePoint, which would
need Microsoft Graph permissions to write), so the documents card links to the bot itself:
/api/documents/{round}/{kind}?expires=…&signature=…. The link is signed (HMAC-SHA256 with a
key derived from the bot's credential) and expires after a year; only a published round's
documents are served. Nothing is stored: a published round is frozen, so the document is
rendered again, from the database, when someone opens the link.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from models.programme import Programme
from models.round import Round, RoundStatus
from models.snapshot import load_snapshot
from render.publication import slug
from render.words import worded_matrix
from service.comparisons import load_comparison

PATH = "/api/documents"
KINDS = ("matrix", "sheets", "xlsx", "csv", "json")
LIFETIME = 365 * 24 * 3600


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mimetype: str


class DocumentLinks:
    def __init__(self, public_url: str, secret: bytes) -> None:
        self.public_url = public_url.rstrip("/")
        self.key = hashlib.sha256(b"fremdrift-teams-documents\x00" + secret).digest()

    @property
    def enabled(self) -> bool:
        return bool(self.public_url)

    def _signature(self, round_id: int, kind: str, expires: int) -> str:
        message = f"{round_id}:{kind}:{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def url(self, round_id: int, kind: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + LIFETIME)
        query = urlencode(
            {"expires": expires, "signature": self._signature(round_id, kind, expires)}
        )
        return f"{self.public_url}{PATH}/{round_id}/{kind}?{query}"

    def valid(self, round_id: int, kind: str, expires: str, signature: str) -> bool:
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(self._signature(round_id, kind, int(expires)), signature)

    def route(self) -> web.RouteDef:
        return web.get(PATH + "/{round}/{kind}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        round_text, kind = request.match_info["round"], request.match_info["kind"]
        if not round_text.isdigit() or kind not in KINDS:
            raise web.HTTPNotFound()
        round_id = int(round_text)
        query = request.rel_url.query
        if not self.valid(round_id, kind, query.get("expires", ""), query.get("signature", "")):
            raise web.HTTPForbidden()
        document = await render_document(round_id, kind)
        if document is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=document.content,
            content_type=document.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
        )


async def render_document(round_id: int, kind: str) -> Document | None:
    """One document of a published round, rendered in a thread (PDFs take a while)."""
    round_ = await Round.get_or_none(id=round_id)
    if round_ is None or round_.status is not RoundStatus.PUBLISHED:
        return None
    programme = await Programme.get(id=round_.programme_id)
    comparison = await load_comparison(round_id)
    snapshot = await load_snapshot(round_id)
    stem = f"{slug(programme.key)}-{slug(round_.name)}"

    def render() -> Document:
        from render.documents.pdf import (
            COMBINED_SHEETS_MAX_UNITS,
            render_matrix_pdf,
            render_sheet_pdf,
            render_sheets_zip,
        )
        from render.documents.xlsx import render_xlsx
        from reporting.tables import render_csv, render_json

        matrix = worded_matrix(snapshot)
        if kind == "matrix":
            content = render_matrix_pdf(matrix, comparison).content
            return Document(f"{stem}-matrix.pdf", content, "application/pdf")
        if kind == "sheets" and len(matrix.units) <= COMBINED_SHEETS_MAX_UNITS:
            content = render_sheet_pdf(snapshot, matrix).content
            return Document(f"{stem}-sheets.pdf", content, "application/pdf")
        if kind == "sheets":
            return Document(
                f"{stem}-sheets.zip", render_sheets_zip(snapshot, matrix), "application/zip"
            )
        if kind == "xlsx":
            return Document(
                f"{stem}.xlsx",
                render_xlsx(snapshot, matrix),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        if kind == "csv":
            return Document(f"{stem}.csv", render_csv(matrix), "text/csv")
        return Document(f"{stem}.json", render_json(matrix), "application/json")

    return await asyncio.to_thread(render)
