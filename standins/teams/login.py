"""Bot Framework's and Entra ID's side of authentication.

- OpenID metadata (`/v1/.well-known/openidconfiguration`) naming the key set, and the key
  set itself (`/v1/.well-known/keys`), each key endorsed for "msteams" as Bot Framework's
  are. Activities to the bot are signed with the published key.
- The token endpoint (`/{tenant}/oauth2/v2.0/token`): the client-credentials grant with
  the app's id and password, for the scope https://api.botframework.com/.default; the
  token it issues is what the Connector API below accepts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .stub import TeamsStub

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CONNECTOR_SCOPE = "https://api.botframework.com/.default"


def routes(stub: TeamsStub) -> list[web.RouteDef]:
    async def metadata(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": f"{stub.url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def keys(request: web.Request) -> web.Response:
        stub.key_fetches += 1
        return web.json_response({"keys": [key.jwk() for key in stub.published_keys]})

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        stub.token_requests += 1
        identity = stub.identity
        if request.match_info["tenant"] not in (identity.tenant_id, "botframework.com"):
            return web.json_response({"error": "invalid_tenant"}, status=400)
        if form.get("grant_type") != "client_credentials" or form.get("scope") != CONNECTOR_SCOPE:
            return web.json_response({"error": "invalid_request"}, status=400)
        if (
            form.get("client_id") != identity.app_id
            or form.get("client_secret") != identity.password
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": f"https://sts.windows.net/{identity.tenant_id}/",
            "aud": BOT_FRAMEWORK_ISSUER,
            "appid": identity.app_id,
            "tid": identity.tenant_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": stub.entra_key.sign(claims),
            }
        )

    return [
        web.get("/v1/.well-known/openidconfiguration", metadata),
        web.get("/v1/.well-known/keys", keys),
        web.post("/{tenant}/oauth2/v2.0/token", token),
    ]
