"""`n8nwork migrate`, `n8nwork rotate-key`, and the embedded default migrating at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from n8nwork.cli import app
from n8nwork.crypto import FileKeyRing
from n8nwork.settings import DatabaseSettings, Settings
from n8nwork.store.engine import create_engine, session_factory
from n8nwork.store.errors import MigrationError
from n8nwork.store.migrate import current_revision, downgrade, head_revision
from n8nwork.store.open import open_store
from n8nwork.store.repo.credentials import (
    create_credential,
    credential_key_ids,
    get_credential_data,
)
from n8nwork.store.repo.projects import create_project


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import os

    for key in list(os.environ):
        if key.startswith("N8NWORK_"):
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("N8NWORK_DATA_DIR", str(data))
    return data


def test_the_embedded_default_migrates_itself_at_start(env: Path) -> None:
    # The embedded default is SQLite only, so this one test is not run on both backends.
    store = open_store(Settings())
    try:
        assert (env / "n8nwork.db").exists()
        assert current_revision(store.engine) == head_revision()
        with store.sessions() as session, session.begin():
            create_project(session=session, name="p")
    finally:
        store.close()


def test_migrate_command_and_a_server_refusing_an_old_schema(env: Path, database_url: str) -> None:
    engine = create_engine(database_url)
    downgrade(engine, "base")
    remote = Settings().model_copy(
        update={"database": DatabaseSettings(url=database_url, auto_migrate=False)}
    )
    with pytest.raises(MigrationError, match="n8nwork migrate"):
        open_store(remote)
    result = CliRunner().invoke(app, ["migrate", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "database at 0001 (was empty)" in result.output
    assert current_revision(engine) == head_revision()
    open_store(remote).close()
    again = CliRunner().invoke(app, ["migrate", "--database-url", database_url])
    assert again.exit_code == 0 and "(was 0001)" in again.output
    engine.dispose()


def test_migrate_reports_an_unreachable_database(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["migrate", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    )
    assert result.exit_code == 3 and "cannot reach the database" in result.output


def test_rotate_key_command(env: Path, database_url: str) -> None:
    ring = FileKeyRing(env / "encryption-keys.json")
    old = ring.primary_id
    sessions = session_factory(engine := create_engine(database_url))
    with sessions() as session, session.begin():
        project = create_project(session=session, name="p").id
        ids = [
            create_credential(
                session=session,
                key_ring=ring,
                project_id=project,
                name=f"c{i}",
                type="t",
                data={"i": i},
            ).id
            for i in range(7)
        ]
    result = CliRunner().invoke(
        app, ["rotate-key", "--database-url", database_url, "--retire", "--batch-size", "3"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "7 credential(s) re-encrypted" in result.output and f"retired keys: {old}" in result.output
    )
    ring.reload()
    assert old not in ring.ring.keys
    with sessions() as session:
        assert set(credential_key_ids(session=session)) == {ring.primary_id}
        assert [
            get_credential_data(session=session, key_ring=ring, credential_id=i)["i"] for i in ids
        ] == list(range(7))
    engine.dispose()
