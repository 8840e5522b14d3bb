"""No secret leaves where it is kept, on SQLite and PostgreSQL: after runs of workflows that
use a credential (a Webhook that authenticates its callers with it; HTTP Requests with
header auth to a local server that answers 401 and echoes the request's headers back), the
secret is in no API or webhook answer (run data, node errors, credential listings, audit
log), in no row of any table of the database (credentials hold ciphertext only), and in no
log record of any logger at DEBUG (from the app's start on). The encryption key and the JWT
secret are in none of them either.

Runs go through the app's in-process runtime; the Ray-level log scan is in
``tests/integration/observability``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from n8nwork.net import NetworkPolicy, set_policy
from n8nwork.store.base import metadata
from tests.security.api.conftest import Seeded, seeded_world
from tests.unit.serve.test_webhooks_api import webhook_workflow

pytestmark = pytest.mark.integration

SECRET = "sk-live-7f3a9c1e5b2d4f60a8e9c7b1d3f5a7c9"


class Echo(BaseHTTPRequestHandler):
    """Answers 401 with every request header in the body (as a careless API would)."""

    seen: list[str]

    def _answer(self) -> None:
        self.seen.append(str(self.headers.get("authorization")))
        body = json.dumps({"error": "denied", "got": dict(self.headers)}).encode()
        self.send_response(401 if self.path.startswith("/deny") else 200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class EchoServer:
    url: str
    seen: list[str]


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    handler: Any = type("EchoHandler", (Echo,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    set_policy(NetworkPolicy.build(allowed=[f"127.0.0.1:{server.server_address[1]}"]))
    try:
        yield EchoServer(f"http://127.0.0.1:{server.server_address[1]}", handler.seen)
    finally:
        set_policy(None)
        server.shutdown()
        server.server_close()


def http_workflow(
    url: str, credential: dict[str, str], on_error: str = "stopWorkflow"
) -> dict[str, Any]:
    return {
        "name": "Uses a credential",
        "nodes": [
            {
                "id": "t",
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            {
                "id": "h",
                "name": "Call API",
                "type": "n8n-nodes-base.httpRequest",
                "typeVersion": 4.2,
                "position": [200, 0],
                "parameters": {
                    "url": url,
                    "authentication": "genericCredentialType",
                    "genericAuthType": "httpHeaderAuth",
                    "options": {},
                },
                "credentials": {"httpHeaderAuth": credential},
                "onError": on_error,
            },
        ],
        "connections": {"Start": {"main": [[{"node": "Call API", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"},
    }


class Recorder:
    """Every response body and header the test saw."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded = seeded
        self.seen: list[str] = []

    def __call__(self, method: str, url: str, actor: str = "member", **kwargs: Any) -> Any:
        r = self.seeded.world.client.request(
            method, url, headers=self.seeded.world.headers(actor), **kwargs
        )
        self.seen.append(f"{method} {url} -> {r.status_code}\n{r.text}\n{dict(r.headers)}")
        return r


def database_text(seeded: Seeded) -> str:
    """Every row of every table, as text."""
    parts = []
    with seeded.world.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(parts)


def run_with_credential(call: Recorder, echo: EchoServer) -> tuple[list[Any], dict[str, str]]:
    """Runs of three workflows using one credential: the server refuses one (401 echoing the
    headers), accepts one, and refuses one that continues on error."""
    cred = call(
        "POST",
        "/api/v1/credentials",
        json={
            "name": "Billing API",
            "type": "httpHeaderAuth",
            "data": {"name": "Authorization", "value": f"Bearer {SECRET}"},
        },
    )
    assert cred.status_code == 201, cred.text
    ref = {"id": cred.json()["id"], "name": "Billing API"}
    runs = []
    for path, on_error in (
        ("/deny", "stopWorkflow"),
        ("/ok", "stopWorkflow"),
        ("/deny", "continueRegularOutput"),
    ):
        wf = call("POST", "/api/v1/workflows", json=http_workflow(echo.url + path, ref, on_error))
        assert wf.status_code == 201, wf.text
        run = call("POST", f"/api/v1/workflows/{wf.json()['id']}/run?wait=true")
        assert run.status_code == 200, run.text
        runs.append(run.json())
    assert all(r["status"] in ("success", "error") for r in runs), runs
    return runs, ref


