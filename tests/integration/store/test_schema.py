"""The migrated schema is the models' schema, on both backends; migrations go down and up."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.base import metadata
from n8nwork.store.errors import MigrationError
from n8nwork.store.migrate import check_current, current_revision, downgrade, head_revision, upgrade
from n8nwork.store.repo.audit import record_audit


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    # Given a database migrated from empty (the fixture), the models describe it exactly.
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []


def test_downgrade_to_empty_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    with pytest.raises(MigrationError, match="n8nwork migrate"):
        check_current(engine)
    upgrade(engine)
    check_current(engine)
    assert _differences(engine) == []


def test_audit_log_is_append_only_in_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        record_audit(session=session, action="workflow.create", actor_type="user", actor_id="u1")
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with sessions() as session, pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.text(statement))
            session.commit()


def test_audit_entries_list_newest_first_with_filters(sessions: sessionmaker[Session]) -> None:
    from n8nwork.store.errors import InvalidInputError
    from n8nwork.store.repo.audit import list_audit

    with sessions() as session, session.begin():
        for i in range(5):
            record_audit(
                session=session,
                action="credential.read",
                actor_type="api_key",
                actor_id=f"key{i % 2}",
                target_type="credential",
                target_id=f"c{i}",
                ip="203.0.113.7",
                user_agent="curl/8 " + "x" * 1000,
                details={"why": "run", "n": i},
            )
        with pytest.raises(InvalidInputError):
            record_audit(session=session, action="x", actor_type="robot")
    with sessions() as session:
        entries = list_audit(session=session, limit=3)
        assert [e.target_id for e in entries] == ["c4", "c3", "c2"]
        more = list_audit(session=session, cursor=entries[-1].id)
        assert [e.target_id for e in more] == ["c1", "c0"]
        assert [e.target_id for e in list_audit(session=session, actor_id="key1")] == ["c3", "c1"]
        assert entries[0].ip == "203.0.113.7" and entries[0].at.tzinfo is not None
        assert entries[0].details == {"why": "run", "n": 4}
        assert len(entries[0].user_agent or "") == 512
