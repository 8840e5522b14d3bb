"""The Ray runtime on this machine: a local cluster, the PostgreSQL store, a notebook-style
client in this process.

- ``runs_per_s`` / ``node_execs_per_s``: a 3-node inline workflow (Manual Trigger -> Set with
  one expression -> No Op) submitted in bulk (``submit_many``), counted from the first
  submission to the last run finished (every node checkpointed, every run committed).
- ``start_latency_p50_ms`` / ``_p99_ms``: one submission at a time; from the call of
  ``submit`` to the first node's recorded start (both on this machine's clock).
- ``task_node_overhead_ms``: a run whose middle node is a task (a Ray task on a worker) minus
  the same run with that node inline, median of runs executed one at a time, measured from
  the run data (first node's start to last node's end). ``..._under_load_ms``: the same
  comparison as throughput (many runs in flight), ``1/rate(task) - 1/rate(inline)``.
- ``waiting_runs_mb_per_10k``: resident memory the run hosts gain while 10,000 runs wait
  (passivated at a webhook Wait node), scaled to 10,000 (``--quick``: 2,000 runs).

The machine's 1-minute load average before and after is recorded: the numbers are only
comparable between runs on an otherwise idle machine.

The database ``n8nwork_bench_runtime`` is created at N8NWORK_BENCH_POSTGRES_URL (default the
local ``test`` server) and dropped at the end; the cluster lives in a temporary directory and
stops at the end. ``--redis`` publishes run events to Redis (N8NWORK_BENCH_REDIS_URL) instead
of the runtime's in-process event log.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import ray
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from actors import cluster
from actors.client import Runtime, open_runtime
from actors.config import RuntimeConfig
from benchmarks._common import report
from n8nwork.settings import DatabaseSettings, RedisSettings, Settings
from n8nwork.store.engine import create_engine
from n8nwork.store.migrate import upgrade

ADMIN_URL = os.environ.get(
    "N8NWORK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("N8NWORK_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = "n8nwork_bench_runtime"


def _node(name: str, kind: str, x: int, **extra: Any) -> dict[str, Any]:
    types = {
        "trigger": ("n8n-nodes-base.manualTrigger", 1, {}),
        "set": (
            "n8n-nodes-base.set",
            3.4,
            {
                "assignments": {
                    "assignments": [
                        {"id": "a", "name": "n", "value": "={{ $json.n + 1 }}", "type": "number"}
                    ]
                },
                "options": {},
            },
        ),
        "noop": ("n8n-nodes-base.noOp", 1, {}),
        "wait": ("n8n-nodes-base.wait", 1.1, {"resume": "webhook"}),
    }
    type_name, version, parameters = types[kind]
    return {
        "name": name,
        "type": type_name,
        "typeVersion": version,
        "parameters": parameters,
        "position": [x, 0],
        **extra,
    }


def chain(*nodes: dict[str, Any]) -> dict[str, Any]:
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(nodes)
    }
    return {
        "name": "bench",
        "nodes": list(nodes),
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


THREE_INLINE = chain(
    _node("Start", "trigger", 0), _node("Set", "set", 200), _node("Done", "noop", 400)
)
MIDDLE_INLINE = chain(
    _node("Start", "trigger", 0), _node("Middle", "noop", 200), _node("Done", "noop", 400)
)
MIDDLE_TASK = chain(
    _node("Start", "trigger", 0),
    _node("Middle", "noop", 200, n8nwork={"placement": "task", "numCpus": 0.5}),
    _node("Done", "noop", 400),
)
WAITING = chain(_node("Start", "trigger", 0), _node("Wait", "wait", 200))


# ------------------------------------------------------------------------------ setup
def _database() -> str:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _drop_database() -> None:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()


# ------------------------------------------------------------------------------ measurements
def throughput(runtime: Runtime, runs: int) -> tuple[float, float]:
    """(runs/s, node executions/s) of a bulk submission of ``runs`` runs."""
    requests = [{"workflow": THREE_INLINE, "items": [{"json": {"n": i}}]} for i in range(runs)]
    started = time.perf_counter()
    handles = runtime.submit_many(requests)
    statuses = runtime.wait([h.id for h in handles], timeout=600)
    elapsed = time.perf_counter() - started
    assert set(statuses) == {"success"}, set(statuses)
    return runs / elapsed, 3 * runs / elapsed


def start_latency(runtime: Runtime, samples: int) -> tuple[float, float]:
    """(p50, p99) in ms from ``submit`` to the first node's start."""
    pairs = []
    for i in range(samples):
        submitted = time.time() * 1000.0
        handle = runtime.submit(THREE_INLINE, items=[{"json": {"n": i}}])
        pairs.append((handle, submitted))
        time.sleep(0.02)
    runtime.wait([h.id for h, _ in pairs], timeout=120)
    latencies = sorted(
        runtime.get(h.id).run_data["Start"][0]["startTime"] - submitted for h, submitted in pairs
    )
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    return statistics.median(latencies), p99


def _span_ms(runtime: Runtime, execution_id: int) -> float:
    data = runtime.get(execution_id).run_data
    first = data["Start"][0]
    last = data["Done"][0]
    return float(last["startTime"] + last["executionTime"] - first["startTime"])


