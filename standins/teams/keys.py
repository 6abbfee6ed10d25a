"""RSA keys and JWTs, as Bot Framework and Entra ID sign them.

Keys are made once per test session (2048-bit RSA takes a moment) and named, so every
stand-in in a run has the same ones; what a test may not know — the forger's key — is
simply never published.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@cache
def _private_key(name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class SigningKey:
    """A named key: its kid, the channels it is endorsed for, and its JWK."""

    def __init__(self, name: str, *, kid: str | None = None, endorsements: tuple[str, ...] = ()):
        self.name = name
        self.kid = kid or f"stub-{name}"
        self.endorsements = endorsements
        self.private = _private_key(name)

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        if self.endorsements:
            public["endorsements"] = list(self.endorsements)
        return public

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid})

    def verify(self, token: str, *, audience: str) -> dict[str, Any]:
        """Claims of a token this key signed; jwt.PyJWTError otherwise."""
        claims: dict[str, Any] = jwt.decode(
            token, self.private.public_key(), algorithms=["RS256"], audience=audience
        )
        return claims
