"""Sub-workflows without I/O: what a child execution starts with, the recursion limit, and how
the children's results become the executeWorkflow node's output (n8n's ``ExecuteWorkflow``).

A *call* is one execution the node asks for, as the node builds it::

    {"source": "database", "workflowId": "abc", "items": [...], "itemIndex": 0 | None}
    {"source": "parameter", "document": {...n8n workflow...}, "items": [...], ...}

Whoever runs the children (the Ray host, the in-process runner, the API's local runtime)
*resolves* each call first: ``{"workflowId", "version" (None: a snapshot), "snapshot"
(the document when ``version`` is None), "name", "startNode", "items", "itemIndex", "limit",
"dedicated"}``. A *result* is what a finished child gives back: ``{"executionId",
"workflowId", "status", "error", "outputs"}`` (``outputs``: every output of the child's last
node executed, as n8n returns them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from n8nwork.errors import N8nworkError
from n8nwork.run.data import Items

DEFAULT_MAX_DEPTH = 10
"""Default limit of nested sub-workflow executions (a top-level execution has depth 0).
n8n sets none and runs out of memory on runaway recursion; here each level costs a stored
execution, and ``each`` mode multiplies them, so the limit is low but above real designs."""

TRIGGER_TYPE = "n8n-nodes-base.executeWorkflowTrigger"
ERROR_TRIGGER_TYPE = "n8n-nodes-base.errorTrigger"
MODE = "integrated"
"""n8n's execution mode of sub-workflow executions."""

FINISHED_OK = "success"


class SubworkflowError(N8nworkError):
    """A sub-workflow cannot be started (unknown workflow, no trigger, too deep)."""


def start_node_of(document: Mapping[str, Any], label: str) -> str:
    """The node a sub-workflow starts at: its enabled Execute Workflow Trigger."""
    for node in document.get("nodes") or []:
        if (
            isinstance(node, Mapping)
            and node.get("type") == TRIGGER_TYPE
            and not node.get("disabled")
            and isinstance(node.get("name"), str)
        ):
            return str(node["name"])
    raise SubworkflowError(
        f"Missing node to start execution in workflow {label}: please make sure that the "
        "workflow you're calling contains an Execute Workflow Trigger node"
    )


def error_trigger_of(document: Mapping[str, Any]) -> str | None:
    """The enabled Error Trigger node an error workflow starts at, if any."""
    for node in document.get("nodes") or []:
        if (
            isinstance(node, Mapping)
            and node.get("type") == ERROR_TRIGGER_TYPE
            and not node.get("disabled")
            and isinstance(node.get("name"), str)
        ):
            return str(node["name"])
    return None


def check_depth(depth: int, limit: int, label: str) -> None:
    """Refuse a child at ``depth`` (its parent's depth + 1) above ``limit``."""
    if depth > limit:
        raise SubworkflowError(
            f"Sub-workflow depth limit of {limit} reached: executing workflow {label} would "
            f"nest {depth} executions deep (a workflow that calls itself without end?). "
            "Raise the limit with N8NWORK_RUNTIME__MAX_SUBWORKFLOW_DEPTH if this is intended."
        )


def label_of(call: Mapping[str, Any]) -> str:
    """How messages name a call's workflow."""
    name = call.get("name")
    wid = call.get("workflowId")
    if name and wid:
        return f"'{name}' ({wid})"
    if wid:
        return f"'{wid}'"
    return f"'{name}'" if name else "(from parameter)"


def child_state(
    *,
    start_node: str,
    items: Items,
    depth: int,
    parent_execution_id: Any,
    parent_workflow_id: str,
    wait: bool,
    mode: str = MODE,
) -> dict[str, Any]:
    """The stored state a child execution starts from (``RunState.to_json`` shape)."""
    return {
        "executionId": "",
        "mode": mode,
        "status": "new",
        "stack": [{"node": start_node, "data": [items], "source": None}],
        "depth": depth,
        "parentExecution": {
            "executionId": parent_execution_id,
            "workflowId": parent_workflow_id,
            "wait": wait,
        },
    }


def last_node_outputs(state: Any) -> list[Items]:
    """Every output of the last node executed (what n8n returns to the calling node)."""
    last = getattr(state, "last_node_executed", None)
    runs = state.run_data.get(last) if last else None
    if not runs:
        return []
    outputs = runs[-1].outputs
    return [list(o or []) for o in outputs] if outputs else []


def _error_message(result: Mapping[str, Any]) -> str:
    error = result.get("error") or {}
    status = result.get("status")
    message = error.get("message") if isinstance(error, Mapping) else None
    if message:
        return str(message)
    if status == "canceled":
        return "The sub-workflow execution was canceled"
    return f"The sub-workflow execution ended with status {status}"


def child_error(result: Mapping[str, Any], node: str) -> dict[str, Any]:
    """n8n's error of the calling node for a failed child (``mode: once``): the child's."""
    error = result.get("error")
    out: dict[str, Any] = dict(error) if isinstance(error, Mapping) else {}
    out["message"] = _error_message(result)
    out.setdefault("name", "NodeOperationError")
    out["node"] = node
    out["subExecution"] = {
        "executionId": result.get("executionId"),
        "workflowId": result.get("workflowId"),
    }
    return out


def combine_results(
    mode: str,
    items: Items,
    results: Sequence[Mapping[str, Any]],
    *,
    node: str,
    continue_on_fail: bool,
) -> tuple[list[Items] | None, dict[str, Any] | None]:
    """``(outputs, None)`` for the node, or ``(None, error)`` when it fails (n8n's rules).

    ``once``: the child's outputs; an item without ``pairedItem`` points at the input item of
    the same index when the counts match, else at every input item. ``each``: the outputs of
    child ``i`` point at input item ``i`` and carry ``metadata.subExecution``, concatenated
    per output. A failed child fails the node (``each``: "Error executing workflow with item
    at index i", the child's message as description); with continueOnFail the node outputs
    ``{"error": message}`` items instead.
    """
    every = [{"item": i} for i in range(len(items))]
    if mode != "each":
        result: Mapping[str, Any] = results[0] if results else {"status": "error"}
        if result.get("status") != FINISHED_OK:
            if continue_on_fail:
                paired: Any = every[0] if len(every) == 1 else every
                return [[{"json": {"error": _error_message(result)}, "pairedItem": paired}]], None
            return None, child_error(result, node)
        outputs: list[Items] = [[dict(i) for i in out] for out in result.get("outputs") or []]
        for out in outputs:
            same = len(out) == len(items)
            for index, item in enumerate(out):
                if item.get("pairedItem") is None:
                    item["pairedItem"] = {"item": index} if same else list(every)
        return outputs or [[]], None
    combined: list[Items] = []
    for index, result in enumerate(results):
        if result.get("status") != FINISHED_OK:
            message = _error_message(result)
            if continue_on_fail:
                if not combined:
                    combined.append([])
                combined[0].append({"json": {"error": message}, "pairedItem": {"item": index}})
                continue
            error = child_error(result, node)
            error.update(
                {
                    "message": f"Error executing workflow with item at index {index}",
                    "description": message,
                    "context": {"itemIndex": index},
                }
            )
            return None, error
        meta = {
            "subExecution": {
                "executionId": result.get("executionId"),
                "workflowId": result.get("workflowId"),
            }
        }
        for out_index, out in enumerate(result.get("outputs") or []):
            while len(combined) <= out_index:
                combined.append([])
            for item in out:
                combined[out_index].append(
                    {**item, "pairedItem": {"item": index}, "metadata": meta}
                )
    return combined or [[]], None
