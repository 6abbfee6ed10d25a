"""The publication's documents as links the bot serves, for Teams channels.

A bot cannot attach files to a channel message (files there live in SharePoint, which would
need Microsoft Graph permissions to write), so the documents card links to the bot itself:
/api/documents/{round}/{kind}?expires=…&signature=…. The link is signed (HMAC-SHA256 with a
key derived from the bot's credential) and expires after a year; only a published round's
documents are served. The bytes are those the round was published with, the same Slack was
given: rendered once and stored with the round (service/publication.py), so any replica,
after any restart, serves them as they are, without rendering anything.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from aiohttp import web

from service.publication import Publications

PATH = "/api/documents"
LIFETIME = 365 * 24 * 3600


class DocumentLinks:
    def __init__(
        self, public_url: str, secret: bytes, publications: Publications | None = None
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.key = hashlib.sha256(b"fremdrift-teams-documents\x00" + secret).digest()
        self.publications = publications or Publications()

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
        from render.publication import DOCUMENT_KINDS  # with the documents' libraries

        round_text, kind = request.match_info["round"], request.match_info["kind"]
        if not round_text.isdigit() or kind not in DOCUMENT_KINDS:
            raise web.HTTPNotFound()
        round_id = int(round_text)
        query = request.rel_url.query
        if not self.valid(round_id, kind, query.get("expires", ""), query.get("signature", "")):
            raise web.HTTPForbidden()
        document = await self.publications.document(round_id, kind)
        if document is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=document.content,
            content_type=document.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
        )
