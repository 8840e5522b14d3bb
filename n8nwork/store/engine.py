"""Engines and sessions from a URL, the same code for PostgreSQL and SQLite.

- PostgreSQL (``postgresql+psycopg://``): pooled, pre-pinged; every transaction commits with
  ``synchronous_commit = on`` so an acknowledged commit is on disk whatever the server default.
- SQLite (``sqlite:///path``): WAL (readers never block the writer), ``synchronous=FULL`` (a
  commit is durable), foreign keys on, a busy timeout, and real ``BEGIN`` so transactions and
  savepoints behave as on PostgreSQL (``execution_options(sqlite_begin="IMMEDIATE")`` on an
  engine makes its transactions take the write lock at BEGIN; ignored on PostgreSQL).
  The file's folder is created with mode 0700.

The engine's JSON serializer is ``engine_json_serializer``: documents checked by ``dump_json``
are written as they are, anything else is checked on the way in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.store.jsonsafe import engine_json_deserializer, engine_json_serializer

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """An engine for ``url`` configured for durability and for both backends' quirks."""
    url = normalize_url(url)
    parsed = make_url(url)
    common: dict[str, Any] = {
        "echo": echo,
        "json_serializer": engine_json_serializer,
        "json_deserializer": engine_json_deserializer,
    }
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = sa_create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **common,
        )
        _configure_sqlite(engine)
    elif parsed.get_backend_name() == "postgresql":
        engine = sa_create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            connect_args={"options": "-c synchronous_commit=on"},
            **common,
        )
    else:
        raise ValueError(f"unsupported database {parsed.get_backend_name()!r}")
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (pysqlite's implicit transactions break
        # savepoints and read-then-write isolation).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # ``engine.execution_options(sqlite_begin="IMMEDIATE")`` takes the write lock at the
        # start: a transaction that reads and then writes cannot fail with SQLITE_BUSY when
        # another writer committed in between (a deferred one can, at once, unretried).
        mode = connection.get_execution_options().get("sqlite_begin")
        connection.exec_driver_sql(f"BEGIN {mode}" if mode in SQLITE_BEGIN_MODES else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the repository functions (objects stay usable after commit)."""
    return sessionmaker(engine, class_=Session, expire_on_commit=False)
