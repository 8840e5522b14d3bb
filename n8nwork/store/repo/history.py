"""Execution history: keyset pagination, newest first, with filters.

A page is ``ORDER BY id DESC LIMIT n`` below the cursor (where the previous page ended), so
page 1 and page 20,000 cost the same: an index range scan, never an OFFSET. Each filter has an
index that starts with it and ends with ``id`` (``workflow_id, id``; ``status, id``;
``mode, id``). With a time range the order is ``started_at DESC, id DESC`` instead, on the
index ``(started_at, id)``, so a range deep in the past is as cheap as the newest page.
Cursors are opaque strings (``"<id>"`` or ``"<started_at µs>.<id>"``); a malformed one is
refused. No total count (that is a full scan at millions of rows); ``next_cursor`` is
``None`` on the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from n8nwork.store.errors import InvalidInputError
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.tables.executions import MODES, STATUSES, Execution
from n8nwork.store.tables.workflows import WorkflowRow

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class ExecutionFilter:
    """Which executions to list; every field optional, all given ones must hold."""

    workflow_ids: Sequence[str] = ()
    statuses: Sequence[str] = ()
    modes: Sequence[str] = ()
    started_after: datetime | None = None
    started_before: datetime | None = None
    retry_of: int | None = None
    parent_execution_id: int | None = None
    project_ids: Sequence[str] | None = None
    """Only executions of workflows in these projects (``None``: any project)."""


@dataclass(frozen=True, slots=True)
class ExecutionPage:
    """One page, newest first, and the cursor of the next (``None``: no more)."""

    items: list[Execution]
    next_cursor: str | None


def _check(flt: ExecutionFilter) -> None:
    for wid in flt.workflow_ids:
        check_text(wid, what="workflow id filter", max_length=36)
    for pid in flt.project_ids or ():
        check_text(pid, what="project id filter", max_length=36)
    for status in flt.statuses:
        if status not in STATUSES:
            raise InvalidInputError(f"status filter: {status!r} is not one of {STATUSES}")
    for mode in flt.modes:
        if mode not in MODES:
            raise InvalidInputError(f"mode filter: {mode!r} is not one of {MODES}")
    for when in (flt.started_after, flt.started_before):
        if when is not None and when.tzinfo is None:
            raise InvalidInputError("time filter: pass a timezone-aware datetime")


def _micros(when: datetime) -> int:
    delta = when.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_CURSOR_CHARS = 64


def _parse_cursor(cursor: str, by_time: bool) -> tuple[datetime | None, int]:
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError
        if by_time:
            micros, _, ident = cursor.partition(".")
            return EPOCH + timedelta(microseconds=int(micros)), int(ident)
        return None, int(cursor)
    except (ValueError, OverflowError) as exc:
        raise InvalidInputError(
            f"cursor: {cursor[:MAX_CURSOR_CHARS]!r} is not a cursor of this list"
        ) from exc


def _cursor_of(row: Execution, by_time: bool) -> str:
    if by_time and row.started_at is not None:
        return f"{_micros(row.started_at)}.{row.id}"
    return str(row.id)


def list_executions(
    *,
    session: Session,
    filter: ExecutionFilter | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ExecutionPage:
    """A page of executions after ``cursor`` (the previous page's ``next_cursor``), newest
    first."""
    flt = filter or ExecutionFilter()
    _check(flt)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit: {limit} is not between 1 and {MAX_PAGE}")
    by_time = flt.started_after is not None or flt.started_before is not None
    query = select(Execution)
    if cursor is not None:
        when, ident = _parse_cursor(cursor, by_time)
        if when is not None:
            query = query.where(
                tuple_(col(Execution.started_at), col(Execution.id)) < tuple_(when, ident)
            )
        else:
            query = query.where(col(Execution.id) < ident)
    if flt.workflow_ids:
        query = query.where(col(Execution.workflow_id).in_(list(flt.workflow_ids)))
    if flt.project_ids is not None:
        in_projects = select(WorkflowRow.id).where(
            col(WorkflowRow.project_id).in_(list(flt.project_ids))
        )
        query = query.where(col(Execution.workflow_id).in_(in_projects))
    if flt.statuses:
        query = query.where(col(Execution.status).in_(list(flt.statuses)))
    if flt.modes:
        query = query.where(col(Execution.mode).in_(list(flt.modes)))
    if flt.started_after is not None:
        query = query.where(col(Execution.started_at) >= flt.started_after)
    if flt.started_before is not None:
        query = query.where(col(Execution.started_at) < flt.started_before)
    if flt.retry_of is not None:
        query = query.where(Execution.retry_of == flt.retry_of)
    if flt.parent_execution_id is not None:
        query = query.where(Execution.parent_execution_id == flt.parent_execution_id)
    if by_time:
        query = query.order_by(col(Execution.started_at).desc(), col(Execution.id).desc())
    else:
        query = query.order_by(col(Execution.id).desc())
    rows = list(session.exec(query.limit(limit + 1)))
    items = rows[:limit]
    more = len(rows) > limit and bool(items)
    return ExecutionPage(items, _cursor_of(items[-1], by_time) if more else None)
