"""Canvas positions for built workflows: columns left to right by depth, centred rows.

A node's column is the longest path to it from a start node, ignoring the edges that close
loops; within a column nodes follow the rows of the nodes feeding them (then the output they
come from), so branches stay in the order of their outputs. Pure: names in, positions out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

X0, Y0 = 240, 300
DX, DY = 220, 200


def layout(nodes: Sequence[K], edges: Sequence[tuple[K, int, K]]) -> dict[K, tuple[int, int]]:
    """Positions of ``nodes`` given ``edges`` as ``(source, output index, target)``."""
    index = {n: i for i, n in enumerate(nodes)}
    out: dict[K, list[tuple[int, K]]] = {n: [] for n in nodes}
    for source, output, target in edges:
        if source in index and target in index:
            out[source].append((output, target))
    back = _back_edges(nodes, out)
    parents: dict[K, list[tuple[K, int]]] = {n: [] for n in nodes}
    for source, targets in out.items():
        for output, target in targets:
            if (source, target) not in back:
                parents[target].append((source, output))
    column: dict[K, int] = {}
    for node in _topological(nodes, parents):
        column[node] = max((column[p] + 1 for p, _ in parents[node]), default=0)
    row: dict[K, int] = {}
    positions: dict[K, tuple[int, int]] = {}
    for col in range(max(column.values(), default=-1) + 1):
        members = [n for n in nodes if column[n] == col]
        members.sort(
            key=lambda n: (
                min(((row[p], o) for p, o in parents[n] if p in row), default=(-1, 0)),
                index[n],
            )
        )
        for r, node in enumerate(members):
            row[node] = r
            y = Y0 + (r - (len(members) - 1) / 2) * DY
            positions[node] = (X0 + col * DX, round(y))
    return positions


def _back_edges(nodes: Sequence[K], out: dict[K, list[tuple[int, K]]]) -> set[tuple[K, K]]:
    """Edges closing a cycle, found by depth-first search from nodes nothing feeds."""
    fed = {t for targets in out.values() for _, t in targets}
    starts = [n for n in nodes if n not in fed] + [n for n in nodes if n in fed]
    state: dict[K, int] = {}  # 1 = on the path, 2 = done
    back: set[tuple[K, K]] = set()
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(out[start]))]
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            target = step[1]
            if state.get(target) == 1:
                back.add((node, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))
    return back


def _topological(nodes: Sequence[K], parents: dict[K, list[tuple[K, int]]]) -> list[K]:
    remaining = {n: len(parents[n]) for n in nodes}
    children: dict[K, list[K]] = {n: [] for n in nodes}
    for node, ps in parents.items():
        for p, _ in ps:
            children[p].append(node)
    ready = [n for n in nodes if remaining[n] == 0]
    order: list[K] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for child in children[node]:
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    return order
