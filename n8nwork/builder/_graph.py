"""Wiring nodes together: ``a >> b``, ``a.output(1) >> c``, ``a >> b.input(1)``,
``a >> [b, c]`` (fan-out) and ``[b, c] >> d`` (fan-in).

Every connection is checked when it is made: the source output and the target input must
exist on those nodes (outputs and inputs count as the node type says for the node's
parameters and typeVersion; an error output exists with ``on_error="continueErrorOutput"``).
A ``>>`` expression evaluates to its right side, so chains read left to right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from n8nwork.builder._errors import BuilderError

# Outputs known by name, per node type: (from typeVersion, {name: index}), newest first.
_OUTPUT_NAMES: dict[str, tuple[tuple[float, dict[str, int]], ...]] = {
    "n8n-nodes-base.if": ((1, {"true": 0, "false": 1}),),
    "n8n-nodes-base.splitInBatches": ((3, {"done": 0, "loop": 1}), (2, {"loop": 0, "done": 1})),
    "n8n-nodes-base.compareDatasets": ((1, {"a_only": 0, "same": 1, "different": 2, "b_only": 3}),),
}


@dataclass(frozen=True, eq=False)
class Edge:
    """Output ``output`` of ``source`` feeds input ``input`` of ``target``."""

    source: GraphNode
    output: int
    target: GraphNode
    input: int


class GraphNode:
    """The wiring half of a builder node: its connections and the ``>>`` operator."""

    type_name: str = ""
    version: float = 1

    def __init__(self) -> None:
        self.edges_out: list[Edge] = []
        self.edges_in: list[Edge] = []

    # -------------------------------------------------------------- shape (subclass tells)
    @property
    def label(self) -> str:
        """How errors name this node."""
        raise NotImplementedError

    @property
    def output_count(self) -> int:
        """Main outputs, not counting an error output."""
        raise NotImplementedError

    @property
    def input_count(self) -> int:
        raise NotImplementedError

    @property
    def has_error_output(self) -> bool:
        raise NotImplementedError

    # -------------------------------------------------------------- ports
    def output(self, which: int | str = 0) -> OutputPort:
        """Output ``which`` of this node: an index, ``"error"`` (with
        ``on_error="continueErrorOutput"``), or a name (If: ``true``/``false``; Loop Over
        Items: ``loop``/``done``; Compare Datasets: ``a_only``/``same``/``different``/``b_only``).
        """
        count = self.output_count + (1 if self.has_error_output else 0)
        if isinstance(which, str):
            index = self._named_output(which)
        elif isinstance(which, int) and not isinstance(which, bool):
            index = which
        else:
            raise BuilderError([f"{self.label}: output must be an index or a name, got {which!r}"])
        if not 0 <= index < count:
            if count == 0:
                raise BuilderError([f"{self.label}: this node has no outputs"])
            extra = " (the last is the error output)" if self.has_error_output else ""
            raise BuilderError(
                [
                    f"{self.label}: output {index} does not exist; the node has {count} "
                    f"output(s), 0 to {count - 1}{extra}"
                ]
            )
        return OutputPort(self, index)

    def input(self, index: int = 0) -> InputPort:
        """Input ``index`` of this node (Merge and Compare Datasets have two or more)."""
        count = self.input_count
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            if count == 0:
                raise BuilderError([f"{self.label}: this node has no inputs (a trigger?)"])
            raise BuilderError(
                [
                    f"{self.label}: input {index!r} does not exist; the node has {count} "
                    f"input(s), 0 to {count - 1}"
                ]
            )
        return InputPort(self, index)

    def _named_output(self, name: str) -> int:
        if name == "error":
            if not self.has_error_output:
                raise BuilderError(
                    [
                        f"{self.label}: no error output; create the node with "
                        "on_error='continueErrorOutput' to get one"
                    ]
                )
            return self.output_count
        for since, names in _OUTPUT_NAMES.get(self.type_name, ()):
            if float(self.version) >= since:
                if name in names:
                    return names[name]
                known = ", ".join(["error", *names])
                raise BuilderError(
                    [f"{self.label}: no output named {name!r}; named outputs: {known}"]
                )
        raise BuilderError(
            [f"{self.label}: no output named {name!r}; use an index (0 to {self.output_count - 1})"]
        )

    # -------------------------------------------------------------- operators
    def __rshift__(self, other: Any) -> Any:
        return self.output(0) >> other

    def __rrshift__(self, other: Any) -> Any:
        return _fan_in(other, self)


@dataclass(frozen=True, eq=False)
class OutputPort:
    """One output of a node; ``port >> target`` connects it."""

    node: GraphNode
    index: int

    def __rshift__(self, other: Any) -> Any:
        if isinstance(other, (GraphNode, InputPort)):
            connect(self, other)
            return other
        if isinstance(other, (list, tuple)):
            for target in other:
                if not isinstance(target, (GraphNode, InputPort)):
                    return NotImplemented
            for target in other:
                connect(self, target)
            return other
        return NotImplemented


@dataclass(frozen=True, eq=False)
class InputPort:
    """One input of a node; ``source >> port`` connects to it, ``port >> x`` continues from
    the node's first output."""

    node: GraphNode
    index: int

    def __rshift__(self, other: Any) -> Any:
        return self.node.output(0) >> other

    def __rrshift__(self, other: Any) -> Any:
        return _fan_in(other, self)


def connect(source: GraphNode | OutputPort, target: GraphNode | InputPort) -> None:
    """Connect an output (a node means its output 0) to an input (a node: its input 0)."""
    out = source if isinstance(source, OutputPort) else source.output(0)
    into = target if isinstance(target, InputPort) else target.input(0)
    for edge in out.node.edges_out:
        if edge.output == out.index and edge.target is into.node and edge.input == into.index:
            return  # already connected
    edge = Edge(out.node, out.index, into.node, into.index)
    out.node.edges_out.append(edge)
    into.node.edges_in.append(edge)


def _fan_in(sources: Any, target: GraphNode | InputPort) -> Any:
    if not isinstance(sources, (list, tuple)) or not all(
        isinstance(s, (GraphNode, OutputPort, InputPort)) for s in sources
    ):
        return NotImplemented
    if isinstance(target, GraphNode) and target.input_count > 1 and len(sources) > 1:
        raise BuilderError(
            [
                f"{target.label}: has {target.input_count} inputs; say which each source feeds, "
                "e.g. a >> merge.input(0); b >> merge.input(1)"
            ]
        )
    for source in _as_outputs(sources):
        connect(source, target)
    return target


def _as_outputs(sources: Sequence[Any]) -> list[OutputPort]:
    return [
        s if isinstance(s, OutputPort) else (s.node if isinstance(s, InputPort) else s).output(0)
        for s in sources
    ]
