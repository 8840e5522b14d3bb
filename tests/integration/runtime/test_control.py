"""Control: cancel, execution timeout, concurrency limits with a bounded queue, priorities."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from actors.client import Runtime
from actors.errors import RunRefusedError
from tests.integration.runtime.conftest import Runtimes, noop, probe, wait_until, workflow
from tests.integration.runtime.probe_nodes import read_log


def test_cancel_stops_the_running_task_and_marks_the_run_canceled(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    handle = runtime.submit(workflow(probe(probe_dir, sleep=60, n8nwork={"placement": "task"})))
    wait_until(lambda: any(phase == "start" for _, _, phase, _ in read_log(probe_dir)))

    started = time.monotonic()
    assert runtime.cancel(handle.id) == "running"
    result = handle.result(timeout=30)

    assert time.monotonic() - started < 10
    assert result.status == "canceled"
    assert result.error["name"] == "ExecutionCancelledError"
    assert not any(phase == "end" for _, _, phase, _ in read_log(probe_dir))
    assert runtime.cancel(handle.id) == "finished"


def test_the_execution_timeout_cancels_the_run(shared_runtime: Runtime, probe_dir: Path) -> None:
    runtime = shared_runtime
    doc = workflow(
        probe(probe_dir, sleep=60, n8nwork={"placement": "task"}),
        settings={"executionTimeout": 2},
    )

    result = runtime.submit(doc).result(timeout=30)

    assert result.status == "canceled"
    assert "timed out" in result.error["message"]


def test_overflow_of_the_bounded_queue_is_refused_never_dropped(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    runtime = runtimes.open(max_active_runs=2, max_queued_runs=3)
    slow = workflow(probe(probe_dir, sleep=2))  # inline: each holds a slot for 2 s
    running = runtime.submit_many([{"workflow": slow} for _ in range(2)])
    queued = runtime.submit_many([{"workflow": workflow(noop())} for _ in range(3)])

    with pytest.raises(RunRefusedError, match="max_queued_runs=3") as refused:
        runtime.submit(workflow(noop()))

    (refused_id,) = refused.value.refused_ids
    record = runtime.get(refused_id)
    assert record.status == "canceled"
    assert "run queue is full" in record.error["message"]
    statuses = runtime.wait([h.id for h in running + queued], timeout=60)
    assert set(statuses) == {"success"}
    # the slots freed: new runs are admitted again
    assert runtime.submit(workflow(noop())).result(timeout=30).status == "success"


def test_queued_runs_start_by_priority_and_per_workflow_limits_hold(
    runtimes: Runtimes, probe_dir: Path
) -> None:
    runtime = runtimes.open(max_active_runs=1)
    blocker = runtime.submit(workflow(probe(probe_dir, sleep=1.5)))
    low = runtime.submit(workflow(probe(probe_dir)), priority=0)
    high = runtime.submit(workflow(probe(probe_dir)), priority=10)

    runtime.wait([blocker.id, low.id, high.id], timeout=60)

    first_start = {}
    for key, _, phase, at in read_log(probe_dir):
        if phase == "start":
            first_start.setdefault(int(key.split(":")[0]), at)
    assert first_start[blocker.id] < first_start[high.id] < first_start[low.id]


def test_a_workflow_s_max_concurrency_queues_its_runs_only(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    limited = workflow(probe(probe_dir, sleep=0.5), settings={"maxConcurrency": 1})
    handles = runtime.submit_many([{"workflow": limited} for _ in range(3)])
    free = runtime.submit(workflow(noop()))

    assert free.result(timeout=30).status == "success"
    assert set(runtime.wait([h.id for h in handles], timeout=60)) == {"success"}
    spans: dict[int, list[float]] = {}
    for key, _, _, at in read_log(probe_dir):
        spans.setdefault(int(key.split(":")[0]), []).append(at)
    ordered = sorted(spans.values())
    for before, after in itertools.pairwise(ordered):
        assert before[-1] <= after[0]  # never two runs of the limited workflow at once


def test_cancel_of_a_queued_run(runtimes: Runtimes, probe_dir: Path) -> None:
    runtime = runtimes.open(max_active_runs=1)
    blocker = runtime.submit(workflow(probe(probe_dir, sleep=1)))
    queued = runtime.submit(workflow(noop()))

    assert runtime.cancel(queued.id) == "queued"

    assert queued.result(timeout=30).status == "canceled"
    assert blocker.result(timeout=30).status == "success"
