"""Durability, proven by killing processes for real (``SIGKILL``): a run host, the worker of a
node task, the whole local cluster. Every run completes; a node whose run was checkpointed
is never executed again; only the node that was in flight may run twice, and its executions
share one idempotency key (execution id, node, run index)."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import ray

from actors.client import Runtime
from tests.integration.runtime.conftest import (
    Runtimes,
    host_pids,
    probe,
    wait_until,
    workflow,
)
from tests.integration.runtime.probe_nodes import read_log


def starts_per_key(probe_dir: Path) -> Counter[str]:
    return Counter(key for key, _, phase, _ in read_log(probe_dir) if phase == "start")


def assert_only_in_flight_nodes_ran_twice(probe_dir: Path, ids: list[int]) -> int:
    """Every node of every run executed, to its end, once, except at most one node per run
    (the one in flight when the process died, whose checkpoint had not committed): that one
    may have executed twice, under the same idempotency key. Returns how many did."""
    starts = starts_per_key(probe_dir)
    ends = Counter(key for key, _, phase, _ in read_log(probe_dir) if phase == "end")
    assert set(starts) == set(ends)
    assert {int(key.split(":")[0]) for key in starts} == set(ids)
    twice = [key for key, n in starts.items() if n > 1]
    assert all(starts[key] == 2 and ends[key] <= 2 for key in twice), starts
    assert all(ends[key] == 1 for key in starts if key not in twice), ends
    per_run = Counter(int(key.split(":")[0]) for key in twice)
    assert all(n == 1 for n in per_run.values()), per_run
    return len(twice)


def test_kill_9_of_a_run_host_resumes_its_runs_on_another_host(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    # Given two hosts running runs whose middle node is slow and runs inline (in the host)
    runtime = runtimes.open(min_hosts=2)
    doc = workflow(probe(probe_dir), probe(probe_dir, sleep=0.3), probe(probe_dir))
    handles = runtime.submit_many([{"workflow": doc} for _ in range(12)])
    ids = [h.id for h in handles]
    pids = host_pids(runtime)
    assert len(pids) == 2

    # When one of them is killed while one of its runs is in the middle node
    def busy_host() -> int | None:
        for key, pid, phase, _ in reversed(read_log(probe_dir)):
            if phase == "start" and key.endswith(":N2:0") and pid in pids.values():
                return pid
        return None

    victim = wait_until(busy_host, timeout=30, step=0.01)
    os.kill(victim, signal.SIGKILL)

    # Then every run completes on the surviving host, from its last checkpoint
    assert set(runtime.wait(ids, timeout=90)) == {"success"}
    ran_twice = assert_only_in_flight_nodes_ran_twice(probe_dir, ids)
    assert ran_twice >= 1  # the node in flight in the killed host ran again
    assert runtime.describe()["recovered"] >= 1
    survivors = {pid for pid in pids.values() if pid != victim}
    last_ends = [pid for key, pid, phase, _ in read_log(probe_dir) if phase == "end"][-3:]
    assert set(last_ends) <= survivors | set(host_pids(runtime).values())


def test_kill_9_of_the_directory_loses_nothing(runtimes: Runtimes, probe_dir: Path) -> None:
    # Given runs in flight
    runtime = runtimes.open()
    doc = workflow(probe(probe_dir), probe(probe_dir, sleep=0.2), probe(probe_dir))
    first = runtime.submit_many([{"workflow": doc} for _ in range(6)])
    directory_pid = ray.get(runtime.directory.pid.remote())
    hosts = host_pids(runtime)

    # When the directory's process is killed
    os.kill(directory_pid, signal.SIGKILL)

    # Then Ray restarts it under the same handle; it adopts the hosts and their runs, and
    # a submission made meanwhile waits for it (its runs are committed either way)
    later = runtime.submit_many([{"workflow": doc} for _ in range(3)])
    ids = [h.id for h in first + later]
    assert set(runtime.wait(ids, timeout=90)) == {"success"}
    assert ray.get(runtime.directory.pid.remote()) != directory_pid
    assert host_pids(runtime) == hosts  # the live hosts were adopted, not replaced
    assert runtime.describe()["recovered"] == 0  # and their runs left where they were
    assert_only_in_flight_nodes_ran_twice(probe_dir, ids)


def test_kill_9_of_the_worker_running_a_node_task_retries_the_node(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    doc = workflow(
        probe(probe_dir),
        probe(
            probe_dir,
            sleep=3,
            n8nwork={"placement": "task"},
            retryOnFail=True,
            maxTries=3,
            waitBetweenTries=100,
        ),
        probe(probe_dir),
    )
    handle = runtime.submit(doc)
    hosts = set(host_pids(runtime).values())

    worker = wait_until(
        lambda: next(
            (pid for key, pid, phase, _ in read_log(probe_dir) if key.endswith(":N2:0")), None
        )
    )
    assert worker not in hosts
    os.kill(worker, signal.SIGKILL)

    result = handle.result(timeout=60)
    assert result.status == "success", result.error
    assert result.run_data["N2"][0]["attempts"] == 2
    assert starts_per_key(probe_dir)[f"{handle.id}:N2:0"] == 2
    assert_only_in_flight_nodes_ran_twice(probe_dir, [handle.id])


def test_a_killed_worker_fails_the_node_when_it_may_not_retry(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    handle = runtime.submit(workflow(probe(probe_dir, sleep=30, n8nwork={"placement": "task"})))
    worker = wait_until(lambda: next((pid for _, pid, _, _ in read_log(probe_dir)), None))
    os.kill(worker, signal.SIGKILL)

    result = handle.result(timeout=60)

    assert result.status == "error"
    assert "worker running the node died" in result.error["message"]
