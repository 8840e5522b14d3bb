"""API keys: shown once, stored as sha256 with a visible prefix, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from n8nwork.store.base import new_id
from n8nwork.store.errors import InvalidInputError, NotFoundError, TokenError
from n8nwork.store.hashing import new_token, token_hash
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.identity import ApiKey
from n8nwork.store.types import utcnow

KIND = "n8nw"
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_KEY_CHARS = 256


def create_api_key(
    *,
    session: Session,
    user_id: str,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for ``user_id``: the row, and the plaintext key (shown to the user once)."""
    check_text(name, what="API key name")
    scopes = list(scopes or [])
    for scope in scopes:
        check_text(scope, what="API key scope", max_length=128)
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidInputError("expires_at: pass a timezone-aware datetime")
    token = new_token(KIND)
    key = ApiKey(
        id=new_id(),
        user_id=user_id,
        name=name,
        prefix=token.prefix,
        key_hash=token.hash,
        scopes=scopes,
        expires_at=expires_at,
    )
    session.add(key)
    with translated("create API key"):
        session.flush()
    return key, token.plaintext


def verify_api_key(*, session: Session, key: str, now: datetime | None = None) -> ApiKey:
    """The key's row when ``key`` is valid (known, not revoked, not expired); records its use
    (at most once a minute, so verification does not write on every request)."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS:
        raise TokenError("invalid API key")
    now = now or utcnow()
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == token_hash(key))).first()
    if row is None or row.revoked_at is not None:
        raise TokenError("invalid API key")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenError(f"API key {row.prefix} expired")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.add(row)
        session.flush()
    return row


def list_api_keys(*, session: Session, user_id: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.user_id == user_id).order_by(col(ApiKey.created_at))
    return list(session.exec(query))


def revoke_api_key(*, session: Session, key_id: str, now: datetime | None = None) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError(f"API key {key_id!r} not found")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
        session.flush()
    return row
