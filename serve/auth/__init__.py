"""Authentication: access tokens (JWT, HS256), refresh tokens (store), API keys, logins."""

from __future__ import annotations

from serve.auth.principal import Principal, authenticate, credentials_of
from serve.auth.tokens import AccessClaims, TokenSigner

__all__ = ["AccessClaims", "Principal", "TokenSigner", "authenticate", "credentials_of"]
