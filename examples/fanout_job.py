"""A fan-out job: many runs at once on the Ray cluster, each fanning out to task nodes that
ask for CPU and memory.

The workflow squares and cubes numbers in two Python Code nodes that run as Ray tasks with
their own resources (``num_cpus``, ``memory``: node settings of the builder, stored in the
node's ``n8nwork`` field), then merges the two branches item by item:

    Manual Trigger -> Code "Square" (0.5 CPU, 64 MiB) -> Merge "Combine" (by position)
                   -> Code "Cube"   (0.25 CPU, 32 MiB) ->

The job splits the numbers 1..N into shards, starts one execution per shard without
waiting (they run in parallel on the cluster), waits for them all, and adds up the results.

    N8NWORK_URL=http://127.0.0.1:8000 N8NWORK_API_KEY=n8nw_... python examples/fanout_job.py

The last line printed is a JSON summary.
"""

from __future__ import annotations

import json
import os
from typing import Any

from n8nwork.builder import Flow
from n8nwork.builder import nodes as n
from n8nwork.client import Client

NUMBERS = 24
SHARDS = 4
RESOURCES = {
    "Square": {"num_cpus": 0.5, "memory": "64MiB"},
    "Cube": {"num_cpus": 0.25, "memory": "32MiB"},
}


def power_code(exponent: int, field: str) -> str:
    return (
        "return [\n"
        f"    {{'json': {{'n': item['json']['n'], '{field}': item['json']['n'] ** {exponent}}}}}\n"
        "    for item in _items\n"
        "]\n"
    )


def build() -> Flow:
    start = n.ManualTrigger("Start")
    square = n.Code(
        "Square",
        language="python",
        pythonCode=power_code(2, "square"),
        placement="task",
        **RESOURCES["Square"],  # type: ignore[arg-type]
    )
    cube = n.Code(
        "Cube",
        language="python",
        pythonCode=power_code(3, "cube"),
        placement="task",
        **RESOURCES["Cube"],  # type: ignore[arg-type]
    )
    combine = n.Merge("Combine", mode="combine", combineBy="combineByPosition")
    start >> [square, cube]
    square >> combine.input(0)
    cube >> combine.input(1)
    return Flow("Powers fan-out (example)", start, settings={"executionOrder": "v1"})


def shards(count: int, size: int) -> list[list[dict[str, Any]]]:
    numbers = list(range(1, count + 1))
    return [[{"n": x} for x in numbers[i::size]] for i in range(size)]


def main(api_url: str, api_key: str) -> dict[str, Any]:
    with Client(api_url, api_key=api_key) as client:
        workflow = client.workflows.create(build())
        started = [
            client.run(workflow.id, items=shard, wait=False) for shard in shards(NUMBERS, SHARDS)
        ]
        finished = [client.executions.wait(e.id, timeout=300, progress=False) for e in started]
    rows = [row for execution in finished for row in execution.output("Combine")]
    summary = {
        "workflowId": workflow.id,
        "executions": [e.id for e in finished],
        "statuses": sorted({e.status for e in finished}),
        "numbers": len(rows),
        "sumOfSquares": sum(r["square"] for r in rows),
        "sumOfCubes": sum(r["cube"] for r in rows),
    }
    for execution in finished:
        nodes = ", ".join(f"{r.name} {r.duration_ms:.0f} ms" for r in execution.nodes)
        print(f"execution {execution.id}: {execution.status} ({nodes})")
    return summary


if __name__ == "__main__":
    print(json.dumps(main(
        os.environ.get("N8NWORK_URL", "http://127.0.0.1:8000").rstrip("/"),
        os.environ["N8NWORK_API_KEY"],
    )))  # fmt: skip
