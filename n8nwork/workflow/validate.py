"""Validation of a parsed workflow against the node types: refuses what cannot run.

Every problem names the node (and parameter or connection) and says what is wrong:
duplicate node names, unknown node types or typeVersions, connections to missing nodes or
inputs, parameters that break the node's schema, and cycles that no loop-capable node
(If, Switch, Loop Over Items...) closes.
"""

from __future__ import annotations

from collections import Counter

from n8nwork.errors import WorkflowError
from n8nwork.run.types import NodeTypeLookup
from n8nwork.workflow.model import MAIN, Workflow


def problems_of(workflow: Workflow, types: NodeTypeLookup) -> list[str]:
    """Every problem found in ``workflow`` (empty when it can run)."""
    problems: list[str] = []
    counts = Counter(n.name for n in workflow.nodes)
    problems.extend(
        f"node '{name}': the name is used by {count} nodes; names must be unique"
        for name, count in counts.items()
        if count > 1
    )
    for node in workflow.nodes:
        info = types.describe(node.type, node.type_version)
        if info is None:
            known = types.versions_of(node.type)
            if known:
                problems.append(
                    f"node '{node.name}': type '{node.type}' has no typeVersion "
                    f"{node.type_version} (known: {', '.join(_fmt(v) for v in known)})"
                )
            else:
                problems.append(f"node '{node.name}': unknown node type '{node.type}'")
            continue
        problems.extend(f"node '{node.name}': {p}" for p in info.validate(node))
    problems.extend(_connection_problems(workflow, types))
    if not problems:
        problems.extend(_cycle_problems(workflow, types))
    return problems


def validate(workflow: Workflow, types: NodeTypeLookup) -> Workflow:
    """Return ``workflow`` if it can run, else raise ``WorkflowError`` listing every problem."""
    problems = problems_of(workflow, types)
    if problems:
        raise WorkflowError(problems)
    return workflow


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _connection_problems(workflow: Workflow, types: NodeTypeLookup) -> list[str]:
    problems = []
    names = workflow.by_name
    for source in workflow.connections:
        if source not in names:
            problems.append(f"connections: source node '{source}' does not exist")
    for edge in workflow.edges:
        if edge.target not in names:
            problems.append(
                f"node '{edge.source}': output {edge.source_output} connects to node "
                f"'{edge.target}', which does not exist"
            )
            continue
        if edge.type != MAIN:
            continue
        target = names[edge.target]
        info = types.describe(target.type, target.type_version)
        if info is None:
            continue
        n_inputs = info.input_count(target)
        if edge.target_input >= max(n_inputs, 1) or (n_inputs == 0 and not info.is_trigger):
            problems.append(
                f"node '{edge.source}': connects to input {edge.target_input} of node "
                f"'{edge.target}', which has {n_inputs} input(s)"
            )
    return problems


def _cycle_problems(workflow: Workflow, types: NodeTypeLookup) -> list[str]:
    """Cycles (strongly connected components) must contain a loop-capable node."""
    graph: dict[str, list[str]] = {n.name: [] for n in workflow.nodes}
    for e in workflow.edges:
        if e.type == MAIN and e.source in graph and e.target in graph:
            graph[e.source].append(e.target)
    problems = []
    for component in _strongly_connected(graph):
        if len(component) == 1:
            only = component[0]
            if only not in graph[only]:
                continue
        capable = []
        for name in component:
            node = workflow.by_name[name]
            info = types.describe(node.type, node.type_version)
            if info is not None and info.loop_capable:
                capable.append(name)
        if not capable:
            members = ", ".join(f"'{n}'" for n in sorted(component))
            problems.append(
                f"nodes {members} form a cycle that no loop-capable node "
                f"(If, Switch, Loop Over Items...) closes; it would never end"
            )
    return problems


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            recurse = False
            for j in range(i, len(graph[v])):
                w = graph[v][j]
                if w not in index:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                result.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return result
