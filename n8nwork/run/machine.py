"""The run state machine: ``advance(state, event) -> (state, commands)``.

A faithful port of n8n's execution loop (``WorkflowExecute.processRunExecutionData``) turned
inside out: instead of calling nodes, the machine asks for them (``ExecuteNode``) and is told
how they went (``NodeSucceeded`` / ``NodeFailed`` / ``NodeWaiting``). It implements the ``v1``
order (depth first, children top-left first) and the legacy ``v0`` order (breadth first, input
nodes forced to run), multi-input nodes that wait for their inputs, disabled nodes passing
data through, loops, retries (``retryOnFail`` / ``maxTries`` / ``waitBetweenTries``),
``onError``, ``alwaysOutputData``, ``executeOnce`` and ``pinData``.

No I/O, no clock, no Ray: the state is updated in place and returned (the caller owns it),
and the same events always give the same state and commands, so a run can be replayed.
"""

from __future__ import annotations

from typing import Any

from n8nwork.run.data import Items, NodeRun, Source
from n8nwork.run.events import (
    Cancel,
    Command,
    Event,
    ExecuteNode,
    Finish,
    NodeCallsWorkflows,
    NodeFailed,
    NodeSucceeded,
    NodeWaiting,
    Resume,
    Start,
    StartWorkflows,
    Suspend,
    WorkflowsReturned,
    WorkflowsStarted,
)
from n8nwork.run.graph import Graph
from n8nwork.run.items import always_output_item, assign_paired_items, stamp_input_lineage
from n8nwork.run.state import RunState
from n8nwork.run.types import NodeTypeLookup
from n8nwork.workflow.model import Node, Workflow

ENDLESS_LOOP = "Stopped execution because it seems to be in an endless loop"


def _source(node: str, output: int, run: int) -> dict[str, Any]:
    return {"previousNode": node, "previousNodeOutput": output, "previousNodeRun": run}


def retry_params(node: Node) -> tuple[int, float]:
    """(max tries, wait ms) as n8n computes them: 2-5 tries, 0-5000 ms between."""
    if not node.retry_on_fail:
        return 1, 0.0
    tries = min(5, max(2, int(node.max_tries or 3)))
    wait = float(min(5000, max(0, node.wait_between_tries or 1000)))
    return tries, wait


