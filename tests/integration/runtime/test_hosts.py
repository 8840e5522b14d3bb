"""Hosts: named so the dashboard shows them, added and removed with load between the
configured bounds, and a dedicated Ray actor per run when a workflow asks for one."""

from __future__ import annotations

from pathlib import Path

import ray

from tests.integration.runtime.conftest import Runtimes, host_pids, probe, wait_until, workflow
from tests.integration.runtime.probe_nodes import read_log


def named_actors(namespace: str) -> set[str]:
    return {
        a["name"]
        for a in ray.util.list_named_actors(all_namespaces=True)
        if a["namespace"] == namespace
    }


def test_hosts_and_the_directory_are_named_actors(runtimes: Runtimes) -> None:
    runtime = runtimes.open(min_hosts=2)
    names = named_actors(runtime.config.namespace)
    assert "n8nwork-directory" in names
    assert "n8nwork-events" in names  # no Redis: the event streams' actor
    assert len([n for n in names if n.startswith("n8nwork-host-")]) == 2


def test_a_dedicated_actor_runs_one_run_and_goes_away(runtimes: Runtimes, probe_dir: Path) -> None:
    runtime = runtimes.open()
    doc = workflow(probe(probe_dir, sleep=1), settings={"dedicatedActor": True})
    handle = runtime.submit(doc)
    name = f"n8nwork-run-{handle.id}"

    wait_until(lambda: name in named_actors(runtime.config.namespace))
    actor = ray.get_actor(name, namespace=runtime.config.namespace)
    pid = ray.get(actor.pid.remote())
    result = handle.result(timeout=60)

    assert result.status == "success"
    assert result.output[0]["json"]["N1"] == pid
    assert pid not in host_pids(runtime).values() or name in host_pids(runtime)
    wait_until(lambda: name not in named_actors(runtime.config.namespace), timeout=30)


def test_hosts_are_added_under_load_and_removed_when_idle(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    runtime = runtimes.open(min_hosts=1, max_hosts=2, host_target_runs=2, host_idle_s=1.0)
    busy = workflow(probe(probe_dir, sleep=0.2))
    handles = runtime.submit_many([{"workflow": busy} for _ in range(20)])

    wait_until(lambda: len(runtime.describe()["hosts"]) == 2, timeout=30)
    assert set(runtime.wait([h.id for h in handles], timeout=60)) == {"success"}
    wait_until(lambda: len(runtime.describe()["hosts"]) == 1, timeout=30)
    assert runtime.describe()["hosts_removed"] >= 1
    pids = {pid for _, pid, _, _ in read_log(probe_dir)}
    assert pids  # the runs ran in host processes
