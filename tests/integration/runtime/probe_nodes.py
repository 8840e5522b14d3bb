"""Node types for the runtime tests (loaded into hosts and task workers through
``RuntimeConfig.node_modules``).

``n8nworktest.probe`` records every execution in a log file (one line per start and per end,
with the idempotency key and the pid of the process running it), can sleep, and can fail its
first attempts. The tests count executions per key from that file: a finished node has
exactly one start; only the node that was in flight when a process was killed may have two.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

LOG = "probe.log"


def record(directory: str, key: str, phase: str) -> None:
    line = f"{key}\t{os.getpid()}\t{phase}\t{time.time():.6f}\n".encode()
    fd = os.open(Path(directory) / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write with O_APPEND: lines of processes never interleave
    finally:
        os.close(fd)


def read_log(directory: str | Path) -> list[tuple[str, int, str, float]]:
    path = Path(directory) / LOG
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        key, pid, phase, at = line.split("\t")
        out.append((key, int(pid), phase, float(at)))
    return out


class Probe(NodeType):
    type_name = "n8nworktest.probe"
    display_name = "Probe"
    description = "Records its executions; sleeps; fails its first attempts on demand"
    params = (
        Param("dir", "string", ""),
        Param("sleep", "number", 0),
        Param("failTimes", "number", 0),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        directory = str(ctx.raw_param("dir", ""))
        key = ctx.idempotency_key
        record(directory, key, "start")
        starts = sum(1 for k, _, phase, _ in read_log(directory) if k == key and phase == "start")
        time.sleep(float(ctx.raw_param("sleep", 0) or 0))
        if starts <= int(ctx.raw_param("failTimes", 0) or 0):
            raise ctx.error(f"planned failure of attempt {starts}")
        record(directory, key, "end")
        return [
            [
                {"json": {**item["json"], ctx.node.name: os.getpid()}}
                for item in ctx.input(0) or [{"json": {}}]
            ]
        ]
