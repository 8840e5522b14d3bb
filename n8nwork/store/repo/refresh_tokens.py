"""Refresh tokens: stored hashed, rotated on every use, revocable one by one, per family (a
login) or per user. Presenting a token that was already rotated means it leaked: the whole
family is revoked and ``TokenReuseError`` raised."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from n8nwork.store.base import new_id
from n8nwork.store.errors import TokenError, TokenReuseError
from n8nwork.store.hashing import new_token, token_hash
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.identity import RefreshToken
from n8nwork.store.types import utcnow

KIND = "n8nwr"
MAX_TOKEN_CHARS = 256


def issue_refresh_token(
    *,
    session: Session,
    user_id: str,
    ttl: timedelta,
    family_id: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> tuple[RefreshToken, str]:
    """A new token (a new family unless ``family_id``): the row and the plaintext."""
    now = now or utcnow()
    token = new_token(KIND)
    row = RefreshToken(
        id=new_id(),
        user_id=user_id,
        family_id=family_id or new_id(),
        token_hash=token.hash,
        issued_at=now,
        expires_at=now + ttl,
        created_ip=check_text(ip, what="ip", max_length=64) if ip else None,
        user_agent=check_text(user_agent[:512], what="user agent", max_length=512)
        if user_agent
        else None,
    )
    session.add(row)
    with translated("issue refresh token"):
        session.flush()
    return row, token.plaintext


def rotate_refresh_token(
    *,
    session: Session,
    token: str,
    ttl: timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> tuple[RefreshToken, str]:
    """Exchange ``token`` for a new one of the same family; the old one stops working.

    On reuse of a rotated token this *commits* the family's revocation before raising
    ``TokenReuseError``, so a caller that rolls back on errors cannot undo it."""
    now = now or utcnow()
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise TokenError("invalid refresh token")
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise TokenError("invalid refresh token")
    if row.rotated_at is not None:
        revoke_family(session=session, family_id=row.family_id, now=now)
        session.commit()
        raise TokenReuseError("refresh token was already used; all tokens of this login revoked")
    if row.revoked_at is not None:
        raise TokenError("refresh token revoked")
    if row.expires_at <= now:
        raise TokenError("refresh token expired")
    # Claim the old token with a conditional update: two concurrent rotations of the same
    # token cannot both succeed.
    claimed = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id, col(RefreshToken.rotated_at).is_(None))
        .values(rotated_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(session=session, family_id=row.family_id, now=now)
        session.commit()
        raise TokenReuseError("refresh token was already used; all tokens of this login revoked")
    new_row, plaintext = issue_refresh_token(
        session=session,
        user_id=row.user_id,
        ttl=ttl,
        family_id=row.family_id,
        ip=ip,
        user_agent=user_agent,
        now=now,
    )
    session.execute(
        update(RefreshToken).where(col(RefreshToken.id) == row.id).values(replaced_by=new_row.id)
    )
    session.expire(row)
    return new_row, plaintext


def revoke_refresh_token(*, session: Session, token: str, now: datetime | None = None) -> bool:
    """Revoke one token (log out); ``False`` if it is unknown."""
    result = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.token_hash) == token_hash(token))
        .where(col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_family(*, session: Session, family_id: str, now: datetime | None = None) -> int:
    result = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_user_tokens(*, session: Session, user_id: str, now: datetime | None = None) -> int:
    """Revoke every refresh token of a user (password change, account disabled)."""
    result = session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
