"""The examples in ``examples/``, run end to end against the real platform (Ray Serve API,
run hosts, node tasks on Ray; PostgreSQL + Redis and the embedded store, see ``conftest``):

- ``etl_notebook.ipynb``, executed with nbclient: HTTP Request -> Python Code -> aggregate;
  its source is ``examples/data`` served by a local HTTP server started here (127.0.0.1);
- ``webhook_automation.py``: a builder-made workflow answering its webhook;
- ``fanout_job.py``: parallel runs whose task nodes ask for CPU and memory; Ray's own task
  records (name ``n8nwork-node:<node>``) show what each task was given.

The notebook and the scripts get the API's URL and a fresh API key in ``N8NWORK_URL`` /
``N8NWORK_API_KEY``, as a user would give them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module", autouse=True)
def source() -> Iterator[str]:
    """``examples/data`` over HTTP on 127.0.0.1, opened to nodes by the SSRF guard's allow
    list (set before the platform's settings and processes are made: autouse, module)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(EXAMPLES / "data"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("N8NWORK_SECURITY__ALLOWED_HOSTS", f"127.0.0.1:{port}")
        try:
            yield f"http://127.0.0.1:{port}/orders.json"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def api_key(api: Api) -> str:
    with api.owner as http_client:
        made = http_client.post("/api/v1/api-keys", json={"name": f"examples {api.backend}"})
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def example_env(api: Api, key: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "N8NWORK_URL": api.url,
        "N8NWORK_API_KEY": key,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "JUPYTER_PLATFORM_DIRS": "1",
        **extra,
    }


def run_script(name: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def expected_totals() -> dict[str, float]:
    orders = json.loads((EXAMPLES / "data" / "orders.json").read_text())
    totals: dict[str, float] = {}
    for order in orders:
        if order["status"] == "paid":
            country = order["country"].strip().upper()
            total = round(order["qty"] * float(order["unitPrice"]), 2)
            totals[country] = totals.get(country, 0) + total
    return totals


def test_etl_notebook(api: Api, api_key: str, source: str, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(EXAMPLES / "etl_notebook.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=example_env(api, api_key, ETL_SOURCE_URL=source))
    last = notebook.cells[-1]
    text = "".join(o.get("text", "") for o in last.outputs if o.get("output_type") == "stream")
    summary = json.loads(text.strip().splitlines()[-1])
    assert summary["totals"] == pytest.approx(expected_totals())
    # the run, as the platform stored it: every node succeeded, the code ran on real items
    with api.owner as http_client:
        r = http_client.get(f"/api/v1/executions/{summary['executionId']}")
    execution = r.json()
    assert execution["status"] == "success"
    run_data = execution["data"]["resultData"]["runData"]
    assert list(run_data) >= ["Start", "Fetch orders", "Clean"]
    fetched = run_data["Fetch orders"][0]["data"]["main"][0]
    assert len(fetched) == len(json.loads((EXAMPLES / "data" / "orders.json").read_text()))


def test_webhook_automation(api: Api, api_key: str) -> None:
    summary = run_script("webhook_automation.py", example_env(api, api_key))
    decisions = {a["order"]: (a["decision"], a["total"]) for a in summary["answers"]}
    assert decisions == {1: ("approved", 40), 2: ("review", 250), 3: ("approved", 99.5)}
    with api.owner as http_client:
        runs = http_client.get(
            "/api/v1/executions", params={"workflowId": summary["workflowId"]}
        ).json()["data"]
        wf = http_client.get(f"/api/v1/workflows/{summary['workflowId']}").json()
    assert len(runs) == 3 and {r["mode"] for r in runs} == {"webhook"}
    assert {r["status"] for r in runs} == {"success"}
    assert wf["active"] is False  # the script cleans up after itself


def _ray_tasks(prefix: str) -> list[Any]:
    from ray._private import state

    return [
        e.task_info
        for e in state.state._get_all_task_events()
        if e.task_info.name.startswith(prefix)
    ]


def test_fanout_job_tasks_get_their_resources(api: Api, api_key: str) -> None:
    started = time.time()
    summary = run_script("fanout_job.py", example_env(api, api_key))
    numbers = range(1, 25)
    assert summary["statuses"] == ["success"] and summary["numbers"] == 24
    assert summary["sumOfSquares"] == sum(x**2 for x in numbers)
    assert summary["sumOfCubes"] == sum(x**3 for x in numbers)
    assert len(summary["executions"]) == 4
    # Ray's records of the node tasks (one per run and node): what each one was given
    wanted = {
        "n8nwork-node:Square": {"CPU": 0.5, "memory": 64 * 2**20},
        "n8nwork-node:Cube": {"CPU": 0.25, "memory": 32 * 2**20},
    }
    deadline = time.monotonic() + 60
    while True:
        tasks = _ray_tasks("n8nwork-node:")
        by_name: dict[str, list[dict[str, float]]] = {}
        for info in tasks:
            by_name.setdefault(info.name, []).append(dict(info.required_resources))
        if all(len(by_name.get(name, [])) >= 4 for name in wanted):
            break
        assert time.monotonic() < deadline, f"Ray reported {by_name} since {started}"
        time.sleep(0.5)
    for name, resources in wanted.items():
        assert by_name[name] and all(r == resources for r in by_name[name]), (name, by_name)
