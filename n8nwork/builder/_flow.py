"""``Flow``: a workflow written in Python, built into n8n's workflow JSON.

A flow holds the nodes given to it and every node connected to those (wiring made after
``add`` counts too: the graph is collected when the flow is built). Building names the nodes
(explicit names first, then n8n's style: ``Edit Fields``, ``Edit Fields1``...), gives them
stable ids (derived from the flow and node names, so rebuilding gives the same document) and
canvas positions (left to right), writes ``connections`` keyed by node name, and validates the
result against the node types (``n8nwork.workflow.validate``).

It is called ``Flow``, not ``Workflow``: ``n8nwork.Workflow`` is the parsed, immutable workflow
model that ``build()`` returns, and ``n8nwork.workflow`` is already the model's package.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from n8nwork.builder._errors import BuilderError
from n8nwork.builder._graph import GraphNode, InputPort, OutputPort
from n8nwork.builder._layout import layout
from n8nwork.builder._node import BuilderNode
from n8nwork.builder._registry import registry_with
from n8nwork.builder._values import NotJson, plain
from n8nwork.errors import WorkflowError
from n8nwork.workflow.model import MAIN, Workflow
from n8nwork.workflow.validate import validate

if TYPE_CHECKING:
    from n8nwork.builder._custom import CustomNode
    from nodes.sdk.registry import Registry

_IDS = uuid.UUID("0b9f4c57-2a3e-4d0c-8f7e-6e386e776f6b")
DEFAULT_SETTINGS: Mapping[str, Any] = {"executionOrder": "v1"}
WEBHOOK_TYPES = frozenset(
    {"n8n-nodes-base.webhook", "n8n-nodes-base.wait", "n8n-nodes-base.formTrigger"}
)
"""Node types n8n gives a ``webhookId`` (their resume or trigger URLs use it)."""


class Flow:
    """A workflow being built: ``Flow("etl", trigger >> fetch >> store).to_json()``."""

    def __init__(self, name: str, *nodes: Any, settings: Mapping[str, Any] | None = None) -> None:
        if not isinstance(name, str) or not name.strip():
            raise BuilderError([f"a flow needs a non-empty name, got {name!r}"])
        try:
            given = plain(dict(settings or {}), "settings")
        except NotJson as exc:
            raise BuilderError([f"flow {name!r}: {exc}"]) from None
        order = given.get("executionOrder", "v1")
        if order not in ("v0", "v1"):
            raise BuilderError(
                [f"flow {name!r}: settings.executionOrder must be 'v0' or 'v1', got {order!r}"]
            )
        self.name = name
        self.settings: dict[str, Any] = {**DEFAULT_SETTINGS, **given}
        self._roots: list[BuilderNode] = []
        self._registries: dict[tuple[int, ...], Registry] = {}
        self.add(*nodes)

    def add(self, *nodes: Any) -> Flow:
        """Add nodes (and so everything connected to them); takes nodes, ports and lists."""
        for item in nodes:
            if isinstance(item, (list, tuple)):
                self.add(*item)
            elif isinstance(item, (OutputPort, InputPort)):
                self.add(item.node)
            elif isinstance(item, BuilderNode):
                if not any(item is r for r in self._roots):
                    self._roots.append(item)
            else:
                raise BuilderError(
                    [f"flow {self.name!r}: add() takes nodes, got {type(item).__name__}"]
                )
        return self

    # ------------------------------------------------------------------ the graph
    @property
    def nodes(self) -> tuple[BuilderNode, ...]:
        """Every node of the flow: those added and all connected to them, in a stable order."""
        seen: dict[int, BuilderNode] = {}
        queue: list[GraphNode] = list(self._roots)
        while queue:
            node = queue.pop(0)
            if id(node) in seen or not isinstance(node, BuilderNode):
                continue
            seen[id(node)] = node
            queue.extend(e.target for e in node.edges_out)
            queue.extend(e.source for e in node.edges_in)
        return tuple(seen.values())

    def names(self) -> dict[GraphNode, str]:
        """The name each node gets in this flow."""
        nodes = self.nodes
        explicit = [n.name for n in nodes if n.name]
        twice = sorted({n for n in explicit if explicit.count(n) > 1})
        if twice:
            raise BuilderError(
                [
                    f"flow {self.name!r}: {explicit.count(t)} nodes are named {t!r}; "
                    "names must be unique"
                    for t in twice
                ]
            )
        taken = set(explicit)
        out: dict[GraphNode, str] = {}
        for node in nodes:
            if node.name:
                out[node] = node.name
                continue
            base = type(node).ref.default_name
            name, n = base, 0
            while name in taken:
                n += 1
                name = f"{base}{n}"
            taken.add(name)
            out[node] = name
        return out

    def name_of(self, node: BuilderNode) -> str:
        """The name ``node`` has in this flow."""
        try:
            return self.names()[node]
        except KeyError:
            raise BuilderError([f"{node.label}: not in flow {self.name!r}"]) from None

    # ------------------------------------------------------------------ custom node types
    @property
    def custom_nodes(self) -> tuple[CustomNode, ...]:
        """The ``@node`` types this flow uses: what a runtime must ship with its runs."""
        found: list[CustomNode] = []
        for node in self.nodes:
            spec = type(node).custom
            if spec is not None and not any(spec is f for f in found):
                for other in found:
                    if other.type_name == spec.type_name and other.version == spec.version:
                        raise BuilderError(
                            [
                                f"flow {self.name!r}: two different @node functions "
                                f"({other.fn.__qualname__}, {spec.fn.__qualname__}) are both "
                                f"type '{spec.type_name}'; give them different names"
                            ]
                        )
                found.append(spec)
        return tuple(found)

    @property
    def registry(self) -> Registry:
        """The node registry to run this flow with: every registered type plus its custom ones."""
        custom = self.custom_nodes
        if not custom:
            from nodes.sdk.registry import default_registry

            return default_registry()
        key = tuple(id(c) for c in custom)
        found = self._registries.get(key)
        if found is None:
            found = self._registries[key] = registry_with(custom)
        return found

    # ------------------------------------------------------------------ output
    def to_json(self) -> dict[str, Any]:
        """The workflow as n8n JSON (validated)."""
        return self.build().to_json()

    def build(self) -> Workflow:
        """The workflow model, validated against the node types (raises ``BuilderError``)."""
        nodes = self.nodes
        names = self.names()
        edges = [(names[e.source], e.output, names[e.target]) for n in nodes for e in n.edges_out]
        positions = layout([names[n] for n in nodes], edges)
        raw_nodes = []
        for node in nodes:
            name = names[node]
            raw = node.to_json(name, id=self._id(name), position=positions[name])
            if node.type_name in WEBHOOK_TYPES:  # as n8n's editor writes them
                raw["webhookId"] = self._id(f"webhook\x00{name}")
            raw_nodes.append(raw)
        document = {
            "name": self.name,
            "nodes": raw_nodes,
            "connections": _connections(nodes, names),
            "settings": dict(self.settings),
        }
        ids = [raw["id"] for raw in raw_nodes]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise BuilderError([f"flow {self.name!r}: node id {i!r} is used twice" for i in twice])
        try:
            return validate(Workflow.from_json(document), self.registry)
        except BuilderError:
            raise
        except WorkflowError as exc:
            raise BuilderError([f"flow {self.name!r}: {p}" for p in exc.problems]) from exc

    def _id(self, node_name: str) -> str:
        return str(uuid.uuid5(_IDS, f"{self.name}\x00{node_name}"))

    def __repr__(self) -> str:
        return f"Flow({self.name!r}, {len(self.nodes)} nodes)"


def _connections(nodes: Iterable[BuilderNode], names: Mapping[GraphNode, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for node in nodes:
        if not node.edges_out:
            continue
        width = max(e.output for e in node.edges_out) + 1
        outputs: list[list[dict[str, Any]]] = [[] for _ in range(width)]
        for e in node.edges_out:
            outputs[e.output].append({"node": names[e.target], "type": MAIN, "index": e.input})
        out[names[node]] = {MAIN: outputs}
    return out
