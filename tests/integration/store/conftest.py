"""Store fixtures: every test runs on SQLite and on PostgreSQL (``engine`` is parametrized).

PostgreSQL: a fresh database ``n8nwork_test_<pid>_<random>`` is created on the server at
``N8NWORK_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
migrated once, emptied before each test, and dropped at the end. Unreachable: skipped
locally, a failure in CI. SQLite: a migrated template file copied for each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.base import metadata
from n8nwork.store.engine import create_engine, session_factory
from n8nwork.store.migrate import upgrade
from n8nwork.store.repo.projects import create_project
from n8nwork.store.repo.workflows import create_workflow
from tests.conftest import temporary_postgres_database

pytestmark = pytest.mark.integration

BACKENDS = ["sqlite", "postgresql"]


def workflow_document(name: str = "My workflow", **extra: Any) -> dict[str, Any]:
    """A small valid n8n workflow document."""
    return {
        "name": name,
        "nodes": [
            {
                "id": "a1",
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "parameters": {},
                "position": [0, 0],
            }
        ],
        "connections": {},
        "settings": {"executionOrder": "v1"},
        **extra,
    }


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped afterwards)."""
    for url in temporary_postgres_database("test"):
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _empty_postgres(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of ``backend`` for this test."""
    if backend == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    _empty_postgres(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def project_id(sessions: sessionmaker[Session]) -> str:
    with sessions() as session, session.begin():
        return create_project(session=session, name="Team").id


@pytest.fixture
def workflow_id(sessions: sessionmaker[Session], project_id: str) -> str:
    with sessions() as session, session.begin():
        row, _ = create_workflow(
            session=session, project_id=project_id, document=workflow_document()
        )
        return row.id
