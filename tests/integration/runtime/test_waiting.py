"""Waiting runs are passivated (nothing of them stays in a host) and re-activated on time or
on resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import ray

from actors.client import Runtime
from actors.errors import NotWaitingError
from tests.integration.runtime.conftest import Runtimes, probe, wait_until, workflow
from tests.integration.runtime.probe_nodes import read_log


def wait_seconds(seconds: float) -> dict[str, Any]:
    return {
        "type": "n8n-nodes-base.wait",
        "typeVersion": 1.1,
        "parameters": {"resume": "timeInterval", "amount": seconds, "unit": "seconds"},
    }


def wait_webhook() -> dict[str, Any]:
    return {
        "type": "n8n-nodes-base.wait",
        "typeVersion": 1.1,
        "parameters": {"resume": "webhook"},
    }


def held_runs(runtime: Any) -> int:
    handles = ray.get(runtime.directory.host_handles.remote())
    return sum(len(ray.get(h.active_ids.remote())) for h in handles.values())


def test_a_timed_wait_passivates_the_run_and_wakes_it_on_time(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    runtime = runtimes.open(cache="redis")
    handle = runtime.submit(workflow(wait_seconds(2), probe(probe_dir)))

    wait_until(lambda: handle.status() == "waiting")
    assert held_runs(runtime) == 0
    assert runtime.describe()["timers"] == 1
    result = handle.result(timeout=30)

    assert result.status == "success"
    assert result.run_data["N1"][0]["executionStatus"] == "success"
    assert len([1 for _, _, phase, _ in read_log(probe_dir) if phase == "start"]) == 1
    # Events are published after the commit the result is read from: wait for the last one.
    wait_until(lambda: "finished" in [e.data["type"] for e in runtime.events(handle.id)])
    kinds = [e.data["type"] for e in runtime.events(handle.id)]
    assert kinds.index("waiting") < kinds.index("resumed") < kinds.index("finished")


def test_a_webhook_wait_is_resumed_once_with_the_resume_data(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    handle = runtime.submit(workflow(wait_webhook(), probe(probe_dir)), items=[{"a": 1}])
    wait_until(lambda: handle.status() == "waiting")

    runtime.resume(handle.id, [[{"json": {"from": "webhook"}}]])
    result = handle.result(timeout=30)

    assert result.status == "success"
    assert result.output[0]["json"]["from"] == "webhook"
    with pytest.raises(NotWaitingError):
        runtime.resume(handle.id)


def test_cancel_of_a_waiting_run(shared_runtime: Runtime, probe_dir: Path) -> None:
    runtime = shared_runtime
    handle = runtime.submit(workflow(wait_webhook(), probe(probe_dir)))
    wait_until(lambda: handle.status() == "waiting")

    assert runtime.cancel(handle.id) == "waiting"

    result = handle.result(timeout=30)
    assert result.status == "canceled"
    assert result.run_data["N1"][0]["executionStatus"] == "canceled"
    assert read_log(probe_dir) == []


def test_many_waiting_runs_leave_nothing_in_the_hosts(runtimes: Runtimes, probe_dir: Path) -> None:
    runtime = runtimes.open()
    handles = runtime.submit_many(
        [{"workflow": workflow(wait_webhook(), probe(probe_dir))} for _ in range(300)]
    )
    wait_until(lambda: runtime.describe()["admission"]["active"] == 0, timeout=60)

    assert held_runs(runtime) == 0
    assert {h.status() for h in handles[:5]} == {"waiting"}
    for h in handles:
        runtime.resume(h.id)
    assert set(runtime.wait([h.id for h in handles], timeout=60)) == {"success"}
