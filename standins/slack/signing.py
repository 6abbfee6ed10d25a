"""Request signing as Slack does it, and the ways a request can be spoiled.

``X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">`` with the signing
secret, ``X-Slack-Request-Timestamp`` in Unix seconds; apps refuse requests more than
5 minutes off. Each :class:`Tamper` is one thing an attacker or a broken proxy could do.
"""

from __future__ import annotations

import enum
import hashlib
import hmac

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
STALE_SECONDS = 6 * 60


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Tamper(enum.Enum):
    FORGED_SIGNATURE = "forged_signature"
    MISSING_SIGNATURE = "missing_signature"
    MISSING_TIMESTAMP = "missing_timestamp"
    MISSING_HEADERS = "missing_headers"
    STALE_TIMESTAMP = "stale_timestamp"
    NON_NUMERIC_TIMESTAMP = "non_numeric_timestamp"
    NON_ASCII_SIGNATURE = "non_ascii_signature"
    BODY_CHANGED = "body_changed"
    MALFORMED_BODY = "malformed_body"


def signed_headers(
    secret: str,
    body: bytes,
    *,
    now: float,
    content_type: str,
    tamper: Tamper | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body to send and its headers, spoiled the way ``tamper`` says."""
    timestamp = str(int(now))
    if tamper is Tamper.STALE_TIMESTAMP:
        timestamp = str(int(now) - STALE_SECONDS)
    elif tamper is Tamper.NON_NUMERIC_TIMESTAMP:
        timestamp = "yesterday"
    if tamper is Tamper.MALFORMED_BODY:
        body = b"{this is not" if content_type == "application/json" else b"payload=%7B%22broken"
    signature = sign(secret, timestamp, body)
    if tamper is Tamper.FORGED_SIGNATURE:
        signature = sign(secret + "-wrong", timestamp, body)
    elif tamper is Tamper.NON_ASCII_SIGNATURE:
        signature = "v0=" + "é" * 64
    elif tamper is Tamper.BODY_CHANGED:
        body = body + b"&x=1" if content_type != "application/json" else body[:-1] + b',"x":1}'
    headers = {
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    if tamper in (Tamper.MISSING_SIGNATURE, Tamper.MISSING_HEADERS):
        del headers["X-Slack-Signature"]
    if tamper in (Tamper.MISSING_TIMESTAMP, Tamper.MISSING_HEADERS):
        del headers["X-Slack-Request-Timestamp"]
    return body, headers
