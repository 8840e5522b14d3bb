"""Users: create (with a personal project), look up, authenticate (argon2), change password."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from n8nwork.store.base import new_id
from n8nwork.store.errors import ConflictError, InvalidInputError, NotFoundError
from n8nwork.store.hashing import hash_password, password_needs_rehash, verify_password
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.identity import GLOBAL_ROLES, Project, ProjectMembership, User
from n8nwork.store.types import utcnow

MAX_PASSWORD_CHARS = 1024


def normalize_email(email: str) -> str:
    email = check_text(email.strip(), what="email", max_length=320).lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain:
        raise InvalidInputError(f"email: {email!r} is not an email address")
    return email


def _check_password(password: str) -> str:
    return check_text(password, what="password", max_length=MAX_PASSWORD_CHARS)


def create_user(
    *,
    session: Session,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    role: str = "global:member",
) -> User:
    """Add a user and their personal project (as n8n does). ``ConflictError`` if the email
    is taken."""
    email = normalize_email(email)
    if role not in GLOBAL_ROLES:
        raise InvalidInputError(f"role: {role!r} is not one of {', '.join(GLOBAL_ROLES)}")
    check_text(first_name, what="first name", allow_empty=True)
    check_text(last_name, what="last name", allow_empty=True)
    if get_user_by_email(session=session, email=email) is not None:
        raise ConflictError(f"a user with email {email!r} exists")
    user = User(
        id=new_id(),
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        password_hash=hash_password(_check_password(password)) if password is not None else None,
    )
    project = Project(
        id=new_id(), name=f"{first_name} {last_name} <{email}>".strip(), type="personal"
    )
    session.add(user)
    session.add(project)
    with translated("create user"):
        session.flush()
        session.add(
            ProjectMembership(project_id=project.id, user_id=user.id, role="project:personalOwner")
        )
        session.flush()
    return user


def get_user(*, session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"user {user_id!r} not found")
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(*, session: Session, limit: int = 100, after_email: str | None = None) -> list[User]:
    query = select(User).order_by(col(User.email)).limit(limit)
    if after_email is not None:
        query = query.where(col(User.email) > after_email)
    return list(session.exec(query))


def authenticate_user(
    *, session: Session, email: str, password: str, now: datetime | None = None
) -> User | None:
    """The user when ``password`` matches and the user is enabled, else ``None``. Upgrades the
    stored hash when argon2's parameters changed, and records the login time."""
    try:
        email = normalize_email(email)
        _check_password(password)
    except InvalidInputError:
        return None
    user = get_user_by_email(session=session, email=email)
    if user is None or user.disabled or not user.password_hash:
        return None
    if not verify_password(user.password_hash, password):
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now or utcnow()
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user_id: str, password: str) -> User:
    user = get_user(session=session, user_id=user_id)
    user.password_hash = hash_password(_check_password(password))
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


def set_user_role(*, session: Session, user_id: str, role: str) -> User:
    """Change a user's instance role (one of ``GLOBAL_ROLES``)."""
    if role not in GLOBAL_ROLES:
        raise InvalidInputError(f"role: {role!r} is not one of {', '.join(GLOBAL_ROLES)}")
    user = get_user(session=session, user_id=user_id)
    user.role = role
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user


def set_user_disabled(*, session: Session, user_id: str, disabled: bool) -> User:
    user = get_user(session=session, user_id=user_id)
    user.disabled = disabled
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return user