def task_overhead(runtime: Runtime, samples: int) -> tuple[float, float, float]:
    """(overhead ms, inline median ms, task median ms), runs one at a time, interleaved."""
    for _ in range(5):  # warm the task workers and the programs
        runtime.submit(MIDDLE_TASK).result(timeout=60)
        runtime.submit(MIDDLE_INLINE).result(timeout=60)
    inline: list[float] = []
    task: list[float] = []
    for _ in range(samples):
        for doc, out in ((MIDDLE_INLINE, inline), (MIDDLE_TASK, task)):
            handle = runtime.submit(doc)
            result = handle.result(timeout=60)
            assert result.status == "success", result.error
            out.append(_span_ms(runtime, handle.id))
    inline_ms, task_ms = statistics.median(inline), statistics.median(task)
    return task_ms - inline_ms, inline_ms, task_ms


def task_overhead_under_load(runtime: Runtime, runs: int) -> float:
    """ms of throughput cost one task node adds per run when many runs are in flight (Ray
    then reuses worker leases): ``1/rate(task) - 1/rate(inline)``."""
    rates = []
    for doc in (MIDDLE_INLINE, MIDDLE_TASK):
        started = time.perf_counter()
        handles = runtime.submit_many([{"workflow": doc} for _ in range(runs)])
        statuses = runtime.wait([h.id for h in handles], timeout=600)
        assert set(statuses) == {"success"}, set(statuses)
        rates.append(runs / (time.perf_counter() - started))
    return (1 / rates[1] - 1 / rates[0]) * 1000.0


def _host_rss(runtime: Runtime) -> tuple[int, int]:
    """(sum of the hosts' resident bytes, the directory's), after a garbage collection."""
    handles = ray.get(runtime.directory.host_handles.remote())
    total = 0
    for handle in handles.values():
        total += ray.get(handle.stats.remote())["rss_bytes"]
    directory = ray.get(runtime.directory.describe.remote())
    return total, int(directory.get("rss_bytes", 0))


def waiting_memory(runtime: Runtime, runs: int) -> tuple[float, float]:
    """(MB per 10,000 waiting runs in the hosts, in the directory)."""
    runtime.submit_many([{"workflow": WAITING} for _ in range(200)])  # warm up the path
    _settle(runtime)
    gc.collect()
    hosts_before, dir_before = _host_rss(runtime)
    for start in range(0, runs, 2000):
        runtime.submit_many([{"workflow": WAITING} for _ in range(min(2000, runs - start))])
        _settle(runtime)
    hosts_after, dir_after = _host_rss(runtime)
    scale = 10_000 / runs / (1024 * 1024)
    return (hosts_after - hosts_before) * scale, (dir_after - dir_before) * scale


def _settle(runtime: Runtime, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    time.sleep(0.5)
    while time.monotonic() < deadline:
        described = runtime.describe()
        if described["admission"]["active"] == 0 and described["runs"] == 0:
            return
        time.sleep(0.2)
    raise TimeoutError("runs did not settle")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a run under 60 s")
    parser.add_argument("--redis", action="store_true", help="events to Redis")
    parser.add_argument("--hosts", type=int, default=2, help="run hosts (min = max)")
    args = parser.parse_args()
    quick = args.quick

    load_before = os.getloadavg()[0]
    url = _database()
    temp_dir = f"/tmp/n8nw-bench-ray-{os.getpid()}"
    settings = Settings(
        database=DatabaseSettings(url=SecretStr(url), pool_size=4),
        redis=RedisSettings(url=SecretStr(REDIS_URL) if args.redis else None),
        data_dir=Path(temp_dir) / "data",
    )
    config = RuntimeConfig(
        namespace="n8nwork-bench",
        min_hosts=args.hosts,
        max_hosts=args.hosts,
        cache_prefix="n8nwork-bench:",
    )
    cluster.start_local(num_cpus=os.cpu_count() or 2, namespace=config.namespace, temp_dir=temp_dir)
    try:
        runtime = open_runtime(settings=settings, config=config)
        throughput(runtime, 500)  # warm up: programs, expression engine, connections
        runs_per_s, node_execs_per_s = throughput(runtime, 3000 if quick else 20_000)
        p50, p99 = start_latency(runtime, 100 if quick else 300)
        overhead, inline_ms, task_ms = task_overhead(runtime, 20 if quick else 100)
        loaded_overhead = task_overhead_under_load(runtime, 1000 if quick else 4000)
        hosts_mb, directory_mb = waiting_memory(runtime, 2000 if quick else 10_000)
        runtime.shutdown(stop_actors=True)
    finally:
        cluster.stop()
        shutil.rmtree(temp_dir, ignore_errors=True)
        _drop_database()
    metrics = {
        "runs_per_s": runs_per_s,
        "node_execs_per_s": node_execs_per_s,
        "start_latency_p50_ms": p50,
        "start_latency_p99_ms": p99,
        "task_node_overhead_ms": overhead,
        "inline_run_span_ms": inline_ms,
        "task_run_span_ms": task_ms,
        "task_node_overhead_under_load_ms": loaded_overhead,
        "waiting_runs_mb_per_10k": hosts_mb,
        "waiting_runs_directory_mb_per_10k": directory_mb,
        "machine_load_1m_before": load_before,
        "machine_load_1m_after": os.getloadavg()[0],
    }
    notes = {
        "runs_per_s": "target >= 1,000",
        "node_execs_per_s": "target >= 5,000",
        "start_latency_p50_ms": "target <= 20",
        "task_node_overhead_ms": "target <= 3",
        "waiting_runs_mb_per_10k": "target < 200 (hosts)",
    }
    report("runtime", metrics, notes)


if __name__ == "__main__":
    main()
