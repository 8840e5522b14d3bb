"""Graph queries over a workflow's main connections, with n8n's exact semantics and orders.

``parents_of`` / ``children_of`` follow n8n's ``getParentNodes`` / ``getChildNodes`` (nearest
first, each node once), ``highest_nodes`` its ``getHighestNode``; the execution order of the
legacy ``v0`` mode depends on these orders, so they are kept faithfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from n8nwork.workflow.model import MAIN, Workflow


@dataclass(frozen=True, slots=True)
class Edge:
    """A main connection seen from one end: the other node and the output/input index there."""

    node: str
    index: int


class Graph:
    """Main-connection indexes of one workflow, built once."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    @cached_property
    def by_source(self) -> dict[str, list[list[Edge]]]:
        """source -> [output index] -> targets (Edge(target, target input))."""
        out: dict[str, list[list[Edge]]] = {}
        for source, by_type in self.workflow.connections.items():
            outputs = by_type.get(MAIN)
            if outputs is None:
                continue
            out[source] = [
                [Edge(t["node"], int(t.get("index", 0))) for t in (targets or ())]
                for targets in outputs
            ]
        return out

    @cached_property
    def by_destination(self) -> dict[str, list[list[Edge]]]:
        """destination -> [input index] -> sources (Edge(source, source output))."""
        out: dict[str, list[list[Edge]]] = {}
        for source, outputs in self.by_source.items():
            for out_index, targets in enumerate(outputs):
                for t in targets:
                    inputs = out.setdefault(t.node, [])
                    while len(inputs) <= t.index:
                        inputs.append([])
                    inputs[t.index].append(Edge(source, out_index))
        return out

    def input_count(self, name: str) -> int:
        """Number of connected main input slots (n8n's connectionsByDestinationNode length)."""
        return len(self.by_destination.get(name, ()))

    def parents_of(self, name: str) -> list[str]:
        """All ancestors, nearest first (n8n ``getParentNodes(name, 'main', -1)``)."""
        return self._connected(self.by_destination, name, [])

    def children_of(self, name: str) -> list[str]:
        """All descendants, nearest first (n8n ``getChildNodes``)."""
        return self._connected(self.by_source, name, [])

    def _connected(
        self, index: dict[str, list[list[Edge]]], name: str, checked_in: list[str]
    ) -> list[str]:
        if name not in index:
            return []
        checked = [*checked_in]
        if name in checked:
            return []
        checked.append(name)
        result: list[str] = []
        for edges in index[name]:
            for edge in edges:
                if edge.node in checked:
                    continue
                result.insert(0, edge.node)
                added = self._connected(index, edge.node, checked)
                for node_name in added:
                    if node_name in result:
                        result.remove(node_name)
                result.extend(added)
        return result

    def highest_nodes(self, name: str, input_index: int | None = None) -> list[str]:
        """n8n ``getHighestNode``: the top-most enabled ancestors feeding an input (cached)."""
        key = (name, input_index)
        found = self._highest_cache.get(key)
        if found is None:
            found = self._highest_cache[key] = self._highest(name, input_index, [])
        return list(found)

    @cached_property
    def _highest_cache(self) -> dict[tuple[str, int | None], list[str]]:
        return {}

    def _highest(self, name: str, input_index: int | None, checked: list[str]) -> list[str]:
        node = self.workflow.by_name.get(name)
        current: list[str] = []
        if node is not None and node.disabled is False:
            current.append(name)
        inputs = self.by_destination.get(name)
        if not inputs:
            return current
        if name in checked:
            return current
        checked.append(name)
        result: list[str] = []
        for index, edges in enumerate(inputs):
            if input_index is not None and input_index != index:
                continue
            for edge in edges:
                if edge.node in checked:
                    continue
                added = self._highest(edge.node, None, checked)
                if not added:
                    parent = self.workflow.by_name.get(edge.node)
                    if parent is not None and parent.disabled is not True:
                        added = [edge.node]
                for n in added:
                    if n not in result:
                        result.append(n)
        return result
