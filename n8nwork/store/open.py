"""Opening the store from settings: the engine, sessions, limits, the key ring, and the
embedded default's automatic migration at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.crypto import SecretBox
from n8nwork.store.engine import create_engine, session_factory
from n8nwork.store.errors import StoreUnavailableError
from n8nwork.store.limits import StoreLimits
from n8nwork.store.migrate import check_current, upgrade
from n8nwork.store.writer import ExecutionWriter

if TYPE_CHECKING:
    from n8nwork.settings import Settings


@dataclass
class Store:
    """A connected store: what repository functions and the writer need."""

    engine: Engine
    sessions: sessionmaker[Session]
    limits: StoreLimits
    key_ring: SecretBox = field(repr=False)
    checkpoint_batch: int = 512
    checkpoint_delay: float = 0.001

    def writer(self, *, max_delay: float | None = None) -> ExecutionWriter:
        """A new group-commit writer on this store (close it when done). ``max_delay``
        (seconds) overrides how long a lone write waits for company before its commit."""
        return ExecutionWriter(
            self.engine,
            limits=self.limits,
            max_batch=self.checkpoint_batch,
            max_delay=self.checkpoint_delay if max_delay is None else max_delay,
        )

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings, *, migrate: bool | None = None) -> Store:
    """Connect; migrate when ``migrate`` (default: the embedded SQLite file migrates itself,
    a PostgreSQL database must be at the code's revision, see ``n8nwork migrate``)."""
    db = settings.database
    engine = create_engine(settings.database_url(), pool_size=db.pool_size, echo=db.echo)
    try:
        if settings.auto_migrate() if migrate is None else migrate:
            upgrade(engine)
        else:
            check_current(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnavailableError(f"cannot reach the database: {exc.orig or exc}") from exc
    except Exception:
        engine.dispose()
        raise
    return Store(
        engine=engine,
        sessions=session_factory(engine),
        limits=db.limits(),
        key_ring=settings.key_ring,
        checkpoint_batch=db.checkpoint_batch,
        checkpoint_delay=db.checkpoint_delay_ms / 1000.0,
    )
