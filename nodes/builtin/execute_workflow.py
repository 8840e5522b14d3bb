"""Execute Workflow (``n8n-nodes-base.executeWorkflow``, v1-1.3): runs another workflow (a
sub-workflow) with this node's input items and outputs what it returns.

The node only says which executions to create (``RunWorkflows``); the runtime creates them
(mode ``integrated``, each recording this execution as its parent), starts them at their
Execute Workflow Trigger node and, with ``options.waitForSubWorkflow`` (default true), waits
for them without holding a worker. ``mode: once`` sends all items to one execution and
outputs its result; ``mode: each`` starts one execution per item and concatenates their
results (each item's ``pairedItem`` points at the input item it came from). Without waiting
the node outputs its input items at once.

Sources: ``database`` (a workflow id; v1 a string, v1.1+ a resource locator ``{"__rl": true,
"value", "mode": "list" | "id" | "url"}``) and ``parameter`` (``workflowJson``). n8n's
``localFile`` and ``url`` sources are refused: reading any file of the server or fetching
any URL because a workflow parameter says so lets every workflow editor read the server's
files (credentials, keys) and reach internal addresses; save the workflow and call it by id,
or paste its JSON. In v1.2+ ``workflowInputs`` (a resource mapper) adds its values to each
item's JSON, limited to the fields of its schema when it has one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param, RunWorkflows

_REFUSED = {
    "localFile": "Loading a workflow from a local file",
    "url": "Loading a workflow from a URL",
}
_URL_ID = re.compile(r"/workflows?/([^/?#]+)")


class ExecuteWorkflow(NodeType):
    type_name = "n8n-nodes-base.executeWorkflow"
    versions = (1, 1.1, 1.2, 1.3)
    display_name = "Execute Workflow"
    description = "Execute another workflow"
    params = (
        Param("operation", "options", "call_workflow", ("call_workflow",)),
        Param("source", "options", "database", ("database", "localFile", "parameter", "url")),
        Param("workflowId", "string", "", versions=(1.0, 1.0)),
        Param("workflowId", "any", "", versions=(1.1, 1.3)),
        Param("workflowPath", "string", ""),
        Param("workflowJson", "json", "\n\n\n"),
        Param("workflowUrl", "string", ""),
        Param(
            "workflowInputs",
            "collection",
            {"mappingMode": "defineBelow", "value": None},
            versions=(1.2, 1.3),
        ),
        Param("mode", "options", "once", ("once", "each")),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        source = ctx.param("source", 0, "database")
        if source in _REFUSED:
            raise ctx.error(
                f"{_REFUSED[source]} is not supported (source '{source}')",
                description=(
                    "A node parameter that names a file or a URL would let any workflow "
                    "editor read the server's files or reach internal addresses. Save the "
                    "workflow and choose source 'database' (by id), or paste its JSON with "
                    "source 'parameter'."
                ),
            )
        if source not in ("database", "parameter"):
            raise ctx.error(f"The source '{source}' is not known")
        items = _input_items(ctx)
        mode = ctx.param("mode", 0, "once")
        if mode == "each":
            calls = [_call(ctx, source, i, [item]) for i, item in enumerate(items)]
            wait = bool(ctx.param("options.waitForSubWorkflow", 0, True))
        else:
            calls = [_call(ctx, source, 0, items)]
            wait = bool(ctx.param("options.waitForSubWorkflow", 0, True))
            mode = "once"
        return RunWorkflows(calls=calls, mode=mode, wait=wait, passthrough=[items])


def _input_items(ctx: ExecutionContext) -> list[dict[str, Any]]:
    """The items the sub-workflow gets: input items (v1.2+: plus ``workflowInputs``)."""
    items = ctx.input(0)
    mapped = ctx.version >= 1.2 and ctx.has_param("workflowInputs")
    schema: list[str] = []
    if mapped:
        raw_schema = ctx.param("workflowInputs.schema", 0, []) or []
        schema = [
            str(f.get("id") or f.get("displayName"))
            for f in raw_schema
            if isinstance(f, Mapping) and not f.get("removed")
        ]
    out = []
    for index, item in enumerate(items):
        data = dict(item.get("json") or {})
        if mapped:
            values = ctx.param("workflowInputs.value", index, {}) or {}
            if isinstance(values, Mapping):
                data.update(values)
            if schema:
                data = {name: data.get(name) for name in schema}
        new: dict[str, Any] = {"json": data, "pairedItem": {"item": index}}
        if item.get("binary"):
            new["binary"] = item["binary"]
        out.append(new)
    return out


def _call(
    ctx: ExecutionContext, source: str, index: int, items: list[dict[str, Any]]
) -> dict[str, Any]:
    item_index = index if ctx.param("mode", 0, "once") == "each" else None
    if source == "parameter":
        return {
            "source": "parameter",
            "document": _document(ctx, index),
            "items": items,
            "itemIndex": item_index,
        }
    return {
        "source": "database",
        "workflowId": _workflow_id(ctx, index),
        "items": items,
        "itemIndex": item_index,
    }


def _workflow_id(ctx: ExecutionContext, index: int) -> str:
    raw = ctx.param("workflowId", index, "")
    value: Any = raw
    if isinstance(raw, Mapping):
        value = raw.get("value")
        if raw.get("mode") == "url" and isinstance(value, str):
            found = _URL_ID.search(value)
            value = found.group(1) if found else value
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ctx.error(
            "No workflow to execute: set the parameter 'Workflow' (the id of a saved workflow)",
            item_index=index,
        )
    return text


def _document(ctx: ExecutionContext, index: int) -> dict[str, Any]:
    raw = ctx.param("workflowJson", index, "")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError as exc:
            raise ctx.error(
                f"The parameter 'Workflow JSON' is not valid JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})",
                item_index=index,
            ) from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("nodes"), list):
        raise ctx.error(
            "The parameter 'Workflow JSON' must hold a workflow (an object with 'nodes')",
            item_index=index,
        )
    return dict(raw)
