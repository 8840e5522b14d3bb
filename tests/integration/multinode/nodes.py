"""A node type for the multi-node test (loaded into hosts and task workers through
``RuntimeConfig.node_modules``).

``n8nworktest.where`` records where it ran: one line per start and per end in a log file
(idempotency key, Ray node id, pid, phase, time), sleeps, and adds
``{<node name>: {"node": <Ray node id>, "pid": <pid>}}`` to each item. Inline (outside a
Ray worker) the node id is empty.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

import ray

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

LOG = "where.log"


class Entry(NamedTuple):
    key: str
    node: str
    pid: int
    phase: str
    at: float


def _node_id() -> str:
    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else ""


def record(directory: str, entry: Entry) -> None:
    line = "\t".join(map(str, entry)) + "\n"
    fd = os.open(Path(directory) / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())  # one write with O_APPEND: lines never interleave
    finally:
        os.close(fd)


def read_log(directory: str | Path) -> list[Entry]:
    path = Path(directory) / LOG
    if not path.exists():
        return []
    entries = []
    for line in path.read_text().splitlines():
        key, node, pid, phase, at = line.split("\t")
        entries.append(Entry(key, node, int(pid), phase, float(at)))
    return entries


class Where(NodeType):
    type_name = "n8nworktest.where"
    display_name = "Where"
    description = "Records the Ray node it runs on; sleeps"
    params = (Param("dir", "string", ""), Param("sleep", "number", 0))

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        directory = str(ctx.raw_param("dir", ""))
        node, pid = _node_id(), os.getpid()
        record(directory, Entry(ctx.idempotency_key, node, pid, "start", time.time()))
        time.sleep(float(ctx.raw_param("sleep", 0) or 0))
        record(directory, Entry(ctx.idempotency_key, node, pid, "end", time.time()))
        where = {"node": node, "pid": pid}
        return [
            [
                {"json": {**item["json"], ctx.node.name: where}}
                for item in ctx.input(0) or [{"json": {}}]
            ]
        ]
