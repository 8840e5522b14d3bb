"""Alembic environment for n8nwork's store: the target is the store's own metadata.

Called through ``n8nwork.store.migrate`` (``n8nwork migrate``), which passes either an open
connection (``config.attributes["connection"]``) or a URL. On PostgreSQL the migration holds an
advisory lock, so two processes starting at once do not both migrate.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

import n8nwork.store.tables  # noqa: F401  (registers every table on the metadata)
from n8nwork.store.base import metadata
from n8nwork.store.engine import create_engine

MIGRATION_LOCK = 0x6E386E776F726B  # "n8nwork"

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
