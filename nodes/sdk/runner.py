"""Running whole workflows in this process: node executions for the run state machine.

``LocalExecutor`` carries out ``ExecuteNode`` commands by calling the node types of a
registry; ``run_workflow`` runs a workflow from its start node to the end in-process (the
``n8nwork run`` and ``n8nwork conformance`` commands use it; the Ray runtime reuses
``LocalExecutor`` inside run hosts and task workers).

Sub-workflows: a node returning ``RunWorkflows`` becomes a ``NodeCallsWorkflows`` event for
the runtime (the Ray host creates and waits for real executions), unless the executor has a
``subworkflows`` runner: then the children run right here, synchronously, and the node's
result is made of theirs (``run_workflow`` does that with ``InlineSubworkflows``).

Credentials: the executor's ``credentials`` provider (``nodes.sdk.credentials``) is handed to
every node's context. A node that got credentials has their secret values scrubbed from its
error and from the ``json`` of the items it output (a server that echoes the Authorization
header back would otherwise put it in the run data) before the run records them.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from n8nwork.credential_refs import contains_secret, scrub
from n8nwork.errors import ExpressionError, N8nworkError, NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Items, Source
from n8nwork.run.driver import Clock, RealClock, drive
from n8nwork.run.events import (
    Event,
    ExecuteNode,
    NodeCallsWorkflows,
    NodeFailed,
    NodeSucceeded,
    NodeWaiting,
    Start,
)
from n8nwork.run.machine import RunMachine, new_state
from n8nwork.run.state import RunState
from n8nwork.run.subworkflow import (
    DEFAULT_MAX_DEPTH,
    MODE,
    check_depth,
    combine_results,
    label_of,
    last_node_outputs,
    start_node_of,
)
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node, Workflow
from nodes.sdk.base import NodeType, RunWorkflows, WaitFor
from nodes.sdk.context import ExecutionContext, thaw_value
from nodes.sdk.credentials import CredentialsProvider
from nodes.sdk.execute import run_node
from nodes.sdk.registry import Registry, default_registry


def error_to_dict(exc: BaseException, node: Node) -> dict[str, Any]:
    """n8n's error object for a node failure; never includes a Python traceback of ours."""
    if isinstance(exc, NodeExecutionError):
        data = exc.to_dict()
        data["node"] = data.get("node") or node.name
        return data
    if isinstance(exc, ExpressionError):
        context: dict[str, Any] = {}
        if exc.parameter:
            context["parameter"] = exc.parameter
        if exc.item_index is not None:
            context["itemIndex"] = exc.item_index
        return {
            "message": exc.message,
            "name": "ExpressionError",
            "description": exc.description,
            "context": context,
            "node": node.name,
            "expression": exc.expression,
        }
    if isinstance(exc, N8nworkError):
        return {"message": str(exc), "name": type(exc).__name__, "node": node.name}
    return {
        "message": str(exc) or type(exc).__name__,
        "name": "NodeOperationError",
        "description": f"{type(exc).__name__} in node code",
        "node": node.name,
        "stack": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
    }


_DEFAULTS: dict[tuple[int, float], tuple[NodeType, dict[str, Any]]] = {}


def param_defaults(impl: NodeType, version: float) -> dict[str, Any]:
    """The schema defaults of the parameters of ``impl`` at ``version`` (worked out once; the
    context hands out copies of mutable defaults)."""
    key = (id(impl), version)
    hit = _DEFAULTS.get(key)
    if hit is not None and hit[0] is impl:
        return hit[1]
    found = {p.name: p.default for p in impl.params if p.applies_to(version)}
    if len(_DEFAULTS) >= 4096:
        _DEFAULTS.clear()
    _DEFAULTS[key] = (impl, found)
    return found


def workflow_timezone(workflow: Workflow, default: str = "UTC") -> str:
    tz = workflow.settings.get("timezone")
    return tz if isinstance(tz, str) and tz and tz != "DEFAULT" else default


SubRunner = Callable[[RunWorkflows, RunState, Node], list[dict[str, Any]]]
"""Runs the sub-workflows of a ``RunWorkflows`` synchronously; their results, in call order
(``n8nwork.run.subworkflow``); raises to fail the node."""


