"""Error workflows without I/O: when one runs, and the item it receives (n8n's
``executeErrorWorkflow`` and ``IWorkflowErrorData``).

A finished execution with status ``error`` in any mode but ``manual`` starts its workflow's
``settings.errorWorkflow`` (a workflow id) at that workflow's Error Trigger node, in mode
``error``; a workflow whose error workflow is itself does not start itself again when that
run (mode ``error``) fails. Without the setting, a workflow that contains an Error Trigger
node is its own error workflow (n8n's "internal error workflow"), except for runs in mode
``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MODE = "error"


def error_workflow_id(
    *,
    status: str,
    mode: str,
    workflow_id: str,
    settings: Mapping[str, Any],
    has_error_trigger: bool,
) -> str | None:
    """The workflow to start for a finished execution, or ``None``."""
    if status != "error" or mode == "manual" or not workflow_id:
        return None
    configured = settings.get("errorWorkflow")
    if isinstance(configured, str) and configured.strip():
        configured = configured.strip()
        if mode == MODE and configured == workflow_id:
            return None
        return configured
    if mode != MODE and has_error_trigger:
        return workflow_id
    return None


def execution_url(execution_id: Any, base_url: str = "") -> str:
    """The failed execution's link: ``<public base>/api/v1/executions/<id>`` (relative
    without a configured public URL)."""
    return f"{base_url.rstrip('/')}/api/v1/executions/{execution_id}"


def error_payload(
    *,
    execution_id: Any,
    mode: str,
    error: Mapping[str, Any] | None,
    last_node: str | None,
    retry_of: Any,
    workflow_id: str,
    workflow_name: str,
    base_url: str = "",
) -> dict[str, Any]:
    """n8n's ``IWorkflowErrorData`` for an error that happened in an execution."""
    err: dict[str, Any] = dict(error or {})
    err.setdefault("message", "The execution failed")
    if not err.get("stack"):
        err["stack"] = f"{err.get('name') or 'Error'}: {err['message']}"
    return {
        "execution": {
            "id": str(execution_id),
            "url": execution_url(execution_id, base_url),
            "retryOf": str(retry_of) if retry_of is not None else None,
            "error": err,
            "lastNodeExecuted": last_node,
            "mode": mode,
        },
        "workflow": {"id": workflow_id, "name": workflow_name},
    }
