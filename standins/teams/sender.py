"""Teams calling the bot: each activity POSTed to the messaging endpoint with a bearer
token signed as Bot Framework signs it (issuer, audience = the app id, a `serviceurl`
claim, five-minute-plus lifetimes), or spoiled in one way a test names."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import aiohttp

from .login import BOT_FRAMEWORK_ISSUER

if TYPE_CHECKING:
    from .stub import TeamsStub


class Tamper(Enum):
    """Ways a request to the bot can be wrong; each must be refused with 401."""

    NO_TOKEN = "no token"
    FORGED = "signed by a key Bot Framework never published"
    BAD_SIGNATURE = "a published key id, another key's signature"
    EXPIRED = "expired longer ago than the clock skew"
    NOT_YET_VALID = "valid only from a time beyond the clock skew"
    WRONG_AUDIENCE = "for another bot"
    WRONG_ISSUER = "not issued by Bot Framework"
    WRONG_SERVICE_URL = "its serviceurl claim is not the activity's serviceUrl"
    UNENDORSED = "signed by a key not endorsed for msteams"
    NOT_BEARER = "not a bearer token"


@dataclass
class Delivery:
    activity: dict[str, Any]
    status: int
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Sender:
    def __init__(self, stub: TeamsStub) -> None:
        self.stub = stub

    def token(self, activity: dict[str, Any], tamper: Tamper | None = None) -> str | None:
        stub = self.stub
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": BOT_FRAMEWORK_ISSUER,
            "aud": stub.identity.app_id,
            "serviceurl": activity.get("serviceUrl"),
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 3600,
        }
        key = stub.bot_framework_key
        kid = None
        if tamper is Tamper.NO_TOKEN:
            return None
        if tamper is Tamper.FORGED:
            key = stub.forger_key
        elif tamper is Tamper.BAD_SIGNATURE:
            key, kid = stub.forger_key, stub.bot_framework_key.kid
        elif tamper is Tamper.EXPIRED:
            claims.update(exp=now - 301 - 60, nbf=now - 3600, iat=now - 3600)
        elif tamper is Tamper.NOT_YET_VALID:
            claims.update(nbf=now + 301 + 60, iat=now)
        elif tamper is Tamper.WRONG_AUDIENCE:
            claims["aud"] = "00000000-0000-0000-0000-000000000000"
        elif tamper is Tamper.WRONG_ISSUER:
            claims["iss"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/"
        elif tamper is Tamper.WRONG_SERVICE_URL:
            claims["serviceurl"] = "https://smba.evil.example/teams/"
        elif tamper is Tamper.UNENDORSED:
            key = stub.webchat_key
        token = key.sign(claims, kid=kid)
        return f"Basic {token}" if tamper is Tamper.NOT_BEARER else f"Bearer {token}"

    async def deliver(self, activity: dict[str, Any], tamper: Tamper | None = None) -> Delivery:
        stub = self.stub
        if not stub.bot_url:
            raise RuntimeError("no bot endpoint: set stub.bot_url")
        headers = {"Content-Type": "application/json"}
        authorization = self.token(activity, tamper)
        if authorization is not None:
            headers["Authorization"] = authorization
        conversation = str((activity.get("conversation") or {}).get("id", "")).split(";")[0]
        stub.in_turn.add(conversation)
        try:
            async with stub.session.post(stub.bot_url, json=activity, headers=headers) as response:
                delivery = Delivery(activity, response.status, await response.text())
        except aiohttp.ClientError as problem:
            delivery = Delivery(activity, 0, repr(problem))
        finally:
            stub.in_turn.discard(conversation)
        stub.deliveries.append(delivery)
        return delivery
