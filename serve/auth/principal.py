"""Who is calling: an access token (``Authorization: Bearer <jwt>``) or an API key
(``X-N8N-API-KEY: <key>``, n8n's header, or ``Authorization: Bearer <key>``).

API keys are looked up by the sha256 of the key (an index lookup, no comparison of secrets
in Python); the hash found is compared again in constant time. A token's user is checked
on every request: disabled users and tokens from before a password change are refused.
The check reads a short-lived cache entry (``USER_NAMESPACE``, ``USER_CACHE_TTL_S``) that
the API drops whenever it changes a user, so the refusal is immediate wherever the cache
is shared (Redis, or a single replica); replicas without Redis may take up to the TTL to
see a change made through another replica.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from n8nwork.store.errors import TokenError
from n8nwork.store.hashing import token_hash
from n8nwork.store.repo.api_keys import KIND as API_KEY_KIND
from n8nwork.store.repo.api_keys import verify_api_key
from n8nwork.store.tables.identity import User
from serve.auth.tokens import AccessClaims, TokenSigner, session_version
from serve.errors import AuthenticationError

API_KEY_HEADER = "x-n8n-api-key"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the user, how they authenticated, and what they may use."""

    user_id: str
    email: str
    role: str
    via: str  # "token" | "api_key"
    key_id: str | None = None
    scopes: frozenset[str] | None = None
    """An API key's scopes (``None``: everything the user may do)."""
    claims: AccessClaims | None = None

    @property
    def actor_type(self) -> str:
        return "api_key" if self.via == "api_key" else "user"

    @property
    def rate_key(self) -> str:
        return f"key:{self.key_id}" if self.key_id else f"user:{self.user_id}"


def credentials_of(authorization: str | None, api_key: str | None) -> tuple[str, str] | None:
    """``("api_key" | "token", value)`` from the request headers, or ``None``."""
    if api_key:
        return "api_key", api_key.strip()
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise AuthenticationError("use 'Authorization: Bearer <token or API key>'")
        if value.startswith(API_KEY_KIND + "_"):
            return "api_key", value
        return "token", value
    return None


USER_NAMESPACE = "auth:user"
USER_CACHE_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class UserStatus:
    """What authenticating a token needs of a user (cached briefly; no secret in it: ``sv``
    is a digest of the password hash that changes with the password)."""

    email: str
    role: str
    disabled: bool
    sv: str

    def to_json(self) -> dict[str, Any]:
        return {"email": self.email, "role": self.role, "disabled": self.disabled, "sv": self.sv}

    @classmethod
    def from_json(cls, raw: Any) -> UserStatus | None:
        try:
            return cls(str(raw["email"]), str(raw["role"]), bool(raw["disabled"]), str(raw["sv"]))
        except (KeyError, TypeError):
            return None


def load_user_status(session: Session, user_id: str) -> UserStatus | None:
    """The user's status from the database (``None``: no such user)."""
    row = session.execute(
        select(User.email, User.role, User.disabled, User.password_hash).where(
            col(User.id) == user_id
        )
    ).first()
    if row is None:
        return None
    return UserStatus(row.email, row.role, bool(row.disabled), session_version(row.password_hash))


def token_principal(claims: AccessClaims, status: UserStatus | None) -> Principal:
    """The principal of a valid token whose user is ``status``, or ``AuthenticationError``."""
    if status is None or status.disabled:
        raise AuthenticationError("the account is disabled or no longer exists")
    if not hmac.compare_digest(claims.session_version, status.sv):
        raise AuthenticationError("access token revoked (password changed)")
    return Principal(claims.user_id, status.email, status.role, "token", claims=claims)


def _enabled(session: Session, user_id: str) -> User:
    user = session.get(User, user_id, populate_existing=True)
    if user is None or user.disabled:
        raise AuthenticationError("the account is disabled or no longer exists")
    return user


def authenticate(*, session: Session, signer: TokenSigner, kind: str, value: str) -> Principal:
    """Resolve credentials to a principal from the database, or ``AuthenticationError``."""
    if kind == "token":
        claims = signer.verify(value)
        return token_principal(claims, load_user_status(session, claims.user_id))
    try:
        key = verify_api_key(session=session, key=value)
    except TokenError as exc:
        raise AuthenticationError("invalid API key") from exc
    if not hmac.compare_digest(key.key_hash, token_hash(value)):
        raise AuthenticationError("invalid API key")
    user = _enabled(session, key.user_id)
    scopes = frozenset(str(s) for s in key.scopes) if key.scopes else None
    return Principal(user.id, user.email, user.role, "api_key", key_id=key.id, scopes=scopes)