class RunMachine:
    """The state machine of runs of one workflow (the graph is indexed once)."""

    def __init__(self, workflow: Workflow, types: NodeTypeLookup) -> None:
        self.workflow = workflow
        self.types = types
        self.graph: Graph = workflow.graph
        self.v1 = workflow.execution_order == "v1"

    # ------------------------------------------------------------------ entry point
    def advance(self, state: RunState, event: Event) -> tuple[RunState, list[Command]]:
        """Apply one event; return the state and what must be done next."""
        if state.finished:
            return state, []
        if isinstance(event, Start):
            return state, self._start(state, event)
        if isinstance(event, Cancel):
            return state, self._cancel(state, event)
        if isinstance(event, Resume):
            return state, self._resume(state, event)
        if isinstance(event, WorkflowsStarted):
            return state, self._workflows_started(state, event)
        if isinstance(event, WorkflowsReturned):
            return state, self._workflows_returned(state, event)
        current = state.current
        if (
            current is None
            or current["node"] != event.node
            or current["runIndex"] != (event.run_index)
        ):
            return state, []  # stale report (e.g. a retried task finishing late): ignore
        if isinstance(event, NodeSucceeded):
            return state, self._succeeded(state, event)
        if isinstance(event, NodeFailed):
            return state, self._failed(state, event)
        if isinstance(event, NodeWaiting):
            return state, self._waiting(state, event)
        if isinstance(event, NodeCallsWorkflows):
            return state, self._calls_workflows(state, event)
        raise TypeError(f"unknown event {event!r}")

    # ------------------------------------------------------------------ events
    def _start(self, state: RunState, event: Start) -> list[Command]:
        if state.status != "new":
            return []
        name = event.start_node or self.start_node()
        if name is None:
            state.status = "error"
            state.error = {"message": "No node to start the workflow from could be found"}
            return [Finish("error", state.error)]
        items = event.items if event.items is not None else [{"json": {}}]
        state.stack = [{"node": name, "data": [items], "source": None}]
        state.status = "running"
        return self._schedule(state)

    def _cancel(self, state: RunState, event: Cancel) -> list[Command]:
        state.status = "canceled"
        state.current = None
        for runs in state.run_data.values():
            for r in runs:
                if r.status in ("running", "waiting"):
                    r.status = "canceled"
        message = (
            "The execution was canceled because it timed out"
            if event.reason == "timeout"
            else "The execution was canceled"
        )
        state.error = {"message": message, "name": "ExecutionCancelledError"}
        return [Finish("canceled", state.error)]

    def _resume(self, state: RunState, event: Resume) -> list[Command]:
        if state.status != "waiting" or not state.stack:
            return []
        if state.current is not None and "call" in state.current:
            return []  # waits for its sub-workflows: only WorkflowsReturned wakes it
        state.wait_till = None
        head = state.stack[0]
        head["resumed"] = True
        if event.outputs is not None:
            head["resumeOutputs"] = event.outputs
        last = state.last_node_executed
        if last and state.run_data.get(last) and state.run_data[last][-1].status == "waiting":
            state.run_data[last].pop()
        state.status = "running"
        return self._schedule(state)

    def _succeeded(self, state: RunState, event: NodeSucceeded) -> list[Command]:
        current = state.current
        assert current is not None
        node = self.workflow.by_name[event.node]
        outputs = event.outputs
        tries, wait = retry_params(node)
        first = outputs[0][0] if outputs and outputs[0] else None
        if (
            first is not None
            and first.get("json", {}).get("error") not in (None, False)
            and current["attempt"] < tries
        ):
            return [self._retry(state, wait)]
        if event.node_context is not None:
            state.context[event.node] = event.node_context
        run = NodeRun(
            start_time=event.started_at,
            execution_time=event.execution_time,
            status="success",
            source=self._sources(current),
            attempts=current["attempt"],
            hints=list(event.hints),
        )
        return self._complete(state, current, outputs, run)

    def _failed(self, state: RunState, event: NodeFailed) -> list[Command]:
        current = state.current
        assert current is not None
        node = self.workflow.by_name[event.node]
        tries, wait = retry_params(node)
        if current["attempt"] < tries:
            return [self._retry(state, wait)]
        if event.node_context is not None:
            state.context[event.node] = event.node_context
        state.last_node_executed = node.name
        run = NodeRun(
            start_time=event.started_at,
            execution_time=event.execution_time,
            status="error",
            error=event.error,
            source=self._sources(current),
            attempts=current["attempt"],
        )
        if node.error_mode != "stopWorkflow":
            data = current["entry"]["data"]
            outputs = [data[0]] if data and data[0] is not None else None
            return self._complete(state, current, outputs, run, from_error=True)
        run.outputs = None
        state.run_data.setdefault(node.name, []).append(run)
        state.stack.insert(0, current["entry"])
        state.current = None
        state.status = "error"
        state.error = event.error
        return [Finish("error", event.error)]

    def _waiting(self, state: RunState, event: NodeWaiting) -> list[Command]:
        current = state.current
        assert current is not None
        run = NodeRun(
            start_time=event.started_at,
            execution_time=event.execution_time,
            status="waiting",
            outputs=event.outputs,
            source=self._sources(current),
            attempts=current["attempt"],
        )
        state.run_data.setdefault(event.node, []).append(run)
        state.last_node_executed = event.node
        state.stack.insert(0, current["entry"])
        state.current = None
        state.status = "waiting"
        state.wait_till = event.until
        return [Suspend(event.until, event.resume)]

    # ------------------------------------------------------------------ sub-workflows
    def _calls_workflows(self, state: RunState, event: NodeCallsWorkflows) -> list[Command]:
        """executeWorkflow asked for sub-workflow executions: start them; wait for them (the
        node stays in flight, ``current["call"]``) or continue at once with ``passthrough``."""
        current = state.current
        assert current is not None
        start = StartWorkflows(
            node=event.node,
            run_index=event.run_index,
            attempt=current["attempt"],
            calls=event.calls,
            wait=event.wait,
        )
        if not event.wait:
            done = NodeSucceeded(
                node=event.node,
                run_index=event.run_index,
                outputs=event.passthrough,
                started_at=event.started_at,
                execution_time=event.execution_time,
            )
            return [start, *self._succeeded(state, done)]
        run = NodeRun(
            start_time=event.started_at,
            execution_time=event.execution_time,
            status="waiting",
            source=self._sources(current),
            attempts=current["attempt"],
        )
        state.run_data.setdefault(event.node, []).append(run)
        state.last_node_executed = event.node
        current["call"] = {
            "mode": event.mode,
            "count": len(event.calls),
            "ids": [],
            "startedAt": event.started_at,
        }
        state.status = "waiting"
        return [start, Suspend(None, "subworkflow")]

    def _workflows_started(self, state: RunState, event: WorkflowsStarted) -> list[Command]:
        current = state.current
        if current is not None and "call" in current:
            current["call"]["ids"] = list(event.ids)
        return []

    def _workflows_returned(self, state: RunState, event: WorkflowsReturned) -> list[Command]:
        """The sub-workflows the node waited for finished: the node succeeds with their
        outputs, or fails with a child's error (its onError and retries apply)."""
        from n8nwork.run.subworkflow import combine_results

        current = state.current
        if state.status != "waiting" or current is None or "call" not in current:
            return []
        call = current.pop("call")
        name = current["node"]
        runs = state.run_data.get(name)
        if runs and runs[-1].status == "waiting":
            runs.pop()
        state.status = "running"
        state.wait_till = None
        node = self.workflow.by_name[name]
        items = current["inputs"][0] if current["inputs"] else None
        outputs, error = combine_results(
            call["mode"],
            items or [],
            event.results,
            node=name,
            continue_on_fail=node.error_mode != "stopWorkflow",
        )
        started = float(call.get("startedAt") or 0.0)
        elapsed = max(0.0, event.finished_at - started) if event.finished_at else 0.0
        if error is not None:
            failed = NodeFailed(name, current["runIndex"], error, started, elapsed)
            return self._failed(state, failed)
        done = NodeSucceeded(name, current["runIndex"], outputs, started, elapsed)
        return self._succeeded(state, done)

    # ------------------------------------------------------------------ helpers
    def _retry(self, state: RunState, wait_ms: float) -> ExecuteNode:
        current = state.current
        assert current is not None
        current["attempt"] += 1
        return ExecuteNode(
            node=current["node"],
            run_index=current["runIndex"],
            inputs=current["inputs"],
            source=current["entry"]["source"] or [],
            attempt=current["attempt"],
            delay_ms=wait_ms,
        )

    @staticmethod
    def _sources(current: dict[str, Any]) -> list[Source | None]:
        src = current["entry"].get("source") or []
        return [Source.from_json(s) if s else None for s in src]

    def start_node(self) -> str | None:
        """n8n's choice of start node: the only node, else the first enabled trigger."""
        nodes = [n for n in self.workflow.nodes if n.type != "n8n-nodes-base.stickyNote"]
        if len(nodes) == 1:
            return nodes[0].name
        for n in nodes:
            if n.is_disabled:
                continue
            info = self.types.describe(n.type, n.type_version)
            if info is not None and info.is_trigger:
                return n.name
        for n in nodes:
            if not n.is_disabled and not self.graph.by_destination.get(n.name):
                return n.name
        return None

    def _input_count(self, node: Node) -> int:
        info = self.types.describe(node.type, node.type_version)
        return info.input_count(node) if info is not None else 1

    # ------------------------------------------------------------------ the loop
    def _schedule(self, state: RunState) -> list[Command]:
        """Run the loop until a node must be executed outside, or the run ends."""
        while True:
            if state.current is not None or state.status != "running":
                return []
            if not state.stack:
                state.status = "success"
                return [Finish("success")]
            entry = state.stack.pop(0)
            name = entry["node"]
            node = self.workflow.by_name[name]
            run_index = entry.get("runIndex")
            if run_index is None:
                run_index = len(state.run_data.get(name, ()))
            this_try = f"{name}:{run_index}"
            if this_try == state.last_try:
                state.status = "error"
                state.error = {"message": ENDLESS_LOOP, "name": "UserError"}
                return [Finish("error", state.error)]
            if not self._ensure_input_data(state, node, entry):
                state.last_try = this_try
                continue
            data: list[Items | None] = stamp_input_lineage(entry["data"])
            current = {
                "node": name,
                "runIndex": run_index,
                "entry": entry,
                "attempt": 1,
                "inputs": data,
            }
            outputs = self._resolve_without_executing(state, node, entry, data)
            if outputs is not _EXECUTE:
                state.current = current
                run = NodeRun(
                    start_time=0.0,
                    status="success",
                    source=self._sources(current),
                )
                commands = self._complete(state, current, outputs, run)
                if commands:
                    return commands
                continue
            if node.execute_once:
                data = [items[:1] if items is not None else None for items in data]
                current["inputs"] = data
            state.current = current
            return [
                ExecuteNode(
                    node=name,
                    run_index=run_index,
                    inputs=[items if items is not None else [] for items in data],
                    source=entry.get("source") or [],
                )
            ]

    def _resolve_without_executing(
        self,
        state: RunState,
        node: Node,
        entry: dict[str, Any],
        data: list[Items | None],
    ) -> Any:
        """Outputs known without running the node (resumed, disabled, pinned, no input)."""
        if entry.get("resumed"):
            if "resumeOutputs" in entry:
                return entry["resumeOutputs"]
            return [data[0]] if data and data[0] is not None else None
        if node.is_disabled:
            if not data:
                return None
            return [data[0]] if data[0] is not None else None
        if state.pin_data and node.name in state.pin_data:
            return [[dict(i) for i in state.pin_data[node.name]]]
        info = self.types.describe(node.type, node.type_version)
        if info is not None and info.is_trigger:
            return _EXECUTE
        if not data:
            return None
        connection_input = data[0]
        if self.v1:
            for items in data:
                if items:
                    connection_input = items
                    break
        elif not connection_input and entry.get("source") and entry["source"][0] is None:
            descendants = self.graph.children_of(node.name)
            for index, items in enumerate(data):
                src = entry["source"][index] if index < len(entry["source"]) else None
                prev = src.get("previousNode") if src else None
                if items and prev is not None and (prev == node.name or prev in descendants):
                    connection_input = items
                    break
        if not connection_input:
            return None
        return _EXECUTE

    def _ensure_input_data(self, state: RunState, node: Node, entry: dict[str, Any]) -> bool:
        inputs = self.graph.by_destination.get(node.name, [])
        for ci in range(len(inputs)):
            if not self.graph.highest_nodes(node.name, ci):
                return True
            if not self.v1:
                data = entry["data"]
                if len(data) < ci or (ci < len(data) and data[ci] is None):
                    state.stack.append(entry)
                    return False
        return True

    def _complete(
        self,
        state: RunState,
        current: dict[str, Any],
        outputs: list[Items] | None,
        run: NodeRun,
        *,
        from_error: bool = False,
    ) -> list[Command]:
        """Record a finished node run and queue its children (n8n's tail of the loop)."""
        node = self.workflow.by_name[current["node"]]
        inputs: list[Items | None] = current["inputs"]
        if outputs is not None and not from_error:
            outputs = [list(o) if o is not None else [] for o in outputs]
            if node.on_error == "continueErrorOutput":
                outputs = self._route_error_items(node, outputs)
            assign_paired_items(outputs, inputs)
            if outputs:
                state.last_node_executed = node.name
        elif outputs is not None:
            state.last_node_executed = node.name
        if not (outputs and outputs[0]) and node.always_output_data:
            outputs = list(outputs or [])
            if outputs:
                outputs[0] = always_output_item(inputs)
            else:
                outputs.append(always_output_item(inputs))
        state.current = None
        if outputs is None:
            return self._schedule(state) if state.status == "running" else []
        for items in outputs:
            for item in items:
                if len(item) > 2 and isinstance(item.get("error"), dict):
                    item["json"] = {"error": item["error"].get("message")}
        run.outputs = outputs
        state.run_data.setdefault(node.name, []).append(run)
        self._queue_children(state, node.name, outputs, current["runIndex"])
        if not state.stack and state.waiting:
            self._release_waiting(state)
        return self._schedule(state)

    def _route_error_items(self, node: Node, outputs: list[Items]) -> list[Items]:
        """``continueErrorOutput``: items carrying an error go to the extra last output."""
        info = self.types.describe(node.type, node.type_version)
        main_count = (info.output_count(node) if info is not None else 1) + 1
        while len(outputs) < main_count:
            outputs.append([])
        errors: Items = []
        for index in range(main_count - 1):
            kept: Items = []
            for item in outputs[index]:
                js = item.get("json") or {}
                is_error = item.get("error") is not None or (
                    js.get("error") and all(k in ("error", "message", "details") for k in js)
                )
                (errors if is_error else kept).append(item)
            outputs[index] = kept
        outputs[main_count - 1] = errors
        return outputs

    def _queue_children(
        self, state: RunState, parent: str, outputs: list[Items], run_index: int
    ) -> None:
        by_output = self.graph.by_source.get(parent)
        if not by_output:
            return
        to_add: list[tuple[tuple[float, float], int, Any]] = []
        for out_index, targets in enumerate(by_output):
            for edge in targets:
                if edge.node not in self.workflow.by_name:
                    continue
                if out_index < len(outputs) and (
                    len(outputs[out_index]) != 0 or (edge.index > 0 and not self.v1)
                ):
                    if self.v1:
                        to_add.append((self.workflow.by_name[edge.node].xy, out_index, edge))
                    else:
                        self._add_node(state, edge, out_index, parent, outputs, run_index)
        if self.v1:
            # Top-left first: sort bottom-right first, then each is put at the front.
            ordered = _v1_sort(to_add) if len(to_add) > 1 else to_add
            for _, out_index, edge in ordered:
                self._add_node(state, edge, out_index, parent, outputs, run_index)

    def _push(self, state: RunState, entry: dict[str, Any]) -> None:
        if self.v1:
            state.stack.insert(0, entry)
        else:
            state.stack.append(entry)

    def _add_node(
        self,
        state: RunState,
        edge: Any,
        out_index: int,
        parent: str,
        outputs: list[Items],
        run_index: int,
    ) -> None:
        """n8n's ``addNodeToBeExecuted``."""
        target = edge.node
        n_inputs = self.graph.input_count(target)
        src = _source(parent, out_index, run_index)
        if n_inputs <= 1:
            data: list[Items | None] = [None] * (edge.index + 1)
            data[edge.index] = outputs[out_index]
            self._push(state, {"node": target, "data": data, "source": [src]})
            return
        node_was_waiting = target in state.waiting
        slots = state.waiting.setdefault(target, {})
        slot_key: str | None = None
        for key in sorted(slots, key=int):
            if slots[key]["main"][edge.index] is None:
                slot_key = key
                break
        if slot_key is None:
            slot_key = str(len(slots))
            slots[slot_key] = {"main": [None] * n_inputs, "source": [None] * n_inputs}
        slot = slots[slot_key]
        slot["main"][edge.index] = outputs[out_index]
        slot["source"][edge.index] = src
        if all(d is not None for d in slot["main"]):
            self._push(state, {"node": target, "data": slot["main"], "source": slot["source"]})
            del slots[slot_key]
            if not slots:
                del state.waiting[target]
            return
        if node_was_waiting:
            return
        self._force_inputs(state, target, parent, outputs, out_index, run_index)

    def _force_inputs(
        self,
        state: RunState,
        target: str,
        parent: str,
        outputs: list[Items],
        out_index: int,
        run_index: int,
    ) -> None:
        """First data for a multi-input node: in v0, make sure its other inputs will run."""
        check_outputs = [
            e.node for targets in self.graph.by_source.get(parent, []) for e in targets
        ]
        for input_edges in self.graph.by_destination.get(target, []):
            for in_edge in input_edges:
                name = in_edge.node
                if name == parent:
                    continue
                stack_nodes = [e["node"] for e in state.stack]
                if name in check_outputs and not self._incoming_empty(state, name, run_index):
                    continue
                if name in stack_nodes:
                    continue
                if name in state.run_data:
                    continue
                if self.v1:
                    continue
                parents = self.graph.parents_of(name)
                parents.append(name)
                parents.reverse()
                to_add: str | None = name
                for p in parents:
                    if name != p and p in check_outputs:
                        to_add = None
                        break
                    if p in stack_nodes:
                        to_add = None
                        break
                    if p in state.run_data:
                        break
                    to_add = p
                if (
                    to_add is not None
                    and parent in self.graph.parents_of(to_add)
                    and len(outputs[out_index]) == 0
                ):
                    to_add = None
                if to_add is None:
                    continue
                dest = self.graph.by_destination.get(to_add)
                if dest is None or self._incoming_empty(state, to_add, run_index):
                    self._push(
                        state,
                        {
                            "node": to_add,
                            "data": [[{"json": {}}]],
                            "source": [_source(parent, out_index, run_index)],
                        },
                    )

    def _incoming_empty(self, state: RunState, name: str, run_index: int) -> bool:
        dest = self.graph.by_destination.get(name)
        edges = dest[0] if dest else []
        for e in edges:
            runs = state.run_data.get(e.node)
            if runs and run_index < len(runs):
                out = runs[run_index].outputs
                if out is not None and e.index < len(out) and out[e.index]:
                    return False
        return True

    def _release_waiting(self, state: RunState) -> None:
        """Stack empty: run the first waiting node whose missing inputs can never arrive."""
        names = list(state.waiting)
        i = 0
        while i < len(names):
            name = names[i]
            i += 1
            node = self.workflow.by_name.get(name)
            if node is None:
                continue
            info = self.types.describe(node.type, node.type_version)
            n_type_inputs = info.input_count(node) if info is not None else 1
            required = getattr(info, "required_inputs", None)
            req = required(node) if (self.v1 and callable(required)) else None
            if req is not None and (
                (isinstance(req, list) and len(req) == n_type_inputs) or req == n_type_inputs
            ):
                continue
            if any(p in names for p in self.graph.parents_of(name)):
                continue
            slots = state.waiting[name]
            first = sorted(slots, key=int)[0]
            slot = slots[first]
            with_data = [k for k, d in enumerate(slot["main"]) if d is not None]
            if req is not None:
                if isinstance(req, list):
                    if any(r not in with_data for r in req):
                        continue
                elif len(with_data) < req:
                    continue
            main = [d if d is not None else [] for d in slot["main"]]
            has_any = any(len(d) for d in main)
            if has_any:
                while len(main) < n_type_inputs:
                    main.append([])
                state.stack.append({"node": name, "data": main, "source": slot["source"]})
            del slots[first]
            if not slots:
                del state.waiting[name]
            if has_any:
                return
            names = list(state.waiting)
            i = 0


class _Execute:
    def __repr__(self) -> str:
        return "EXECUTE"


_EXECUTE: Any = _Execute()


def _v1_sort(to_add: list[tuple[tuple[float, float], int, Any]]) -> list[Any]:
    """n8n's comparator: larger y first, then larger x first (stable otherwise)."""
    import functools

    def cmp(a: Any, b: Any) -> int:
        (ax, ay), (bx, by) = a[0], b[0]
        if ay < by:
            return 1
        if ay > by:
            return -1
        if ax > bx:
            return -1
        return 0

    return sorted(to_add, key=functools.cmp_to_key(cmp))


def new_state(
    execution_id: str, *, mode: str = "manual", pin_data: dict[str, Any] | None = None
) -> RunState:
    """A fresh run, ready for ``Start``."""
    return RunState(execution_id=execution_id, mode=mode, pin_data=pin_data)


def advance(
    state: RunState, event: Event, *, workflow: Workflow, types: NodeTypeLookup
) -> tuple[RunState, list[Command]]:
    """Functional form of ``RunMachine(workflow, types).advance(state, event)``."""
    return RunMachine(workflow, types).advance(state, event)
