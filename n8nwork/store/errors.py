"""The store's errors, all under ``N8nworkError``:

    StoreError                   a store operation was refused or failed
    ├── NotFoundError            the row asked for does not exist
    ├── ConflictError            a unique key or an optimistic check failed
    ├── InvalidInputError        a value is malformed (invalid UTF-8, NUL, NaN, too long)
    │   └── PayloadTooLargeError a JSON document is larger than the configured limit
    ├── LeaseLostError           a write carried a stale fencing token (another host owns the run)
    ├── TokenError               an API key or refresh token is unknown, expired or revoked
    │   └── TokenReuseError      a rotated refresh token was presented again (family revoked)
    ├── StoreUnavailableError    the database cannot be reached
    └── MigrationError           the schema is not at the code's revision

Database driver errors are translated at the boundary (``raise ... from exc``); nothing of
SQLAlchemy's or psycopg's error types leaks out of the repository functions on purpose.
"""

from __future__ import annotations

from n8nwork.errors import N8nworkError


class StoreError(N8nworkError):
    """Raised when a store operation is refused or fails (root of the store's errors)."""


class NotFoundError(StoreError):
    """Raised when the row asked for (workflow, execution, credential, ...) does not exist."""


class ConflictError(StoreError):
    """Raised when a unique key is taken or an optimistic check (expected version) fails."""


class InvalidInputError(StoreError):
    """Raised when a value is malformed: invalid UTF-8, NUL characters, NaN, over-long names."""


class PayloadTooLargeError(InvalidInputError):
    """Raised when a JSON document is larger than the configured limit (names the limit)."""


class LeaseLostError(StoreError):
    """Raised when a write carries a fencing token older than the execution's current lease."""


class TokenError(StoreError):
    """Raised when an API key or refresh token is unknown, expired or revoked."""


class TokenReuseError(TokenError):
    """Raised when an already-rotated refresh token is presented again; its family is revoked."""


class StoreUnavailableError(StoreError):
    """Raised when the database cannot be reached or the connection broke mid-operation."""


class MigrationError(StoreError):
    """Raised when the database schema is not at the revision this code expects."""
