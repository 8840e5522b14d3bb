"""Item lineage: which item of an earlier node an item of the current node descends from.

Every item a node emits may carry ``pairedItem``: ``{"item": i, "input": k}``, a bare int
``i``, a list of those, or nothing. It names the item(s) of the node's *input* ``k`` (default
0) the output item was made from; ``sourceOverwrite`` (n8n) may redirect to another node run.
Following these references backwards from an input item of the current node, through the
``source`` of every node run on the way, reaches the item of node X that ``$('X').item``,
``$('X').itemMatching(i)`` and ``$('X').pairedItem()`` return.

``resolve_paired_item`` does that walk and raises ``LineageError`` with n8n's messages when the
path is broken: X is not an ancestor, X has not run, a node did not supply ``pairedItem``,
several different items match, or a reference points at an output or item that does not
exist. A list of references that resolves to nothing gives ``None`` (n8n's ``undefined``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from n8nwork.errors import ExpressionError
from n8nwork.run.data import Items, RunView, Source
from n8nwork.workflow.model import Workflow


class LineageError(ExpressionError):
    """Raised when the paired item of an expression cannot be determined (n8n's texts)."""

    def __init__(
        self, message: str, *, description: str | None = None, node_cause: str = ""
    ) -> None:
        super().__init__(message, description=description)
        self.node_cause = node_cause


@dataclass(frozen=True, slots=True)
class ItemRef:
    """Item ``index`` of output ``output`` of run ``run`` of node ``node``."""

    node: str
    output: int
    run: int
    index: int


def ancestors(workflow: Workflow, node: str) -> set[str]:
    """Every node with a main-connection path to ``node`` (n8n's ``getParentNodes``)."""
    seen: set[str] = set()
    stack = [node]
    parents = workflow.parents
    while stack:
        for conn in parents.get(stack.pop(), ()):
            if conn.source not in seen:
                seen.add(conn.source)
                stack.append(conn.source)
    return seen


def connection_output_index(workflow: Workflow, node: str, parent: str) -> int | None:
    """The output of ``parent`` through which ``node`` is reached (n8n's BFS), or None."""
    if parent not in workflow.by_name:
        return None
    visited: set[str] = set()
    queue = [node]
    parents = workflow.parents
    while queue:
        current = queue.pop(0)
        if current in visited:
            continue
        visited.add(current)
        for conn in parents.get(current, ()):
            if conn.source == parent:
                return conn.source_output
            queue.append(conn.source)
    return None


_CANT_GET = "Can\u2019t get data for expression"


def _entries(paired: Any) -> list[dict[str, Any]]:
    items = paired if isinstance(paired, (list, tuple)) else [paired]
    out = []
    for p in items:
        if isinstance(p, bool):
            continue
        if isinstance(p, int):
            out.append({"item": p})
        elif isinstance(p, Mapping) and isinstance(p.get("item"), int):
            out.append(dict(p))
    return out


def _no_connection(target: str) -> LineageError:
    return LineageError(
        "Invalid expression", description="No path back to referenced node", node_cause=target
    )


def _missing_paired(node: str, method: str) -> LineageError:
    return LineageError(
        f"Paired item data for {method} from node '{node}' is unavailable. "
        f"Ensure '{node}' is providing the required output.",
        description=f"Missing pairedItem data (node '{node}' probably didn't supply it)",
        node_cause=node,
    )


def _invalid_paired(node: str) -> LineageError:
    return LineageError(
        "Can't get data for expression", description="Expression info invalid", node_cause=node
    )


class PairedItemResolver:
    """Walks ``pairedItem`` references through the runs recorded in a ``RunView``."""

    def __init__(self, run: RunView, workflow: Workflow) -> None:
        self.run = run
        self.workflow = workflow

    def _output(self, source: Source, node_cause: str | None) -> tuple[Items, list[Source]]:
        runs = self.run.node_runs(source.previous_node)
        task = runs[source.previous_node_run] if source.previous_node_run < len(runs) else None
        outputs = task.outputs if task is not None else None
        index = source.previous_node_output
        if not outputs or index >= len(outputs) or outputs[index] is None:
            raise LineageError(
                _CANT_GET,
                description=f"Expected output #{index} from node {source.previous_node}",
                node_cause=node_cause or "",
            )
        sources = [s for s in (task.source if task is not None else []) if s is not None]
        return outputs[index], sources

    def resolve(
        self,
        target: str,
        source: Source | None,
        index: int,
        *,
        method: str = "item",
        node_before_last: str | None = None,
    ) -> ItemRef | None:
        """The item of ``target`` that item ``index`` of the output ``source`` descends from."""
        while True:
            if source is None:
                raise LineageError(
                    "Paired item resolution failed",
                    description=f"Could not trace back to node '{target}'",
                    node_cause=node_before_last or "",
                )
            output, sources = self._output(source, node_before_last)
            if index >= len(output) or index < 0:
                raise _invalid_paired(source.previous_node)
            if source.previous_node == target:
                return ItemRef(
                    source.previous_node,
                    source.previous_node_output,
                    source.previous_node_run,
                    index,
                )
            step = self.follow(
                target, output[index], source.previous_node, sources, method, node_before_last
            )
            if not isinstance(step, tuple):
                return step
            node_before_last, source, index = step

    def follow(
        self,
        target: str,
        item: Any,
        node: str,
        sources: list[Source],
        method: str,
        node_before_last: str | None,
    ) -> ItemRef | tuple[str, Source, int] | None:
        """One step back from ``item`` (emitted by ``node`` whose inputs came from ``sources``).

        Returns the next (node, source, index) to look at, or the final answer when the item
        pairs with several items (those are resolved recursively).
        """
        paired = item.get("pairedItem") if isinstance(item, Mapping) else None
        if paired is None:
            raise _missing_paired(node, method)
        entries = _entries(paired)
        if isinstance(paired, (list, tuple)):
            return self.resolve_many(target, entries, sources, method, node)
        if not entries:
            raise _missing_paired(node, method)
        entry = entries[0]
        k = int(entry.get("input") or 0)
        overwrite = entry.get("sourceOverwrite")
        if isinstance(overwrite, Mapping):
            return node, Source.from_json(overwrite), int(entry["item"])
        if k >= len(sources):
            if not sources:
                raise _no_connection(target)
            raise LineageError(
                "Branch not found",
                description=(
                    f"Item {entry['item']} in node {node} references a branch that doesn't exist."
                ),
                node_cause=node_before_last or "",
            )
        return node, sources[k], int(entry["item"])

    def resolve_many(
        self,
        target: str,
        entries: list[dict[str, Any]],
        sources: list[Source],
        method: str,
        node: str,
    ) -> ItemRef | None:
        found: list[ItemRef] = []
        for entry in entries:
            k = int(entry.get("input") or 0)
            overwrite = entry.get("sourceOverwrite")
            if isinstance(overwrite, Mapping):
                src: Source | None = Source.from_json(overwrite)
            elif k < len(sources):
                src = sources[k]
            else:
                continue
            try:
                ref = self.resolve(
                    target, src, int(entry["item"]), method=method, node_before_last=node
                )
            except LineageError:
                continue
            if ref is not None:
                found.append(ref)
        if not found:
            return None
        if all(r == found[0] for r in found):
            return found[0]
        raise LineageError(
            "Multiple matches found",
            description=f"Multiple matching items for item [{entries[0].get('item', 0)}]",
            node_cause=target,
        )


def resolve_paired_item(
    run: RunView,
    workflow: Workflow,
    *,
    current_node: str,
    sources: list[Source | None],
    input_items: Items,
    item_index: int,
    target: str,
    method: str = "item",
) -> ItemRef | None:
    """The item of ``target`` that input item ``item_index`` of ``current_node`` descends from.

    ``input_items`` are the items of input 0 of the current node and ``sources[0]`` the node
    run that produced them. n8n's checks come first: ``target`` must be an ancestor of the
    current node and must have run.
    """
    if target not in workflow.by_name:
        raise LineageError("Referenced node doesn't exist", node_cause=target)
    if target not in ancestors(workflow, current_node):
        raise _no_connection(target)
    if not run.node_runs(target):
        raise LineageError(
            f"Node '{target}' hasn't been executed",
            description=(
                "An expression references this node, but the node is unexecuted. Consider "
                "re-wiring your nodes or checking for execution first, i.e. "
                f'{{{{ $if( $("{target}").isExecuted, <action_if_executed>, "") }}}}'
            ),
            node_cause=target,
        )
    if item_index < 0 or item_index >= len(input_items):
        raise LineageError(
            _CANT_GET,
            description=(
                f"Some intermediate nodes between \u2018{target}\u2018 and "
                f"\u2018{current_node}\u2018 have not executed yet."
            ),
            node_cause=target,
        )
    first = sources[0] if sources else None
    if first is None:
        raise LineageError(
            _CANT_GET,
            description="Apologies, this is an internal error. See details for more information",
        )
    resolver = PairedItemResolver(run, workflow)
    # the input item's pairedItem points at the item of the source output it came from (the
    # runtime stamps it so, as n8n does); from there the items' own references are followed
    item = input_items[item_index]
    paired = item.get("pairedItem") if isinstance(item, Mapping) else None
    if paired is None:
        raise _missing_paired(current_node, method)
    present = [s for s in sources if s is not None]
    entries = _entries(paired)
    if isinstance(paired, (list, tuple)):
        return resolver.resolve_many(target, entries, present, method, current_node)
    if not entries:
        raise _missing_paired(current_node, method)
    entry = entries[0]
    k = int(entry.get("input") or 0)
    overwrite = entry.get("sourceOverwrite")
    source: Source | None = first
    if isinstance(overwrite, Mapping):
        source = Source.from_json(overwrite)
    elif k < len(sources) and sources[k] is not None:
        source = sources[k]
    return resolver.resolve(target, source, int(entry["item"]), method=method)
