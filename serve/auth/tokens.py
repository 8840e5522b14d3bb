"""Access tokens: short-lived JWTs signed with HS256 (PyJWT), and nothing else.

Claims: ``sub`` (user id), ``iat``, ``exp``, ``jti`` (for revocation at logout), ``fam``
(the refresh-token family of the login), ``sv`` (a digest of the user's password hash: a
password change invalidates every access token issued before it), ``iss`` and ``typ``.
Decoding accepts exactly HS256: ``alg: none``, RS256/ES256 with the secret as a public key,
and any other algorithm are refused, as are wrong signatures, missing claims and expired
tokens (no leeway).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt

from serve.errors import AuthenticationError

ALGORITHM = "HS256"
ISSUER = "n8nwork"
TOKEN_TYPE = "access"
MAX_TOKEN_CHARS = 4096


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    jti: str
    family: str | None
    session_version: str
    expires_at: float


def session_version(password_hash: str | None) -> str:
    """A short digest of the password hash; changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


class TokenSigner:
    """Issues and checks access tokens with one secret."""

    def __init__(self, secret: str, *, ttl_s: float) -> None:
        if len(secret) < 16:
            raise ValueError("the JWT secret is too short")
        self._secret = secret
        self.ttl_s = ttl_s

    def __repr__(self) -> str:
        return f"TokenSigner(ttl_s={self.ttl_s})"

    def issue(
        self,
        *,
        user_id: str,
        password_hash: str | None,
        family: str | None,
        now: float | None = None,
    ) -> tuple[str, AccessClaims]:
        now = time.time() if now is None else now
        claims = AccessClaims(
            user_id=user_id,
            jti=secrets.token_urlsafe(12),
            family=family,
            session_version=session_version(password_hash),
            expires_at=int(now + self.ttl_s),
        )
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "typ": TOKEN_TYPE,
            "sub": user_id,
            "iat": int(now),
            "exp": claims.expires_at,
            "jti": claims.jti,
            "sv": claims.session_version,
        }
        if family:
            payload["fam"] = family
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token, else ``AuthenticationError`` (one message for all)."""
        if len(token) > MAX_TOKEN_CHARS:
            raise AuthenticationError("invalid access token")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise AuthenticationError("invalid access token")
            data = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "jti", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("access token expired") from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise AuthenticationError("invalid access token") from exc
        sub, jti, sv = data.get("sub"), data.get("jti"), data.get("sv")
        fam = data.get("fam")
        if (
            data.get("typ") != TOKEN_TYPE
            or not isinstance(sub, str)
            or not isinstance(jti, str)
            or not isinstance(sv, str)
            or (fam is not None and not isinstance(fam, str))
        ):
            raise AuthenticationError("invalid access token")
        return AccessClaims(sub, jti, fam, sv, float(data["exp"]))


def same_session(claims: AccessClaims, password_hash: str | None) -> bool:
    """Constant-time check that the token was issued for the current password."""
    return hmac.compare_digest(claims.session_version, session_version(password_hash))
