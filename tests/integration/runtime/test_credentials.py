"""Stored credentials on the Ray runtime: an HTTP Request node with an ``httpHeaderAuth``
credential sends it from a run host (inline) and from a task worker (which has no store: the
host resolves the credential and sends it with the task); the secret is in no run data, node
error or row of the database; a credential of another project is refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from actors.client import Runtime
from n8nwork.settings import SecuritySettings
from n8nwork.store.base import metadata
from n8nwork.store.repo.credentials import create_credential
from n8nwork.store.repo.workflows import create_workflow
from n8nwork.store.tables.identity import Project
from tests.integration.runtime.conftest import Runtimes, workflow

SECRET = "sk-ray-4b1e9d7c2a5f8e3b6d0c9a7f1e2d3c4b"
PROJECT, OTHER = "credential-tests", "credential-tests-other"


class _Echo(BaseHTTPRequestHandler):
    """Answers with every request header in the body; 401 under ``/deny``."""

    seen: list[tuple[str, str]]

    def do_GET(self) -> None:
        self.seen.append((self.path, str(self.headers.get("authorization"))))
        body = json.dumps({"got": dict(self.headers)}).encode()
        self.send_response(401 if self.path.startswith("/deny") else 200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Echo:
    url: str
    port: int
    seen: list[tuple[str, str]]


@pytest.fixture
def echo() -> Iterator[Echo]:
    handler: Any = type("Handler", (_Echo,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield Echo(f"http://127.0.0.1:{port}", port, handler.seen)
    finally:
        server.shutdown()
        server.server_close()


def http(url: str, ref: dict[str, str], placement: str) -> dict[str, Any]:
    settings: dict[str, Any] = {"placement": placement}
    if placement == "task":
        settings["numCpus"] = 0.5
    return {
        "type": "n8n-nodes-base.httpRequest",
        "typeVersion": 4.2,
        "parameters": {
            "url": url,
            "authentication": "genericCredentialType",
            "genericAuthType": "httpHeaderAuth",
            "options": {},
        },
        "credentials": {"httpHeaderAuth": ref},
        "n8nwork": settings,
    }


def seed(runtime: Runtime) -> tuple[dict[str, str], dict[str, str]]:
    """A credential in the workflows' project and one in another project."""
    refs = []
    with runtime.store.sessions() as session, session.begin():
        for project in (PROJECT, OTHER):
            session.add(Project(id=project, name=project, type="team"))
            session.flush()
            row = create_credential(
                session=session,
                key_ring=runtime.store.key_ring,
                project_id=project,
                name=f"API of {project}",
                type="httpHeaderAuth",
                data={"name": "Authorization", "value": f"Bearer {SECRET}"},
            )
            refs.append({"id": row.id, "name": row.name})
    return refs[0], refs[1]


def save(runtime: Runtime, document: dict[str, Any]) -> str:
    with runtime.store.sessions() as session, session.begin():
        row, _ = create_workflow(session=session, project_id=PROJECT, document=document)
        return row.id


def database_text(runtime: Runtime) -> str:
    parts = []
    with runtime.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(parts)


@pytest.fixture
def runtime(runtimes: Runtimes, echo: Echo) -> Runtime:
    settings = runtimes.settings(runtimes.make_database("postgresql"))
    allowed = SecuritySettings(allowed_hosts=(f"127.0.0.1:{echo.port}",))
    return runtimes.open(settings=settings.model_copy(update={"security": allowed}))


def test_a_node_sends_its_credential_inline_and_as_a_task(runtime: Runtime, echo: Echo) -> None:
    # Given a workflow calling the server from the host and then from a task worker
    ref, _other = seed(runtime)
    doc = workflow(
        http(f"{echo.url}/inline", ref, "inline"),
        http(f"{echo.url}/task", ref, "task"),
        http(f"{echo.url}/deny", ref, "task"),
    )
    doc["nodes"][3]["onError"] = "continueRegularOutput"
    wid = save(runtime, doc)

    result = runtime.submit(None, workflow_id=wid).result(timeout=120)

    # Then both calls carried the header, and the run holds no trace of the secret
    assert result.status == "success", result.error
    assert ("/inline", f"Bearer {SECRET}") in echo.seen
    assert ("/task", f"Bearer {SECRET}") in echo.seen
    assert ("/deny", f"Bearer {SECRET}") in echo.seen
    recorded = json.dumps(result.to_json()) + json.dumps(result.run_data)
    assert "**hidden**" in recorded  # the echoed header, scrubbed from outputs and errors
    assert SECRET not in recorded
    assert SECRET not in database_text(runtime)


def test_a_credential_of_another_project_is_refused(runtime: Runtime, echo: Echo) -> None:
    _ref, other = seed(runtime)
    for placement in ("inline", "task"):
        wid = save(runtime, workflow(http(f"{echo.url}/{placement}", other, placement)))

        result = runtime.submit(None, workflow_id=wid).result(timeout=120)

        assert result.status == "error"
        assert result.error is not None
        assert "is not usable by this workflow" in result.error["message"], result.error
        assert "httpHeaderAuth" in result.error["message"]
    assert echo.seen == []
