"""Users, projects and memberships, API keys, refresh tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from n8nwork.store.errors import ConflictError, InvalidInputError, TokenError, TokenReuseError
from n8nwork.store.repo.api_keys import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)
from n8nwork.store.repo.projects import (
    create_project,
    list_members,
    list_user_projects,
    member_role,
    personal_project,
    remove_member,
    set_member_role,
)
from n8nwork.store.repo.refresh_tokens import (
    issue_refresh_token,
    revoke_refresh_token,
    revoke_user_tokens,
    rotate_refresh_token,
)
from n8nwork.store.repo.users import (
    authenticate_user,
    create_user,
    get_user_by_email,
    set_password,
    set_user_disabled,
)
from n8nwork.store.tables.identity import ApiKey, RefreshToken, User
from n8nwork.store.types import utcnow


def _user(sessions: sessionmaker[Session], email: str = "Ada@Example.com") -> str:
    with sessions() as session, session.begin():
        return create_user(
            session=session, email=email, password="correct horse", first_name="Ada"
        ).id


def test_password_is_stored_as_argon2_and_authenticates(sessions: sessionmaker[Session]) -> None:
    user_id = _user(sessions)
    with sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.email == "ada@example.com"
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
    with sessions() as session, session.begin():
        assert authenticate_user(
            session=session, email="ADA@example.com ", password="correct horse"
        )
        assert authenticate_user(session=session, email="ada@example.com", password="wrong") is None
        assert authenticate_user(session=session, email="nobody@x.org", password="x") is None
        set_password(session=session, user_id=user_id, password="new secret")
    with sessions() as session, session.begin():
        assert (
            authenticate_user(session=session, email="ada@example.com", password="correct horse")
            is None
        )
        assert authenticate_user(session=session, email="ada@example.com", password="new secret")
        set_user_disabled(session=session, user_id=user_id, disabled=True)
    with sessions() as session:
        assert (
            authenticate_user(session=session, email="ada@example.com", password="new secret")
            is None
        )


def test_email_is_unique_case_insensitively(sessions: sessionmaker[Session]) -> None:
    _user(sessions)
    with sessions() as session, pytest.raises(ConflictError):
        create_user(session=session, email="ADA@example.COM", password="x")
    with sessions() as session, pytest.raises(InvalidInputError):
        create_user(session=session, email="not-an-email", password="x")


def test_users_get_a_personal_project_and_roles_per_project(
    sessions: sessionmaker[Session],
) -> None:
    ada, bob = _user(sessions), _user(sessions, "bob@example.com")
    with sessions() as session, session.begin():
        personal = personal_project(session=session, user_id=ada)
        assert member_role(session=session, project_id=personal.id, user_id=ada) == (
            "project:personalOwner"
        )
        team = create_project(session=session, name="Team 'A'; --", owner_id=ada)
        set_member_role(session=session, project_id=team.id, user_id=bob, role="project:viewer")
        team_id = team.id
    with sessions() as session, session.begin():
        assert member_role(session=session, project_id=team_id, user_id=ada) == "project:admin"
        assert member_role(session=session, project_id=team_id, user_id=bob) == "project:viewer"
        set_member_role(session=session, project_id=team_id, user_id=bob, role="project:editor")
        with pytest.raises(InvalidInputError):
            set_member_role(session=session, project_id=team_id, user_id=bob, role="root")
    with sessions() as session, session.begin():
        assert member_role(session=session, project_id=team_id, user_id=bob) == "project:editor"
        assert {m.user_id for m in list_members(session=session, project_id=team_id)} == {ada, bob}
        names = [p.name for p, _ in list_user_projects(session=session, user_id=ada)]
        assert "Team 'A'; --" in names
        assert remove_member(session=session, project_id=team_id, user_id=bob)
    with sessions() as session:
        assert member_role(session=session, project_id=team_id, user_id=bob) is None


def test_api_keys_are_hashed_scoped_expiring_and_revocable(sessions: sessionmaker[Session]) -> None:
    user_id = _user(sessions)
    with sessions() as session, session.begin():
        row, plaintext = create_api_key(
            session=session, user_id=user_id, name="ci", scopes=["workflow:read"]
        )
        _expired, expired_plain = create_api_key(
            session=session, user_id=user_id, name="old", expires_at=utcnow() - timedelta(seconds=1)
        )
        key_id, prefix = row.id, row.prefix
    assert plaintext.startswith(prefix + "_") and prefix.startswith("n8nw_")
    with sessions() as session:
        stored = session.exec(select(ApiKey).where(ApiKey.id == key_id)).one()
        assert plaintext not in stored.key_hash and len(stored.key_hash) == 64
    with sessions() as session, session.begin():
        found = verify_api_key(session=session, key=plaintext)
        assert found.id == key_id and found.scopes == ["workflow:read"]
        assert found.last_used_at is not None
        with pytest.raises(TokenError, match="expired"):
            verify_api_key(session=session, key=expired_plain)
        for bad in ("", "n8nw_x", plaintext + "x", "' OR 1=1 --", "x" * 10_000):
            with pytest.raises(TokenError):
                verify_api_key(session=session, key=bad)
        assert [k.name for k in list_api_keys(session=session, user_id=user_id)] == ["ci", "old"]
        revoke_api_key(session=session, key_id=key_id)
    with sessions() as session, pytest.raises(TokenError):
        verify_api_key(session=session, key=plaintext)


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(
    sessions: sessionmaker[Session],
) -> None:
    user_id = _user(sessions)
    ttl = timedelta(days=30)
    with sessions() as session, session.begin():
        first, token1 = issue_refresh_token(
            session=session, user_id=user_id, ttl=ttl, ip="10.0.0.1"
        )
        family = first.family_id
    with sessions() as session, session.begin():
        second, token2 = rotate_refresh_token(session=session, token=token1, ttl=ttl)
        assert second.family_id == family and token2 != token1
    with sessions() as session:
        stored = session.exec(select(RefreshToken).where(RefreshToken.family_id == family)).all()
        assert all(token1 not in r.token_hash and token2 not in r.token_hash for r in stored)
    # When the first (rotated) token is presented again, it leaked: the family is revoked.
    with sessions() as session, pytest.raises(TokenReuseError):
        rotate_refresh_token(session=session, token=token1, ttl=ttl)
    with sessions() as session, pytest.raises(TokenError, match="revoked"):
        rotate_refresh_token(session=session, token=token2, ttl=ttl)


def test_refresh_tokens_expire_and_revoke(sessions: sessionmaker[Session]) -> None:
    user_id = _user(sessions)
    with sessions() as session, session.begin():
        _, short = issue_refresh_token(session=session, user_id=user_id, ttl=timedelta(seconds=-1))
        _, one = issue_refresh_token(session=session, user_id=user_id, ttl=timedelta(days=1))
        _, two = issue_refresh_token(session=session, user_id=user_id, ttl=timedelta(days=1))
    with sessions() as session, pytest.raises(TokenError, match="expired"):
        rotate_refresh_token(session=session, token=short, ttl=timedelta(days=1))
    with sessions() as session, session.begin():
        assert revoke_refresh_token(session=session, token=one)
        assert not revoke_refresh_token(session=session, token="unknown")
    with sessions() as session, pytest.raises(TokenError):
        rotate_refresh_token(session=session, token=one, ttl=timedelta(days=1))
    with sessions() as session, session.begin():
        assert revoke_user_tokens(session=session, user_id=user_id) >= 1
    with sessions() as session, pytest.raises(TokenError):
        rotate_refresh_token(session=session, token=two, ttl=timedelta(days=1))


def test_get_user_by_email_with_sql_metacharacters(sessions: sessionmaker[Session]) -> None:
    user_id = _user(sessions, "o'brien+%_\"x@example.com")
    with sessions() as session:
        found = get_user_by_email(session=session, email="O'Brien+%_\"x@example.com")
        assert found is not None and found.id == user_id
        assert get_user_by_email(session=session, email="%@example.com") is None
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