def webhook_run(call: Recorder, ref: dict[str, str]) -> Any:
    """A webhook that authenticates its callers with the credential (header auth), called
    with the right header and with a wrong one; the authenticated call's execution."""
    doc = webhook_workflow(
        "hygiene",
        extra_params={"authentication": "headerAuth"},
        credentials={"httpHeaderAuth": ref},
    )
    wf = call("POST", "/api/v1/workflows", json=doc)
    assert wf.status_code == 201, wf.text
    assert call("POST", f"/api/v1/workflows/{wf.json()['id']}/activate").status_code == 200
    client = call.seeded.world.client
    for value in (f"Bearer {SECRET}", f"Bearer {SECRET[:-1]}"):
        r = client.post("/webhook/hygiene", json={"x": 2}, headers={"Authorization": value})
        call.seen.append(f"webhook -> {r.status_code}\n{r.text}\n{dict(r.headers)}")
        assert r.status_code == (200 if value.endswith(SECRET) else 403), r.text
    listed = call("GET", f"/api/v1/executions?workflowId={wf.json()['id']}")
    (execution,) = listed.json()["data"]
    return execution


def test_the_node_really_sends_the_credential(echo: EchoServer, tmp_path: Path) -> None:
    with seeded_world(tmp_path, None) as seeded:
        run_with_credential(Recorder(seeded), echo)
    assert f"Bearer {SECRET}" in echo.seen


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_no_secret_in_responses_rows_or_logs(
    backend: str,
    echo: EchoServer,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, from the app's start on
    url = None if backend == "sqlite" else request.getfixturevalue("postgres_url")
    with seeded_world(tmp_path, url) as seeded:
        call = Recorder(seeded)
        runs, ref = run_with_credential(call, echo)
        assert f"Bearer {SECRET}" in echo.seen  # the nodes really sent it
        runs.append(webhook_run(call, ref))
        # Then every view of the runs, the credential and the audit log is clean
        for run in runs:
            call("GET", f"/api/v1/executions/{run['id']}?includeData=true")
            call("GET", f"/api/v1/executions/{run['id']}?includeData=true", actor="owner")
        call("GET", "/api/v1/executions")
        call("GET", "/api/v1/credentials")
        call("GET", f"/api/v1/credentials/{ref['id']}")
        call("POST", f"/api/v1/credentials/{ref['id']}/test")
        call(
            "PATCH",
            f"/api/v1/credentials/{ref['id']}",
            json={"data": {"value": f"Bearer {SECRET}x"}},
        )
        call("GET", "/api/v1/audit?limit=250", actor="owner")
        wanted = {
            "the credential's secret": SECRET,
            "encryption key": seeded.secrets["encryption key"],
            "JWT secret": seeded.secrets["JWT secret"],
        }
        stored = database_text(seeded)
        assert ref["id"] in stored and "Call API" in stored  # the scan sees the runs' rows
    logged = "\n".join(
        [caplog.text]
        + [repr(r.args) + str(r.exc_text) + repr(r.__dict__.get("extra")) for r in caplog.records]
    )
    responses = "\n".join(call.seen)
    assert "Call API" in responses and ref["id"] in responses
    assert '"**hidden**"' in responses  # the webhook's run data, header auth masked
    for what, value in wanted.items():
        assert value not in responses, f"{what} in an API response"
        assert value not in stored, f"{what} in the database"
        assert value not in logged, f"{what} in a log record"
    # The other seeded secrets (other users' credentials, keys, tokens) stay out of the
    # responses and the logs too (password hashes are rightly in the database)
    assert not seeded.leaks(responses)
    assert not seeded.leaks(logged)