class LocalExecutor:
    """Executes nodes of one workflow run in this process."""

    def __init__(
        self,
        workflow: Workflow,
        *,
        registry: Registry | None = None,
        clock: Clock | None = None,
        execution: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        timezone: str = "UTC",
        subworkflows: SubRunner | None = None,
        credentials: CredentialsProvider | None = None,
    ) -> None:
        self.workflow = workflow
        self.credentials = credentials
        self.subworkflows = subworkflows
        self.registry = registry or default_registry()
        self.clock = clock or RealClock()
        self.execution = dict(execution or {})
        self.variables = dict(variables or {})
        self.env = dict(env or {})
        self.timezone = workflow_timezone(workflow, timezone)
        self._defaults: dict[str, dict[str, Any]] = {}
        self._types: dict[str, tuple[NodeType, dict[str, Any]]] = {}  # by node name

    def node_type(self, node: Node) -> NodeType:
        impl = self.registry.get(node.type, node.type_version)
        if impl is None:
            raise NodeExecutionError(
                f"Unknown node type '{node.type}' version {node.type_version}", node=node.name
            )
        return impl

    def defaults(self, node: Node, impl: NodeType) -> dict[str, Any]:
        found = self._defaults.get(node.name)
        if found is None:
            found = self._defaults[node.name] = param_defaults(impl, float(node.type_version))
        return found

    def __call__(self, command: ExecuteNode, state: RunState) -> Event:
        name = command.node
        node = self.workflow.by_name[name]
        started = self.clock.now() * 1000.0
        saved = state.context.get(name)
        node_context = thaw_value(saved) if saved else {}
        execution = {**self.execution, "id": state.execution_id, "mode": state.mode}
        execution.setdefault("customData", state.custom_data)
        scope = ExpressionScope(
            workflow=self.workflow,
            node=node,
            run=state,
            inputs=command.inputs,
            source=[Source.from_json(s) if s else None for s in command.source],
            run_index=command.run_index,
            execution=execution,
            variables=self.variables,
            env=self.env,
            timezone=self.timezone,
            now_ms=started,
        )
        ctx: ExecutionContext | None = None
        try:
            known = self._types.get(name)
            if known is None:
                impl = self.node_type(node)
                known = self._types[name] = (impl, self.defaults(node, impl))
            impl = known[0]
            ctx = ExecutionContext(
                scope=scope,
                defaults=known[1],
                node_context=node_context,
                credentials=self.credentials,
            )
            result = run_node(impl, ctx)
        except Exception as exc:  # a node's failure is data for the run, never a crash
            error = error_to_dict(exc, node)
            return NodeFailed(
                node=node.name,
                run_index=command.run_index,
                error=scrub(error, ctx.secrets) if ctx is not None else error,
                started_at=started,
                execution_time=self.clock.now() * 1000.0 - started,
                node_context=node_context,
            )
        elapsed = self.clock.now() * 1000.0 - started
        if ctx.secrets:
            _scrub_outputs(result, ctx.secrets)
        if isinstance(result, RunWorkflows):
            return self._run_workflows(result, command, state, node, started)
        if isinstance(result, WaitFor):
            return NodeWaiting(
                node=node.name,
                run_index=command.run_index,
                until=result.until,
                resume=result.resume,
                outputs=result.outputs,
                started_at=started,
                execution_time=elapsed,
            )
        return NodeSucceeded(
            node=node.name,
            run_index=command.run_index,
            outputs=result,
            started_at=started,
            execution_time=elapsed,
            node_context=ctx.node_context,
            hints=ctx.hints,
        )

    def _run_workflows(
        self,
        request: RunWorkflows,
        command: ExecuteNode,
        state: RunState,
        node: Node,
        started: float,
    ) -> Event:
        if self.subworkflows is None:  # the runtime creates and waits for the executions
            return NodeCallsWorkflows(
                node=node.name,
                run_index=command.run_index,
                calls=request.calls,
                mode=request.mode,
                wait=request.wait,
                passthrough=request.passthrough,
                started_at=started,
                execution_time=self.clock.now() * 1000.0 - started,
            )
        try:
            results = self.subworkflows(request, state, node)
        except Exception as exc:  # unknown workflow, too deep...: the node's failure
            return NodeFailed(
                node=node.name,
                run_index=command.run_index,
                error=error_to_dict(exc, node),
                started_at=started,
                execution_time=self.clock.now() * 1000.0 - started,
            )
        outputs: list[Items] | None = request.passthrough
        error = None
        if request.wait:
            items = command.inputs[0] if command.inputs else []
            outputs, error = combine_results(
                request.mode,
                items,
                results,
                node=node.name,
                continue_on_fail=node.error_mode != "stopWorkflow",
            )
        elapsed = self.clock.now() * 1000.0 - started
        if error is not None:
            return NodeFailed(node.name, command.run_index, error, started, elapsed)
        return NodeSucceeded(node.name, command.run_index, outputs, started, elapsed)


