"""Signed, expiring links: HMAC-SHA256 over a path and its expiry, compared in constant time.

A link is `PUBLIC_URL + path + ?expires=UNIX-SECONDS&signature=HEX`. The path is signed in
one canonical form, `path_of(*segments)`: each segment percent-encoded with nothing left
safe, so a segment holding '/' or a space signs the same however a browser spells it, and
the server rebuilds it from the route's decoded segments rather than trusting the bytes it
was sent. The message is the path, a newline and the expiry: neither can be changed, nor a
signature moved to another path or a later expiry, without the secret. No login: whoever
holds a link reads what it names until it expires.

The public URL may carry a prefix (`https://example.org/fremdrift`) where a reverse proxy
strips it: links are written under it, and signed without it, as the app sees the path.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

EXPIRES = "expires"
SIGNATURE = "signature"
MIN_SECRET_LENGTH = 32
"""A shorter secret is refused: `openssl rand -hex 32` gives 64 characters."""
MAX_EXPIRES_DIGITS = 12
"""An expiry is Unix seconds: more digits than this is no expiry of ours."""


def path_of(*segments: str) -> str:
    """The canonical, signed form of a path: '/' + the segments, each fully percent-encoded."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


@dataclass(frozen=True, slots=True)
class Signer:
    secret: bytes

    def signature(self, path: str, expires: int) -> str:
        message = f"{path}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def query(self, path: str, expires: int) -> str:
        return urlencode({EXPIRES: str(expires), SIGNATURE: self.signature(path, expires)})

    def valid(self, path: str, expires: str, signature: str, now: datetime) -> bool:
        """Signed for exactly this path and expiry, and not yet expired."""
        if not (expires.isascii() and expires.isdigit() and len(expires) <= MAX_EXPIRES_DIGITS):
            return False
        if not signature.isascii():
            return False
        expected = self.signature(path, int(expires))
        signed = hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))
        return signed and int(expires) > now.timestamp()


@dataclass(frozen=True, slots=True)
class PublicLinks:
    """Links under the public URL, signed by `signer`."""

    signer: Signer
    public_url: str

    @property
    def prefix(self) -> str:
        """The public URL's own path ('' at the root), which the proxy strips."""
        return urlsplit(self.public_url).path.rstrip("/")

    def href(self, path: str, expires: int) -> str:
        """A link within the pages: the prefixed path and its signature, no host."""
        return f"{self.prefix}{path}?{self.signer.query(path, expires)}"

    def url(self, path: str, expires: int) -> str:
        """The whole link, to hand to a person."""
        return f"{self.public_url.rstrip('/')}{path}?{self.signer.query(path, expires)}"
