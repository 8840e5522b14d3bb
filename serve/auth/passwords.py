"""Checking e-mail and password without telling which of the two was wrong.

An unknown e-mail costs the same argon2 verification as a wrong password (against a dummy
hash), so response times do not reveal which accounts exist; argon2's verify is itself
constant-time in the comparison.
"""

from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session

from n8nwork.store.errors import InvalidInputError
from n8nwork.store.hashing import hash_password, password_needs_rehash, verify_password
from n8nwork.store.repo.users import MAX_PASSWORD_CHARS, get_user_by_email, normalize_email
from n8nwork.store.tables.identity import User
from n8nwork.store.types import utcnow


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("n8nwork-dummy-password-for-timing")


def check_login(*, session: Session, email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, else ``None`` (same cost either way).
    Records the login time and upgrades an outdated hash; the caller commits."""
    try:
        address = normalize_email(email)
    except InvalidInputError:
        address = ""
    user = get_user_by_email(session=session, email=address) if address else None
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        password, stored = "", None
    if len(password) > MAX_PASSWORD_CHARS:
        password = password[:MAX_PASSWORD_CHARS]
        stored = None
    ok = verify_password(stored or _dummy_hash(), password)
    if not ok or user is None or stored is None or user.disabled:
        return None
    if password_needs_rehash(stored):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user
