"""Is this activity from Teams, for us? The bearer token of every request is checked first.

Bot Framework signs each activity it sends a bot with a JWT (docs: "Authentication with the
Bot Connector API"). A request is let in only when all of these hold, else it is answered
401 and nothing is stored:

- the token is signed (RS256) by a key in the key set that Bot Framework's OpenID metadata
  points at, and that key is endorsed for the activity's channel ("msteams");
- the issuer is https://api.botframework.com and the audience is our app id;
- it has not expired, and is already valid, give or take the SDK's clock skew (5 minutes,
  the leeway of the Agents SDK's `JwtTokenValidator` and Bot Framework's own advice);
- its `serviceurl` claim is the activity's `serviceUrl` — a token for one service URL
  cannot send us somewhere else to answer;
- for a single-tenant bot, the activity comes from our tenant: every tenant it names
  (conversation and channelData) is ours.

The SDK's own validator (`microsoft_agents.hosting.core.authorization.jwt`) fetches keys
from a fixed URL, checks the issuer only when asked, and leaves the service URL to a host
check that only compares host names; so the checks are done here, with the SDK's types and
constants, and the metadata URL comes from the settings (the tests point it at a stand-in).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import jwt
from microsoft_agents.hosting.core.authorization import (
    AuthenticationConstants,
    ClaimsIdentity,
)

log = logging.getLogger(__name__)

ISSUER = AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER
CLOCK_SKEW = timedelta(minutes=5)
CHANNEL = "msteams"
KEYS_MAX_AGE = 24 * 3600.0
UNKNOWN_KEY_REFRESH = 300.0  # an unknown key id refreshes the keys at most this often


class Refused(Exception):
    """The request is not from Bot Framework for us; the reason is for the log only."""


@dataclass(frozen=True)
class SigningKey:
    key: jwt.PyJWK
    endorsements: tuple[str, ...]


class BotFrameworkKeys:
    """The keys Bot Framework signs with: OpenID metadata → jwks_uri → keys, cached a day."""

    def __init__(self, session: aiohttp.ClientSession, metadata_url: str) -> None:
        self.session = session
        self.metadata_url = metadata_url
        self._keys: dict[str, SigningKey] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> SigningKey:
        now = time.monotonic()
        stale = now - self._fetched > KEYS_MAX_AGE
        unknown = kid not in self._keys and now - self._fetched > UNKNOWN_KEY_REFRESH
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched > min(KEYS_MAX_AGE, UNKNOWN_KEY_REFRESH):
                    await self._refresh()
        found = self._keys.get(kid)
        if found is None:
            raise Refused(f"unknown signing key {kid!r}")
        return found

    async def _refresh(self) -> None:
        try:
            metadata = await self._get_json(self.metadata_url)
            document = await self._get_json(str(metadata["jwks_uri"]))
        except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as error:
            if not self._keys:
                raise Refused(f"no signing keys: {error!r}") from error
            log.warning("signing keys not refreshed", extra={"error": repr(error)})
            return
        keys: dict[str, SigningKey] = {}
        for entry in document.get("keys", []):
            try:
                parsed = jwt.PyJWK(entry)
            except jwt.PyJWTError as error:
                log.info("signing key skipped", extra={"error": repr(error)})
                continue
            endorsements = tuple(str(e) for e in entry.get("endorsements") or ())
            keys[str(entry.get("kid", ""))] = SigningKey(parsed, endorsements)
        self._keys = keys
        self._fetched = time.monotonic()

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
            response.raise_for_status()
            data = await response.json(content_type=None)
        if not isinstance(data, dict):
            raise ValueError(f"{url} is not a JSON object")
        return data


class ActivityAuthenticator:
    """Checks a request's Authorization header against the activity it carries."""

    def __init__(self, keys: BotFrameworkKeys, app_id: str, tenant_id: str | None = None) -> None:
        self.keys = keys
        self.app_id = app_id
        self.tenant_id = tenant_id

    async def authenticate(
        self, authorization: str | None, activity: Mapping[str, Any]
    ) -> ClaimsIdentity:
        """The token's claims as the SDK's ClaimsIdentity; `Refused` if anything is off."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Refused(f"not a JWT: {error}") from error
        if header.get("alg") != "RS256":
            raise Refused(f"algorithm {header.get('alg')!r}")
        signing = await self.keys.key(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=signing.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Refused(type(error).__name__) from error
        channel = str(activity.get("channelId") or "")
        if signing.endorsements and channel not in signing.endorsements:
            raise Refused(f"key not endorsed for {channel!r}")
        if _url(claims.get(AuthenticationConstants.SERVICE_URL_CLAIM)) != _url(
            activity.get("serviceUrl")
        ):
            raise Refused("serviceurl claim differs from the activity's serviceUrl")
        if self.tenant_id and tenants_named(activity) != {self.tenant_id}:
            raise Refused("another tenant, or none")
        return ClaimsIdentity(claims, authentication_type="Bearer", security_token=token)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Refused("no Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        raise Refused("not a bearer token")
    return token


def _url(value: object) -> str:
    return str(value or "").strip().rstrip("/").lower()


def tenant_of(activity: Mapping[str, Any]) -> str:
    """The tenant an activity comes from (conversation, else channelData)."""
    conversation = activity.get("conversation") or {}
    tenant = conversation.get("tenantId") if isinstance(conversation, dict) else None
    if not tenant:
        channel_data = activity.get("channelData") or {}
        found = (channel_data.get("tenant") or {}) if isinstance(channel_data, dict) else {}
        tenant = found.get("id") if isinstance(found, dict) else None
    return str(tenant or "")


def tenants_named(activity: Mapping[str, Any]) -> set[str]:
    """Every tenant an activity names (its conversation's and its channelData's): for a
    single-tenant bot all of them must be ours, so one cannot vouch for another."""
    found: set[str] = set()
    conversation = activity.get("conversation")
    if isinstance(conversation, dict) and conversation.get("tenantId"):
        found.add(str(conversation["tenantId"]))
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and tenant.get("id"):
        found.add(str(tenant["id"]))
    return found


def parse_activity(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object; ValueError otherwise (nesting deeper than the
    interpreter can parse included)."""
    try:
        data = json.loads(body)
    except RecursionError as error:
        raise ValueError("an activity nested too deeply") from error
    if not isinstance(data, dict):
        raise ValueError("an activity is a JSON object")
    return data
