"""n8nwork's durable store: PostgreSQL in production, SQLite as the embedded default, one
SQLModel code path for both. See ``CONTRACTS.md`` beside this file for the invariants.

    from n8nwork.settings import Settings
    from n8nwork.store import open_store, NewExecution, Checkpoint
    from n8nwork.store.repo.workflows import create_workflow

    store = open_store(Settings())            # migrates the embedded SQLite file itself
    with store.sessions() as session, session.begin():
        wf, v1 = create_workflow(session=session, project_id=..., document=doc)
    with store.writer() as writer:            # group commit
        execution_id = writer.create(NewExecution(workflow_id=wf.id, workflow_version=1))
        writer.checkpoint(Checkpoint(execution_id, node="Set", run=node_run, state=state))

Repository functions live in ``n8nwork.store.repo.*`` (one module per concept), tables in
``n8nwork.store.tables``.
"""

from __future__ import annotations

from n8nwork.store.checkpoint import Checkpoint, NewExecution
from n8nwork.store.engine import create_engine, session_factory
from n8nwork.store.errors import (
    ConflictError,
    InvalidInputError,
    LeaseLostError,
    MigrationError,
    NotFoundError,
    PayloadTooLargeError,
    StoreError,
    StoreUnavailableError,
    TokenError,
    TokenReuseError,
)
from n8nwork.store.limits import DEFAULT_LIMITS, StoreLimits
from n8nwork.store.open import Store, open_store
from n8nwork.store.writer import ExecutionWriter

__all__ = [
    "DEFAULT_LIMITS",
    "Checkpoint",
    "ConflictError",
    "ExecutionWriter",
    "InvalidInputError",
    "LeaseLostError",
    "MigrationError",
    "NewExecution",
    "NotFoundError",
    "PayloadTooLargeError",
    "Store",
    "StoreError",
    "StoreLimits",
    "StoreUnavailableError",
    "TokenError",
    "TokenReuseError",
    "create_engine",
    "open_store",
    "session_factory",
]
