"""In-process engine speed: node executions per second and expression evaluations per second.

A chain of 10 Set nodes (v3.4), each with one expression (``={{ $json.n + 1 }}``), run with
1 item and with 1,000 items; the same chain of NoOp nodes as the baseline measured in the same
run (the engine's own cost, without parameters or expressions); and one expression evaluated
over 1,000 items in one batch.
"""

from __future__ import annotations

import itertools
from typing import Any

from benchmarks._common import parse_args, rate, report
from n8nwork.expressions import ExpressionScope
from n8nwork.run.driver import VirtualClock
from n8nwork.run.state import RunState
from n8nwork.workflow import Workflow
from nodes.sdk import default_registry
from nodes.sdk.runner import run_workflow

CHAIN = 10


def chain_workflow(kind: str) -> Workflow:
    nodes: list[dict[str, Any]] = [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "parameters": {},
            "position": [0, 0],
        }
    ]
    for i in range(CHAIN):
        if kind == "set":
            node = {
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "parameters": {
                    "assignments": {
                        "assignments": [
                            {
                                "id": f"a{i}",
                                "name": "n",
                                "value": "={{ $json.n + 1 }}",
                                "type": "number",
                            }
                        ]
                    },
                    "options": {},
                },
            }
        else:
            node = {"type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}
        nodes.append({"name": f"N{i}", "position": [200 * (i + 1), 0], **node})
    names = [n["name"] for n in nodes]
    connections = {
        a: {"main": [[{"node": b, "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(names)
    }
    return Workflow.from_json(
        {
            "name": f"chain-{kind}",
            "nodes": nodes,
            "connections": connections,
            "settings": {"executionOrder": "v1"},
        }
    )


def main() -> None:
    args = parse_args(__doc__ or "")
    seconds = 2.0 if args.quick else 8.0
    registry = default_registry()
    clock = VirtualClock()
    metrics: dict[str, float] = {}
    for kind in ("set", "noop"):
        wf = chain_workflow(kind)
        for n_items in (1, 1000):
            items = [{"json": {"n": i}} for i in range(n_items)]

            def one_run(wf: Workflow = wf, items: list[dict[str, Any]] = items) -> int:
                state = run_workflow(wf, items=items, registry=registry, clock=clock)
                assert state.status == "success", state.error
                return CHAIN

            label = "1_item" if n_items == 1 else "1000_items"
            key = (
                f"node_execs_per_s_{label}"
                if kind == "set"
                else f"baseline_noop_execs_per_s_{label}"
            )
            metrics[key] = rate(one_run, seconds=seconds)

    from n8nwork.expressions.engine import get_engine

    engine = get_engine()
    wf = chain_workflow("set")
    items = [{"json": {"n": i}} for i in range(1000)]
    state = RunState(execution_id="bench")

    def batch() -> int:
        scope = ExpressionScope(workflow=wf, node=wf.nodes[1], run=state, inputs=[items])
        values = engine.evaluate_all("={{ $json.n + 1 }}", scope, parameter="value")
        assert values[999] == 1000
        return len(values)

    metrics["expr_evals_per_s_batched"] = rate(batch, seconds=seconds)
    report(
        "core",
        metrics,
        {
            "node_execs_per_s_1_item": "target >= 20,000 (n8n 2.41: ~700)",
            "node_execs_per_s_1000_items": "each node execution handles 1,000 items",
            "expr_evals_per_s_batched": "target >= 1,000,000",
        },
    )


if __name__ == "__main__":
    main()
