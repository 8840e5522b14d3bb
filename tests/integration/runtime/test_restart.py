"""Durability across a restart of the whole local cluster: every process of it is stopped
with runs in flight and a run waiting for a time; after the cluster is started again the runs
resume from their checkpoints and the waiting run wakes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.integration.runtime.conftest import LocalCluster, Runtimes, probe, wait_until, workflow
from tests.integration.runtime.test_durability import (
    assert_only_in_flight_nodes_ran_twice,
    starts_per_key,
)
from tests.integration.runtime.test_waiting import wait_seconds


def test_stopping_the_whole_cluster_and_starting_it_again_resumes_the_runs(
    runtimes: Runtimes, probe_dir: Path, ray_cluster: LocalCluster
) -> None:
    # Given runs in flight (a slow task node) and a run waiting for a time
    settings = runtimes.settings(runtimes.make_database("postgresql"), "redis")
    config = runtimes.config()
    runtime = runtimes.open(settings=settings, config=config)
    slow = workflow(
        probe(probe_dir),
        probe(probe_dir, sleep=1, n8nwork={"placement": "task", "numCpus": 0.25}),
        probe(probe_dir),
    )
    running = runtime.submit_many([{"workflow": slow} for _ in range(6)])
    wait_until(lambda: any(k.endswith(":N2:0") for k in starts_per_key(probe_dir)))
    waiting = runtime.submit(workflow(wait_seconds(3), probe(probe_dir)))
    wait_until(lambda: waiting.status() == "waiting")

    # When every process of the cluster is stopped and the cluster started again
    ray_cluster.restart()
    stopped_at = time.time()
    again = runtimes.open(settings=settings, config=config)

    # Then the runs resume from their checkpoints and complete, the waiting one on time
    ids = [h.id for h in running] + [waiting.id]
    assert set(again.wait(ids, timeout=120)) == {"success"}
    assert_only_in_flight_nodes_ran_twice(probe_dir, ids)
    resumed: Any = again.get(waiting.id)
    assert resumed.run_data["N1"][0]["executionStatus"] == "success"
    assert resumed.stopped_at.timestamp() >= stopped_at
