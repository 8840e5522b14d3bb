"""Metrics, traces and logs of the deployed platform, across its processes (issue 8):

- a metric recorded in a run host and one recorded in the API replica are scraped over HTTP
  from Ray's metrics export (what ``k8s/podmonitor.yaml`` scrapes), and the replica's own
  ``GET /metrics`` answers behind its token;
- one trace per execution: the webhook request's span in the API replica (continuing the
  caller's ``traceparent``) → the execution's span in the run host → one span per node run,
  the task node's in a task worker process;
- a run that authenticates with a credential, and sends it (an HTTP Request node on a task
  worker, to a local server that echoes it back), leaves its secret in no log line of any
  process, no API response and no stored execution data.

The workflow: Webhook (header auth with a credential) → Set as a *task* node → Respond to
Webhook → HTTP Request (header auth with the same credential, a task node); the task nodes
make the run go through the run hosts and task workers.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.integration.observability.conftest import METRICS_TOKEN, ObservedApi
from tests.unit.serve.test_webhooks_api import webhook_workflow

pytestmark = pytest.mark.integration

SECRET = "obs-secret-" + "7c1d9e3a5b"  # not computed at run time: the same in every process
HEADER = "X-Api-Key"
TASK_NODES = ("Double", "Call API")
RESPONSES: list[str] = []
"""Every API response body the tests saw (checked for the secret at the end)."""


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    response = client.request(method, url, **kwargs)
    RESPONSES.append(f"{response.headers}\n{response.text}")
    return response


def _setup(observed: ObservedApi) -> dict[str, Any]:
    """Once per deployment: the credential and the active workflow."""
    cached = getattr(observed, "_setup", None)
    if cached is not None:
        return dict(cached)
    api = observed.api
    path = f"obs-{api.backend}-{secrets.token_hex(3)}"
    with api.owner as c:
        made = _call(
            c,
            "POST",
            "/api/v1/credentials",
            json={
                "name": "key",
                "type": "httpHeaderAuth",
                "data": {"name": HEADER, "value": SECRET},
            },
        )
        assert made.status_code == 201, made.text
        ref = {"id": made.json()["id"], "name": "key"}
        document = webhook_workflow(
            path,
            extra_params={"authentication": "headerAuth"},
            credentials={"httpHeaderAuth": ref},
            set_settings={"n8nwork": {"placement": "task", "numCpus": 0.1}},
        )
        document["nodes"].append(
            {
                "id": "c",
                "name": "Call API",
                "type": "n8n-nodes-base.httpRequest",
                "typeVersion": 4.2,
                "position": [600, 0],
                "parameters": {
                    "url": f"{observed.echo.url}/echo",
                    "authentication": "genericCredentialType",
                    "genericAuthType": "httpHeaderAuth",
                    "options": {},
                },
                "credentials": {"httpHeaderAuth": ref},
                "n8nwork": {"placement": "task", "numCpus": 0.1},
            }
        )
        document["connections"]["Respond"] = {
            "main": [[{"node": "Call API", "type": "main", "index": 0}]]
        }
        r = _call(c, "POST", "/api/v1/workflows/import", json=document)
        assert r.status_code in (200, 201), r.text
        wid = str(r.json()["data"][0]["id"])
        r = _call(c, "POST", f"/api/v1/workflows/{wid}/activate")
        assert r.status_code == 200, r.text
    found = {"path": path, "workflow_id": wid, "nodes": [n["name"] for n in document["nodes"]]}
    observed._setup = found  # type: ignore[attr-defined]
    return found


def _hook(observed: ObservedApi, traceparent: str | None = None, x: int = 5) -> httpx.Response:
    setup = _setup(observed)
    headers = {HEADER: SECRET}
    if traceparent:
        headers["traceparent"] = traceparent
    with observed.api.client() as c:
        r = _call(c, "POST", f"/webhook/{setup['path']}", json={"x": x}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"y": 2 * x}
    return r


# ----------------------------------------------------------------------------- traces
def _spans(directory: Path, trace_id: str) -> list[dict[str, Any]]:
    found = []
    for path in directory.glob("spans-*.jsonl"):
        for line in path.read_text().splitlines():
            if line.strip():
                span = json.loads(line)
                if span["trace_id"] == trace_id:
                    found.append(span)
    return found


def test_one_trace_from_the_request_through_the_host_to_a_task_worker(
    observed: ObservedApi,
) -> None:
    # Given a caller's trace context
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    # When it calls the webhook (the run goes through a run host and a task worker)
    _hook(observed, f"00-{trace_id}-{caller_span}-01")
    nodes = set(_setup(observed)["nodes"])
    deadline = time.monotonic() + 60
    spans: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        spans = _spans(observed.spans_dir, trace_id)
        names = [s["name"] for s in spans]
        # the execution span ends (and is written) after its last node span: wait for both
        if names.count("n8nwork.node") >= len(nodes) and "n8nwork.execution" in names:
            break
        time.sleep(0.2)
    # Then the request's span (API replica) continues the caller's trace ...
    (request,) = [s for s in spans if s["kind"] == "SERVER"]
    assert request["parent_span_id"] == caller_span and request["process"] == "api"
    # ... the execution's span (run host) is its child ...
    (execution,) = [s for s in spans if s["name"] == "n8nwork.execution"]
    assert execution["parent_span_id"] == request["span_id"]
    assert execution["process"] == "host" and execution["pid"] != request["pid"]
    assert execution["attributes"]["n8nwork.status"] == "success"
    # ... and each node run is a child of the execution, the task node's in a task worker
    node_spans = {s["attributes"]["n8nwork.node"]: s for s in spans if s["name"] == "n8nwork.node"}
    assert set(node_spans) == nodes
    assert {s["parent_span_id"] for s in node_spans.values()} == {execution["span_id"]}
    for name in TASK_NODES:
        task = node_spans[name]
        assert task["attributes"]["n8nwork.placement"] == "task" and task["process"] == "worker"
        assert task["pid"] not in (execution["pid"], request["pid"])
    inline = [s for name, s in node_spans.items() if name not in TASK_NODES]
    assert {s["pid"] for s in inline} == {execution["pid"]}


# ----------------------------------------------------------------------------- metrics
def _ray_metrics_text() -> str:
    import ray

    alive = [n for n in ray.nodes() if n.get("Alive")]
    texts = []
    for node in alive:
        port = node.get("MetricsExportPort")
        if port:
            texts.append(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
    return "\n".join(texts)


def _series(text: str, name: str, **labels: str) -> list[float]:
    """Values of the series ``name`` whose labels include ``labels``."""
    out = []
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        body, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', body))
        if all(found.get(k) == v for k, v in labels.items()):
            out.append(float(value))
    return out


def test_metrics_of_a_run_host_and_of_the_api_replica_are_scraped(observed: ObservedApi) -> None:
    setup = _setup(observed)
    _hook(observed, x=7)
    wid = setup["workflow_id"]
    # Ray's metrics export of the node: every process's metrics, with the process's kind
    deadline = time.monotonic() + 90
    host = api = worker = []
    while time.monotonic() < deadline:
        text = _ray_metrics_text()
        host = _series(
            text, "ray_n8nwork_executions_finished_total", process="host", workflow=wid,
            status="success", mode="webhook",
        )  # fmt: skip
        api = _series(
            text, "ray_n8nwork_webhook_requests_total", process="api",
            route="/webhook/{path}", method="POST", status="200",
        )  # fmt: skip
        worker = _series(
            text, "ray_n8nwork_node_duration_seconds_count", process="worker",
            node_type="n8n-nodes-base.set", placement="task",
        )  # fmt: skip
        if host and api and worker:
            break
        time.sleep(1.0)
    assert host and sum(host) >= 1, "no executions_finished from a run host in Ray's export"
    assert api and sum(api) >= 1, "no webhook_requests from the API replica in Ray's export"
    assert worker and sum(worker) >= 1, "no node duration from a task worker in Ray's export"
    # The replica's own /metrics: behind the token
    with observed.api.client() as c:
        assert _call(c, "GET", "/metrics").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert _call(c, "GET", "/metrics", headers=wrong).status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert _series(r.text, "n8nwork_webhook_requests_total", route="/webhook/{path}")
    assert _series(r.text, "n8nwork_http_requests_total", route="/api/v1/workflows/import")
    assert "/webhook/obs-" not in r.text  # route templates, never raw paths


# ----------------------------------------------------------------------------- secrets
def _stored_texts(observed: ObservedApi) -> list[str]:
    """Every row of every table of the deployment's database, as text, plus each execution's
    state and node runs as the store resolves them (payloads decoded)."""
    from n8nwork.store import open_store
    from n8nwork.store.repo.executions import iter_node_runs, load_run_state

    store = open_store(observed.api.settings, migrate=False)
    texts: list[str] = []
    try:
        with store.engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).fetchall()
                texts.extend(repr(tuple(row)) for row in rows)
        with store.sessions() as session:
            ids = session.execute(sa.text("SELECT id FROM executions")).scalars().all()
            for execution_id in ids:
                state = load_run_state(session=session, execution_id=execution_id)
                texts.append(json.dumps(state.to_json(), default=str))
                runs = iter_node_runs(session=session, execution_id=execution_id)
                texts.extend(json.dumps(run.to_json(), default=str) for _, _, run in runs)
    finally:
        store.close()
    return texts


def _log_files() -> list[Path]:
    import ray._private.worker as ray_worker

    node = ray_worker._global_node
    assert node is not None, "this test process is not connected to the cluster"
    return [p for p in Path(node.get_logs_dir_path()).rglob("*") if p.is_file()]


def _finished(observed: ObservedApi, workflow_id: str) -> None:
    """Wait until every execution of the workflow has finished."""
    deadline = time.monotonic() + 60
    while True:
        with observed.api.owner as c:
            r = c.get(f"/api/v1/executions?workflowId={workflow_id}")
        runs = r.json()["data"]
        if runs and all(e["status"] in ("success", "error", "canceled", "crashed") for e in runs):
            return
        assert time.monotonic() < deadline, f"executions still running: {runs}"
        time.sleep(0.2)


def test_no_secret_in_logs_responses_or_stored_execution_data(observed: ObservedApi) -> None:
    setup = _setup(observed)
    _hook(observed, x=3)
    wid = setup["workflow_id"]
    _finished(observed, wid)
    assert SECRET in observed.echo.seen  # the HTTP Request node really sent the credential
    with observed.api.owner as c:
        listed = _call(c, "GET", f"/api/v1/executions?workflowId={wid}")
        assert listed.status_code == 200 and listed.json()["data"]
        for execution in listed.json()["data"]:
            detail = _call(c, "GET", f"/api/v1/executions/{execution['id']}?includeData=true")
            assert detail.status_code == 200
            assert '"**hidden**"' in detail.text  # the header the caller authenticated with
        _call(c, "GET", "/api/v1/credentials")
        _call(c, "GET", "/api/v1/audit")
    stored = _stored_texts(observed)
    assert any("**hidden**" in t for t in stored), "the execution data was not found"
    leaks = [t[:200] for t in stored if SECRET in t]
    assert not leaks, f"the secret is stored in execution data: {leaks}"
    assert not [r[:200] for r in RESPONSES if SECRET in r], "an API response has the secret"
    time.sleep(1.5)  # Ray flushes worker output to its log files about every second
    files = _log_files()
    assert any(f.name.startswith("worker-") for f in files)
    leaked = [str(f) for f in files if SECRET.encode() in f.read_bytes()]
    assert not leaked, f"the secret is in log files: {leaked}"
