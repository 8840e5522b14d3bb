"""A node task whose Ray node died is submitted again (at most ``NODE_LOST_RETRIES`` times)
instead of failing the node; a crashed worker stays the node's error. The Ray refs are
stood in for by coroutines (no cluster)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import ray.exceptions

from actors.programs import Placement
from actors.tasks import NODE_LOST_RETRIES, RayTaskRunner, TaskHandle
from n8nwork.run.events import ExecuteNode, NodeFailed

COMMAND = ExecuteNode(node="Slow", run_index=0, inputs=[], source=[])
DONE = object()  # stands for the node's own event


def node_died() -> ray.exceptions.NodeDiedError:
    return ray.exceptions.NodeDiedError("Task failed because the node it was running on is dead")


def outcomes(*results: Any) -> tuple[TaskHandle, list[int]]:
    """A handle whose first ref ends with ``results[0]``, each resubmission with the next;
    the list counts the resubmissions."""
    calls: list[int] = []

    def ref(result: Any) -> Coroutine[Any, Any, Any]:
        async def outcome() -> Any:
            if isinstance(result, BaseException):
                raise result
            return result

        return outcome()

    def resubmit() -> Coroutine[Any, Any, Any]:
        calls.append(1)
        return ref(results[len(calls)])

    return TaskHandle(ref(results[0]), 0.0, resubmit=resubmit), calls


def result(handle: TaskHandle) -> Any:
    runner = RayTaskRunner(node_modules=(), timezone="UTC")
    program: Any = None  # not used on these paths
    return asyncio.run(runner.result(handle, program, COMMAND, Placement("task")))


def test_a_task_whose_node_died_runs_again() -> None:
    handle, resubmitted = outcomes(node_died(), DONE)
    assert result(handle) is DONE
    assert len(resubmitted) == 1 and handle.nodes_lost == 1


def test_a_task_whose_nodes_keep_dying_fails_the_node_after_the_retries() -> None:
    handle, resubmitted = outcomes(*[node_died()] * (NODE_LOST_RETRIES + 1))
    event = result(handle)
    assert isinstance(event, NodeFailed)
    assert event.error["name"] == "NodeWorkerError"
    assert f"died {NODE_LOST_RETRIES + 1} times" in event.error["message"]
    assert len(resubmitted) == NODE_LOST_RETRIES


def test_a_crashed_worker_is_the_node_s_error_not_retried() -> None:
    handle, resubmitted = outcomes(ray.exceptions.WorkerCrashedError(), DONE)
    event = result(handle)
    assert isinstance(event, NodeFailed)
    assert event.error["message"] == "The worker running the node died (WorkerCrashedError)"
    assert resubmitted == []
