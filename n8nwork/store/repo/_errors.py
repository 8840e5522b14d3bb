"""Translate database driver errors into the store's errors at the boundary.

Both SQLAlchemy's wrappers and psycopg's own errors (the PostgreSQL fast path of the
checkpoint writer talks to psycopg directly) are mapped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from n8nwork.store.errors import (
    ConflictError,
    InvalidInputError,
    StoreError,
    StoreUnavailableError,
)


def is_unavailable(exc: BaseException) -> bool:
    """True for errors of the connection itself (not of one statement's data)."""
    return isinstance(exc, OperationalError | psycopg.OperationalError)


def translate(exc: BaseException, what: str) -> BaseException:
    """The store error for a driver error (others are returned unchanged)."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, IntegrityError | psycopg.IntegrityError):
        return ConflictError(f"{what}: {_first_line(exc)}")
    if isinstance(exc, DataError | psycopg.DataError):
        return InvalidInputError(f"{what}: {_first_line(exc)}")
    if is_unavailable(exc):
        return StoreUnavailableError(f"{what}: {_first_line(exc)}")
    return exc


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Run a database step; raise ``ConflictError`` etc. instead of the driver's errors."""
    try:
        yield
    except (IntegrityError, DataError, OperationalError, psycopg.Error) as exc:
        error = translate(exc, what)
        if error is exc:
            raise
        raise error from exc


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