def _scrub_outputs(result: Any, secrets: list[str]) -> None:
    """Scrub ``secrets`` from the ``json`` of the items a node output (only the items that
    hold one are rebuilt)."""
    if isinstance(result, RunWorkflows):
        outputs = result.passthrough
    elif isinstance(result, WaitFor):
        outputs = result.outputs
    else:
        outputs = result
    for items in outputs or []:
        for item in items or []:
            data = item.get("json") if isinstance(item, dict) else None
            if isinstance(data, dict) and contains_secret(data, secrets):
                item["json"] = scrub(data, secrets)


class InlineSubworkflows:
    """Runs sub-workflows in this process, one after the other, each to its end (also with
    ``waitForSubWorkflow: false``: there is nothing to run them in the background here).
    Workflows by id come from ``load`` (``None``: only workflows given as JSON can run)."""

    def __init__(
        self,
        *,
        workflow_id: str = "",
        load: Callable[[str], Mapping[str, Any]] | None = None,
        max_depth: int = DEFAULT_MAX_DEPTH,
        **run_options: Any,
    ) -> None:
        self.workflow_id = workflow_id
        self.load = load
        self.max_depth = max_depth
        self.run_options = run_options

    def __call__(self, request: RunWorkflows, state: RunState, node: Node) -> list[dict[str, Any]]:
        resolved = []
        for call in request.calls:
            if call.get("source") == "parameter":
                document = call.get("document") or {}
                workflow_id = self.workflow_id
            else:
                workflow_id = str(call.get("workflowId") or "")
                if self.load is None:
                    raise NodeExecutionError(
                        f"Workflow '{workflow_id}' cannot be loaded: this run has no workflow "
                        "store (give the workflow as JSON with source 'parameter')",
                        node=node.name,
                    )
                document = self.load(workflow_id)
            label = label_of({"workflowId": workflow_id, "name": document.get("name")})
            check_depth(state.depth + 1, self.max_depth, label)
            resolved.append((workflow_id, document, start_node_of(document, label), call))
        results = []
        for workflow_id, document, start, call in resolved:
            child = run_workflow(
                Workflow.from_json(document),
                items=call.get("items"),
                start_node=start,
                mode=MODE,
                depth=state.depth + 1,
                workflow_id=workflow_id,
                workflow_loader=self.load,
                max_subworkflow_depth=self.max_depth,
                **self.run_options,
            )
            results.append(
                {
                    "executionId": child.execution_id,
                    "workflowId": workflow_id,
                    "status": child.status,
                    "error": child.error,
                    "outputs": last_node_outputs(child),
                }
            )
        return results


def run_workflow(
    workflow: Workflow,
    *,
    items: Items | None = None,
    start_node: str | None = None,
    mode: str = "manual",
    pin_data: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    clock: Clock | None = None,
    execution_id: str | None = None,
    timezone: str = "UTC",
    env: Mapping[str, str] | None = None,
    variables: Mapping[str, Any] | None = None,
    workflow_id: str = "",
    workflow_loader: Callable[[str], Mapping[str, Any]] | None = None,
    max_subworkflow_depth: int = DEFAULT_MAX_DEPTH,
    depth: int = 0,
    credentials: CredentialsProvider | None = None,
    credentials_for: Callable[[str], CredentialsProvider] | None = None,
) -> RunState:
    """Run ``workflow`` in this process until it finishes (or waits for an outside resume).
    Sub-workflows run here too (``InlineSubworkflows``): by id through ``workflow_loader``,
    at most ``max_subworkflow_depth`` deep. Nodes get their credentials from ``credentials``,
    else from ``credentials_for(workflow_id)`` (which sub-workflows use too)."""
    reg = registry or default_registry()
    clock = clock or RealClock()
    machine = RunMachine(workflow, reg)
    pins = thaw(pin_data) if pin_data is not None else None
    state = new_state(execution_id or uuid.uuid4().hex, mode=mode, pin_data=pins)
    state.depth = depth
    subworkflows = InlineSubworkflows(
        workflow_id=workflow_id,
        load=workflow_loader,
        max_depth=max_subworkflow_depth,
        registry=reg,
        clock=clock,
        timezone=timezone,
        env=env,
        variables=variables,
        credentials_for=credentials_for,
    )
    if credentials is None and credentials_for is not None:
        credentials = credentials_for(workflow_id)
    executor = LocalExecutor(
        workflow,
        registry=reg,
        clock=clock,
        timezone=timezone,
        env=env,
        variables=variables,
        execution={"resumeUrl": ""},
        subworkflows=subworkflows,
        credentials=credentials,
    )
    timeout = workflow.settings.get("executionTimeout")
    timeout_s = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else None
    return drive(
        machine,
        state,
        Start(start_node=start_node, items=items),
        executor,
        clock=clock,
        timeout_s=timeout_s,
    )
