"""Test-wide configuration: where the shared n8n fixtures are, CI's rule that a missing
service fails instead of skipping, and throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("N8NWORK_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "n8n-conformance" / "fixtures"
IN_CI = bool(os.environ.get("CI"))
PG_URL = os.environ.get(
    "N8NWORK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def unavailable(message: str) -> None:
    """A missing service: fails in CI, skips elsewhere."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def temporary_postgres_database(name_hint: str) -> Iterator[str]:
    """Yields the URL of a new, empty PostgreSQL database, dropped afterwards (for
    generator fixtures: ``yield from``, or ``for url in ...``)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL unreachable at {PG_URL}: {str(exc.orig).strip()[:200]}")
    name = f"n8nwork_{name_hint}_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        if IN_CI:
            pytest.fail(f"n8n conformance fixtures missing at {FIXTURES}")
        pytest.skip(f"n8n conformance fixtures missing at {FIXTURES}")
    return FIXTURES
