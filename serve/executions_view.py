"""Rendering an execution for the API: the row, and n8n's ``resultData`` from the store."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from n8nwork.store.errors import NotFoundError
from n8nwork.store.repo.executions import get_execution, load_run_state
from serve.models.executions import ExecutionDetail, ExecutionPublic


def run_data(session: Session, execution_id: int) -> dict[str, Any]:
    """``{"resultData": {"runData", "lastNodeExecuted", "error", "pinData"?}}``."""
    try:
        state = load_run_state(session=session, execution_id=execution_id)
    except NotFoundError:
        return {"resultData": {"runData": {}, "lastNodeExecuted": None, "error": None}}
    result: dict[str, Any] = {
        "runData": {name: [r.to_json() for r in runs] for name, runs in state.run_data.items()},
        "lastNodeExecuted": state.last_node_executed,
        "error": state.error,
    }
    if state.pin_data:
        result["pinData"] = state.pin_data
    return {"resultData": result}


def execution_detail(session: Session, execution_id: int, include_data: bool) -> ExecutionDetail:
    """The execution as the API shows it, read in one fresh transaction."""
    row = get_execution(session=session, execution_id=execution_id)
    public = ExecutionPublic.of(row).model_dump()
    data = run_data(session, execution_id) if include_data else None
    session.rollback()
    return ExecutionDetail(**public, data=data)
