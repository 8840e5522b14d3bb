"""Executions on the wire: the row, and with ``includeData`` n8n's ``resultData`` (per-node
run data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from n8nwork.store.tables.executions import Execution
from serve.models.base import ApiInput, ApiOutput


class ExecutionPublic(ApiOutput):
    id: int
    workflow_id: str
    workflow_version: int | None = None
    mode: str
    status: str
    finished: bool
    created_at: datetime
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    wait_till: datetime | None = None
    retry_of: int | None = None
    parent_execution_id: int | None = None
    last_node: str | None = None
    error: dict[str, Any] | None = None

    @classmethod
    def of(cls, row: Execution) -> ExecutionPublic:
        assert row.id is not None
        return cls(
            id=row.id,
            workflow_id=row.workflow_id,
            workflow_version=row.workflow_version,
            mode=row.mode,
            status=row.status,
            finished=row.finished,
            created_at=row.created_at,
            started_at=row.started_at,
            stopped_at=row.stopped_at,
            wait_till=row.wait_till,
            retry_of=row.retry_of,
            parent_execution_id=row.parent_execution_id,
            last_node=row.last_node,
            error=row.error,
        )


class ExecutionDetail(ExecutionPublic):
    data: dict[str, Any] | None = None
    """n8n's ``{"resultData": {"runData": {node: [run, ...]}, "lastNodeExecuted", "error"}}``."""


class RunAccepted(ApiOutput):
    execution_id: int
    status: str


class RetryRequest(ApiInput):
    from_start: bool = False
    """``false`` (default): keep the nodes that succeeded and run again from the failed one;
    ``true``: run the whole workflow again with the same input."""
