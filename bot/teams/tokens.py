"""The bot's own tokens, for calling Teams' Connector API, handed to the SDK as a connection.

With an app password, tokens come from the OAuth client-credentials grant at the token URL
(Entra's, for our tenant; the tests point it at the stand-in), over the process's aiohttp
session, cached until five minutes before they expire. With a certificate, the Agents SDK's
MSAL provider (microsoft-agents-authentication-msal) does it instead: certificates are
what MSAL is for, and it is not worth writing again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiohttp
from azure.core.credentials_async import AsyncTokenCredential
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    Connections,
)

log = logging.getLogger(__name__)

BOT_FRAMEWORK_TENANT = "botframework.com"
REFRESH_BEFORE = 300.0


class TokenError(Exception):
    """No token: `status` is the token endpoint's HTTP status (0 when it was not reached)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def token_url(tenant_id: str | None, override: str = "") -> str:
    """Where client-credential tokens come from: the override, else Entra for the tenant."""
    if override:
        return override
    return (
        f"https://login.microsoftonline.com/{tenant_id or BOT_FRAMEWORK_TENANT}/oauth2/v2.0/token"
    )


@dataclass
class _Cached:
    token: str
    expires: float


class ClientCredentials(AccessTokenProviderBase):
    """Client-credentials tokens over aiohttp, one per scope, cached."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        configuration: AgentAuthConfiguration,
        url: str,
    ) -> None:
        self.session = session
        self._configuration = configuration
        self.url = url
        self._cache: dict[str, _Cached] = {}
        self._lock = asyncio.Lock()

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        scope = scopes[0] if scopes else f"{resource_url.rstrip('/')}/.default"
        cached = self._cache.get(scope)
        if cached and not force_refresh and cached.expires - REFRESH_BEFORE > time.monotonic():
            return cached.token
        async with self._lock:
            cached = self._cache.get(scope)
            if cached and not force_refresh and cached.expires - REFRESH_BEFORE > time.monotonic():
                return cached.token
            fresh = await self._fetch(scope)
            self._cache[scope] = fresh
            return fresh.token

    async def _fetch(self, scope: str) -> _Cached:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID or "",
            "client_secret": self._configuration.CLIENT_SECRET or "",
            "scope": scope,
        }
        try:
            async with self.session.post(
                self.url, data=form, timeout=aiohttp.ClientTimeout(total=15)
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise TokenError(f"token endpoint unreachable: {error!r}") from error
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            code = body.get("error") if isinstance(body, dict) else None
            raise TokenError(f"no token ({status} {code})", status)
        expires_in = float(body.get("expires_in", 3600))
        return _Cached(str(body["access_token"]), time.monotonic() + expires_in)

    def get_token_credential(self) -> AsyncTokenCredential:
        raise NotImplementedError("Fremdrift calls no Azure SDK with the bot's identity")

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("Fremdrift acts as itself, never on behalf of a user")

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str | None:
        raise NotImplementedError("Fremdrift is not an agentic app")

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        raise NotImplementedError("Fremdrift is not an agentic app")

    async def get_agentic_user_token(
        self,
        tenant_id: str,
        agent_app_instance_id: str,
        agentic_user_id: str,
        scopes: list[str],
    ) -> str | None:
        raise NotImplementedError("Fremdrift is not an agentic app")


class OneConnection(Connections):
    """The SDK's connection manager, for a bot with one identity."""

    def __init__(self, provider: AccessTokenProviderBase) -> None:
        self.provider = provider

    def get_connection(self, connection_name: str) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection(self) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider(
        self, claims_identity: ClaimsIdentity, service_url: str
    ) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self.provider.configuration


def password_provider(
    session: aiohttp.ClientSession, app_id: str, password: str, tenant_id: str | None, url: str
) -> ClientCredentials:
    configuration = AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=app_id,
        tenant_id=tenant_id or BOT_FRAMEWORK_TENANT,
        client_secret=password,
    )
    return ClientCredentials(session, configuration, token_url(tenant_id, url))


def certificate_provider(
    app_id: str, certificate_file: str, tenant_id: str | None
) -> AccessTokenProviderBase:
    from microsoft_agents.authentication.msal import MsalAuth

    configuration = AgentAuthConfiguration(
        auth_type=AuthTypes.certificate,
        client_id=app_id,
        tenant_id=tenant_id or BOT_FRAMEWORK_TENANT,
        cert_pfx_file=certificate_file,
    )
    provider: AccessTokenProviderBase = MsalAuth(configuration)
    return provider
