"""Password hashing (argon2id, rehashed on login when parameters change) and high-entropy
tokens (API keys, refresh tokens, resume tokens) stored as sha256 with a visible prefix.

A token is ``<kind>_<8 visible chars>_<secret>``; the first part (``n8nw_ab12cd34``) is safe to
show and to log, the rest never leaves the process that made it. sha256 is the right hash for
such tokens: they carry 256 bits of randomness, so nothing is gained by a slow hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

PREFIX_CHARS = 8


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters inside the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def token_hash(token: str) -> str:
    """The sha256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewToken:
    """A freshly made token: ``plaintext`` for the caller once, ``prefix`` and ``hash`` to store."""

    plaintext: str
    prefix: str
    hash: str

    def __repr__(self) -> str:
        return f"NewToken(prefix={self.prefix!r})"


def new_token(kind: str) -> NewToken:
    """A token ``<kind>_<visible>_<secret>`` with 256 bits of secret."""
    visible = secrets.token_hex(PREFIX_CHARS // 2)
    plaintext = f"{kind}_{visible}_{secrets.token_urlsafe(32)}"
    return NewToken(plaintext, f"{kind}_{visible}", token_hash(plaintext))
