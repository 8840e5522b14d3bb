"""Store functions the HTTP API needs: user roles, project listing/renaming/deletion,
workflow and execution listing scoped to projects, deleting finished executions only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.errors import ConflictError, InvalidInputError
from n8nwork.store.repo.executions import (
    create_execution,
    delete_execution,
    get_execution,
    set_execution_status,
    set_retry_of,
)
from n8nwork.store.repo.history import ExecutionFilter, list_executions
from n8nwork.store.repo.projects import (
    create_project,
    delete_project,
    get_project,
    list_projects,
    rename_project,
)
from n8nwork.store.repo.users import create_user, set_user_role
from n8nwork.store.repo.workflows import create_workflow, list_workflows
from tests.integration.store.conftest import workflow_document


def test_set_user_role(session: Session) -> None:
    user = create_user(session=session, email="a@example.com")
    assert set_user_role(session=session, user_id=user.id, role="global:admin").role == (
        "global:admin"
    )
    with pytest.raises(InvalidInputError):
        set_user_role(session=session, user_id=user.id, role="global:root")


def test_projects_list_rename_delete(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        ids = sorted(create_project(session=session, name=f"P{i}").id for i in range(3))
        create_workflow(session=session, project_id=ids[0], document=workflow_document())
    with sessions() as session, session.begin():
        page = list_projects(session=session, limit=2)
        assert [p.id for p in page] == ids[:2]
        assert [p.id for p in list_projects(session=session, after_id=ids[1])] == ids[2:]
        assert rename_project(session=session, project_id=ids[0], name="Renamed").name == (
            "Renamed"
        )
    with sessions() as session, session.begin():
        assert get_project(session=session, project_id=ids[0]).name == "Renamed"
        assert delete_project(session=session, project_id=ids[0]) is True
        assert delete_project(session=session, project_id=ids[0]) is False
    with sessions() as session:
        assert list_workflows(session=session) == []  # the project took its workflows along


def test_listing_scoped_to_projects(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        a = create_project(session=session, name="A").id
        b = create_project(session=session, name="B").id
        wa, _ = create_workflow(session=session, project_id=a, document=workflow_document())
        wb, _ = create_workflow(session=session, project_id=b, document=workflow_document())
        ea = create_execution(session=session, workflow_id=wa.id).id
        eb = create_execution(session=session, workflow_id=wb.id).id
    with sessions() as session:
        assert [w.id for w in list_workflows(session=session, project_ids=[a])] == [wa.id]
        assert list_workflows(session=session, project_ids=[]) == []
        page = list_executions(session=session, filter=ExecutionFilter(project_ids=[b]))
        assert [e.id for e in page.items] == [eb]
        page = list_executions(session=session, filter=ExecutionFilter(project_ids=[a, b]))
        assert [e.id for e in page.items] == [eb, ea]
        assert list_executions(session=session, filter=ExecutionFilter(project_ids=[])).items == []


def test_delete_execution_only_when_finished(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    with sessions() as session, session.begin():
        first = create_execution(session=session, workflow_id=workflow_id).id
        second = create_execution(session=session, workflow_id=workflow_id).id
        assert first is not None and second is not None
        set_retry_of(session=session, execution_id=second, retry_of=first)
    with sessions() as session, session.begin():
        assert get_execution(session=session, execution_id=second).retry_of == first
        with pytest.raises(ConflictError):
            delete_execution(session=session, execution_id=first)
    with sessions() as session, session.begin():
        set_execution_status(session=session, execution_id=first, status="success")
    with sessions() as session, session.begin():
        assert delete_execution(session=session, execution_id=first) is True
        assert delete_execution(session=session, execution_id=first) is False


def test_immediate_transactions_read_then_write(database_url: str, project_id: str) -> None:
    # Given a transaction that reads first, when another writer commits before it writes,
    # then with sqlite_begin=IMMEDIATE it still commits (SQLite: it took the lock at BEGIN and
    # the other writer waited); the option is ignored on PostgreSQL.
    import threading

    from n8nwork.store.engine import create_engine, session_factory

    engine = create_engine(database_url)
    try:
        immediate = session_factory(engine.execution_options(sqlite_begin="IMMEDIATE"))
        plain = session_factory(engine)
        done = threading.Event()

        def other_writer() -> None:
            with plain() as other, other.begin():
                create_project(session=other, name="Other")
            done.set()

        with immediate() as session, session.begin():
            assert list_workflows(session=session) == []
            thread = threading.Thread(target=other_writer)
            thread.start()
            done.wait(0.3)
            create_workflow(session=session, project_id=project_id, document=workflow_document())
        thread.join(10)
        assert done.is_set()
        with plain() as session:
            assert len(list_projects(session=session)) == 2
            assert len(list_workflows(session=session)) == 1
    finally:
        engine.dispose()
