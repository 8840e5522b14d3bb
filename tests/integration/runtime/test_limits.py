"""Node placement and limits: resources, timeouts, the Python sandbox's limits. A node that
exceeds a limit fails with an error naming the limit; its host and the other runs go on."""

from __future__ import annotations

import time
from pathlib import Path

from actors.client import Runtime
from tests.integration.runtime.conftest import noop, probe, workflow


def python_code(code: str, **extra: object) -> dict[str, object]:
    return {
        "type": "n8n-nodes-base.code",
        "typeVersion": 2,
        "parameters": {"language": "python", "pythonCode": code},
        **extra,
    }


def test_a_task_node_over_its_timeout_fails_naming_the_limit(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    slow = runtime.submit(
        workflow(probe(probe_dir, sleep=30, n8nwork={"placement": "task", "timeout": 1}))
    )
    others = runtime.submit_many([{"workflow": workflow(noop())} for _ in range(5)])

    started = time.monotonic()
    result = slow.result(timeout=60)

    assert time.monotonic() - started < 20
    assert result.status == "error"
    assert "timeout of 1 s" in result.error["message"]
    assert "n8nwork.timeout" in result.error["message"]
    assert result.run_data["N1"][0]["error"]["context"]["limit"] == "timeout"
    assert set(runtime.wait([h.id for h in others], timeout=60)) == {"success"}
    assert runtime.submit(workflow(noop())).result(timeout=60).status == "success"


def test_python_code_over_its_cpu_limit_fails_naming_the_limit(shared_runtime: Runtime) -> None:
    runtime = shared_runtime
    burner = runtime.submit(workflow(python_code("while True:\n    pass\nreturn _items")))
    fine = runtime.submit(workflow(python_code("return [{'json': {'ok': True}}]")))

    result = burner.result(timeout=90)

    assert result.status == "error"
    assert "CPU time limit" in result.error["message"]
    assert fine.result(timeout=60).output[0]["json"] == {"ok": True}


def test_python_code_over_its_memory_limit_fails_naming_the_limit(shared_runtime: Runtime) -> None:
    runtime = shared_runtime
    hog = runtime.submit(workflow(python_code("x = bytearray(2 * 1024 ** 3)\nreturn _items")))

    result = hog.result(timeout=90)

    assert result.status == "error"
    assert "memory" in result.error["message"].lower()


def test_a_request_no_node_can_satisfy_fails_at_once(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    handle = runtime.submit(
        workflow(probe(probe_dir, n8nwork={"placement": "task", "numCpus": 64}))
    )

    result = handle.result(timeout=30)

    assert result.status == "error"
    assert "n8nwork.numCpus" in result.error["message"]


def test_invalid_node_settings_fail_the_node_naming_the_setting(
    shared_runtime: Runtime, probe_dir: Path
) -> None:
    runtime = shared_runtime
    handle = runtime.submit(workflow(probe(probe_dir, n8nwork={"placement": "gpu-farm"})))

    result = handle.result(timeout=30)

    assert result.status == "error"
    assert "n8nwork.placement" in result.error["message"]
