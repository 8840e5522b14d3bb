"""Driver of the multi-node scenario, run as its own process by ``test_multinode.py`` (the
test session's process is already the driver of the shared single-node cluster, and a
process joins one cluster only).

    python -m tests.integration.multinode.driver --database-url URL --work-dir DIR [--runs N]

It starts a Ray cluster of three raylets on 127.0.0.1 with ``ray.cluster_utils.Cluster`` in
its own temporary directory (``/tmp/n8nw-mn-<pid>``, also Ray's ``RAY_TMPDIR``, so Ray's
"current cluster" address file stays there): a head without CPUs, then the runtime (directory,
hosts, event log: all on the head, the only node when they start), then two workers with
``WORKER_CPUS`` CPUs each. It submits ``--runs`` runs of a chain of two task nodes
(``n8nworktest.where``, one CPU each, so they can only run on the workers), waits until both
workers ran node tasks and one has a task in flight, kills that worker (SIGKILL of its raylet
and of every process of the node) and waits for every run. It prints one line
``MULTINODE-RESULT <json>`` (nodes, the killed worker, where the actors and the node tasks
ran, every run's status and output, timings) and stops everything it started, also on error.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integration.multinode.procs import descendants, kill

RESULT_PREFIX = "MULTINODE-RESULT "
NODE_MODULE = "tests.integration.multinode.nodes"
WORKER_CPUS = 2
ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # bind 127.0.0.1, not the machine's address
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "disabled",  # as the runtime tests (token auth is on by default)
}


HEALTH_CHECKS = {
    "health_check_period_ms": 1000,
    "health_check_timeout_ms": 5000,
    "health_check_failure_threshold": 3,
}
"""How often the GCS checks the raylets. A killed worker node was marked dead 16.7 s after
the kill with Ray's defaults and 6.8 s with these (measured on this loaded 2-core machine);
until then, tasks already leased to it wait. Its running tasks fail at once either way
(``NodeDiedError``)."""


def ray_temp_dir(pid: int) -> str:
    """The driver's own Ray directory (short: Ray's socket paths have a length limit)."""
    return f"/tmp/n8nw-mn-{pid}"


def chain(work_dir: str, sleep: float) -> dict[str, Any]:
    """Manual trigger -> A -> B, both ``n8nworktest.where`` task nodes of one CPU."""
    where = {
        "type": "n8nworktest.where",
        "typeVersion": 1,
        "parameters": {"dir": work_dir, "sleep": sleep},
        "n8nwork": {"placement": "task", "numCpus": 1},
    }
    names = ["Start", "A", "B"]
    nodes = [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "parameters": {},
            "position": [0, 0],
        },
        {"name": "A", "position": [200, 0], **where},
        {"name": "B", "position": [400, 0], **where},
    ]
    connections = {
        a: {"main": [[{"node": b, "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(names)
    }
    return {
        "name": "multinode",
        "nodes": nodes,
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


def raylet_pid(node: Any) -> int:
    """The pid of the raylet of a ``ray._private.node.Node``."""
    from ray._private import ray_constants

    pid: int = node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process.pid
    return pid


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:g} s: {what}")
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--sleep", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    for key, value in ENV.items():
        os.environ.setdefault(key, value)
    temp_dir = ray_temp_dir(os.getpid())
    os.environ["RAY_TMPDIR"] = temp_dir  # before Ray is imported
    try:
        report = scenario(args, temp_dir)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    print(RESULT_PREFIX + json.dumps(report), flush=True)
    return 0


def scenario(args: argparse.Namespace, temp_dir: str) -> dict[str, Any]:
    import ray
    from ray.cluster_utils import Cluster

    from actors import cluster as ray_cluster
    from actors.client import Runtime, open_runtime
    from actors.config import RuntimeConfig
    from n8nwork.settings import DatabaseSettings, RedisSettings, Settings
    from tests.integration.multinode.nodes import read_log

    t0 = time.monotonic()
    timings: dict[str, float] = {}
    work_dir = args.work_dir
    cluster = Cluster()
    runtime: Runtime | None = None
    try:
        # Ray's default directory under RAY_TMPDIR: its "current cluster" file is written there
        head = cluster.add_node(
            num_cpus=0,
            include_dashboard=False,
            temp_dir=f"{temp_dir}/ray",
            _system_config=HEALTH_CHECKS,
        )
        namespace = "n8nwork-multinode"
        ray_cluster.join(cluster.address, namespace=namespace)
        timings["head_s"] = time.monotonic() - t0

        # The runtime starts while the head is the only node: its actors live there.
        settings = Settings(
            database=DatabaseSettings(url=args.database_url),
            redis=RedisSettings(url=None),
            data_dir=Path(work_dir) / "data",
        )
        config = RuntimeConfig(
            namespace=namespace,
            node_modules=(NODE_MODULE,),
            min_hosts=1,
            max_hosts=1,
            scheduler_instances=0,
            heartbeat_s=0.2,
            report_interval_s=0.01,
            lease_ttl_s=10.0,
            lease_renew_s=2.0,
            orphan_scan_s=1.0,
        )
        runtime = open_runtime(settings=settings, config=config)
        timings["runtime_s"] = time.monotonic() - t0

        workers = {}
        for _ in range(2):
            node = cluster.add_node(num_cpus=WORKER_CPUS)
            workers[node.node_id] = node
        cluster.wait_for_nodes()
        timings["workers_s"] = time.monotonic() - t0
        actors = {
            info["Name"] or info["ActorClassName"]: info["Address"]["NodeID"]
            for info in ray._private.state.actors(actor_state_name="ALIVE").values()
        }

        # Runs whose task nodes spread over both workers
        doc = chain(work_dir, args.sleep)
        handles = runtime.submit_many([{"workflow": doc} for _ in range(args.runs)])
        ids = [h.id for h in handles]
        timings["submitted_s"] = time.monotonic() - t0

        def victim() -> str | None:
            """A worker with a task that started less than half its sleep ago, once a
            task finished on each worker."""
            entries = read_log(work_dir)
            ended = {(e.key, e.node) for e in entries if e.phase == "end"}
            if {e.node for e in entries if e.phase == "end"} < set(workers):
                return None
            fresh = time.time() - args.sleep / 2
            in_flight = [
                e.node
                for e in entries
                if e.phase == "start" and e.at > fresh and (e.key, e.node) not in ended
            ]
            return in_flight[0] if in_flight else None

        killed = wait_until(victim, 90, "a finished task on each worker, one in flight")
        timings["kill_s"] = time.monotonic() - t0
        kill_at = time.time()
        # The whole node dies: SIGKILL of its raylet & co., then of the processes under the
        # raylet (task workers, agents), which outlive it for a while
        under = descendants(raylet_pid(workers[killed]))
        cluster.remove_node(workers[killed], allow_graceful=False)
        outlived = kill(under)
        timings["killed_s"] = time.monotonic() - t0
        killed_at = time.time()

        statuses = runtime.wait(ids, timeout=args.timeout)
        timings["done_s"] = time.monotonic() - t0
        wait_until(
            lambda: not any(n["Alive"] for n in ray.nodes() if n["NodeID"] == killed),
            30,
            "the killed node marked dead",
        )
        timings["marked_dead_s"] = time.monotonic() - t0
        runs = []
        for execution_id, status in zip(ids, statuses, strict=True):
            result = runtime.get(execution_id)
            runs.append(
                {
                    "id": execution_id,
                    "status": status,
                    "error": result.error,
                    "stopped_at": result.stopped_at.timestamp() if result.stopped_at else None,
                    "output": result.output,
                    "attempts": {
                        name: [r.get("executionStatus") for r in node_runs]
                        for name, node_runs in result.run_data.items()
                    },
                }
            )
        return {
            "head": head.node_id,
            "workers": sorted(workers),
            "killed": killed,
            "kill_at": kill_at,  # when the kill began (epoch s)
            "killed_at": killed_at,  # when every process of the node was gone
            "outlived_the_raylet": outlived,
            "nodes": [
                {"id": n["NodeID"], "ip": n["NodeManagerAddress"], "alive": n["Alive"]}
                for n in ray.nodes()
            ],
            "actors": actors,
            "runs": runs,
            "log": [e._asdict() for e in read_log(work_dir)],
            "timings": timings,
        }
    finally:
        if runtime is not None:
            try:
                runtime.shutdown(stop_actors=True)
            except Exception as exc:  # the cluster goes away below anyway
                print(f"runtime shutdown failed: {exc}", file=sys.stderr)
        under = [pid for node in cluster.list_all_nodes() for pid in descendants(raylet_pid(node))]
        ray.shutdown()
        cluster.shutdown()
        kill(under)  # the workers that would outlive their raylets


if __name__ == "__main__":
    sys.exit(main())
