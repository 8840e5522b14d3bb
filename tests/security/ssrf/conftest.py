"""Local HTTP servers for the SSRF tests (127.0.0.1 and the loopback alias 127.0.0.2), each
counting the requests it received, and ``fetch`` / ``respond`` that run the HTTP Request and
Respond to Webhook nodes inside a real in-process workflow run."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from n8nwork.net import NetworkPolicy, set_policy
from n8nwork.run.state import RunState
from n8nwork.workflow import Workflow
from nodes.sdk.runner import run_workflow


@dataclass
class Server:
    """A local server: ``hits`` lists the paths asked for; ``/to?u=URL`` redirects to URL."""

    host: str
    port: int
    hits: list[str] = field(default_factory=list)

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def _serve(host: str) -> Iterator[Server]:
    state: dict[str, Server] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            state["server"].hits.append(self.path)
            if self.path.startswith("/to?u="):
                self.send_response(302)
                self.send_header("Location", self.path[len("/to?u=") :])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"reached": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    try:
        server = ThreadingHTTPServer((host, 0), Handler)
    except OSError as exc:  # pragma: no cover - a host without the loopback alias
        pytest.skip(f"cannot listen on {host}: {exc}")
    state["server"] = Server(host, server.server_port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def target() -> Iterator[Server]:
    """The server on 127.0.0.1 that a refused request must never reach."""
    yield from _serve("127.0.0.1")


@pytest.fixture
def redirector() -> Iterator[Server]:
    """A second server, on 127.0.0.2, that tests allow-list and use to redirect."""
    yield from _serve("127.0.0.2")


@pytest.fixture(autouse=True)
def default_policy() -> Iterator[None]:
    """Every test starts from the product default (deny non-public) and leaves it so."""
    set_policy(NetworkPolicy())
    yield
    set_policy(None)


@pytest.fixture
def resolver_hook(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names under ``.test`` resolve to what the test puts in the returned mapping (a DNS
    server under the attacker's control); ``calls`` counts the look-ups."""
    names: dict[str, list[str]] = {"calls": []}
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            names["calls"].append(host)
            answers = names.get(host) or []
            if not answers:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            out = []
            for ip in answers:
                family = socket.AF_INET6 if ":" in ip else socket.AF_INET
                addr = (ip, int(port or 0), 0, 0) if ":" in ip else (ip, int(port or 0))
                out.append((family, socket.SOCK_STREAM, 6, "", addr))
            return out
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return names


def run_nodes(*nodes: dict[str, Any]) -> RunState:
    """Run Manual Trigger -> nodes... in this process (the run core, the node code, httpx)."""
    chain = [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1},
        *nodes,
    ]
    raw_nodes = [
        {"parameters": {}, "position": [i * 200, 0], **node} for i, node in enumerate(chain)
    ]
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(chain)
    }
    workflow = Workflow.from_json(
        {"name": "ssrf", "nodes": raw_nodes, "connections": connections, "settings": {}}
    )
    return run_workflow(workflow)


def fetch(url: str, **options: Any) -> RunState:
    """One GET with the HTTP Request node (v4.2)."""
    node = {
        "name": "HTTP",
        "type": "n8n-nodes-base.httpRequest",
        "typeVersion": 4.2,
        "parameters": {"url": url, "options": options},
    }
    return run_nodes(node)


def failure(state: RunState) -> str:
    """The message of the run's error (the run must have failed)."""
    assert state.status == "error", state.status
    assert state.error is not None
    return str(state.error.get("message"))
