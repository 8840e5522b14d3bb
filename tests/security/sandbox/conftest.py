"""The world an escape attempt must not touch, and how attempts are run.

Runs go through the real node execution path in this process: ``run_workflow`` (the run state
machine, ``LocalExecutor``, the node types) with a Manual Trigger feeding a Code node (Python:
a forked, locked-down sandbox child; JavaScript: the QuickJS isolate) or a Set node holding an
expression. Limits are small so the suite stays quick: the Python sandbox gets 1 CPU second,
128 MB, 4 s of wall clock and 1 MB of output; the isolate 32 MB, 0.5 s per expression and 2 s
per Code run. Runs happen on one worker thread (its own engine, like a task worker); a second
thread runs the bystander workflows that must stay undisturbed.

``World`` holds the things to protect, readable by anyone outside the sandbox on purpose (so
that only the sandbox can be what stops a read): a data directory with the encryption key
file and a database file, a secret in this process's environment, a marker path in a
world-writable directory, and a listening socket that counts the connections it accepts.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import shutil
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from n8nwork.expressions import get_engine
from n8nwork.run.state import RunState
from n8nwork.sandbox import SandboxLimits, shutdown
from n8nwork.settings import KEY_FILE, Settings
from n8nwork.workflow import Workflow
from nodes.builtin.code import Code
from nodes.sdk.runner import run_workflow

MB = 1024 * 1024
SMALL = SandboxLimits(cpu_seconds=1, memory_mb=128, wall_seconds=4, max_output_mb=1)
SECRET_ENV = "N8NWORK_ESCAPE_SECRET"


@dataclass
class World:
    data_dir: Path
    key_file: Path
    db_file: Path
    marker: Path
    secret: str
    listen_port: int
    accepted: list[Any] = field(default_factory=list)
    key_text: str = ""

    def tokens(self) -> dict[str, str]:
        """What attempt code may name: ``{NAME}`` placeholders."""
        return {
            "DATA": str(self.data_dir),
            "KEY": str(self.key_file),
            "DB": str(self.db_file),
            "MARKER": str(self.marker),
            "PORT": str(self.listen_port),
            "HOST_PID": str(os.getpid()),
            "SECRET_ENV": SECRET_ENV,
        }

    def fill(self, code: str) -> str:
        for name, value in self.tokens().items():
            code = code.replace("{" + name + "}", value)
        return code

    def assert_untouched(self, state: RunState | None = None) -> None:
        """Nothing was written, connected or leaked."""
        assert not self.marker.exists(), "the sandbox wrote a file"
        assert not os.path.lexists(self.marker), "the sandbox created a file"
        assert self.accepted == [], "the sandbox opened a connection"
        assert self.key_file.read_text(encoding="utf-8") == self.key_text
        if state is not None:
            dumped = json.dumps(state.to_json(), default=str)
            assert self.secret not in dumped, "a secret reached the run's data"
            assert self.key_text.strip() not in dumped, "the key file reached the run's data"
            assert "root:x:0:0" not in dumped, "/etc/passwd reached the run's data"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("escape")
    base.chmod(0o755)
    data_dir = base / "data"
    data_dir.mkdir(mode=0o755)
    assert Settings(data_dir=data_dir).key_ring.primary_id  # writes the key file
    key_file = data_dir / KEY_FILE
    key_file.chmod(0o644)  # readable by the sandbox's user: only the sandbox may stop it
    db_file = data_dir / "n8nwork.db"
    db_file.write_text("credentials: encrypted-blob", encoding="utf-8")
    db_file.chmod(0o644)
    writable = base / "writable"
    writable.mkdir()
    writable.chmod(0o777)  # writable by anyone: only the sandbox may stop a write
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    secret = "s3cr3t-" + secrets.token_hex(8)
    state = World(
        data_dir=data_dir,
        key_file=key_file,
        db_file=db_file,
        marker=writable / "escaped",
        secret=secret,
        listen_port=listener.getsockname()[1],
        key_text=key_file.read_text(encoding="utf-8"),
    )
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = listener.accept()
            except OSError:
                continue
            state.accepted.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    old = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = secret
    shutdown()  # the next zygote starts while the secret is in this process's environment
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        if old is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = old
        shutil.rmtree(base, ignore_errors=True)


def _small_engine() -> None:
    engine = get_engine()  # this thread's engine, before its isolate is built
    engine.memory_limit = 32 * MB
    engine.time_limit = 0.5
    engine.code_time_limit = 2.0


@pytest.fixture(scope="session")
def small_limits() -> Iterator[None]:
    saved = Code.limits
    Code.limits = SMALL
    try:
        yield
    finally:
        Code.limits = saved


class Runner:
    """Runs workflows on one thread with a small-limit engine."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, initializer=_small_engine)

    def run(self, workflow: Workflow, **kwargs: Any) -> RunState:
        return self.pool.submit(run_workflow, workflow, **kwargs).result(timeout=120)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def runner(small_limits: None, world: World) -> Iterator[Runner]:
    r = Runner()
    yield r
    r.close()


@pytest.fixture(scope="session")
def bystander(small_limits: None) -> Iterator[Runner]:
    """A second thread, for the runs that must not be disturbed."""
    r = Runner()
    yield r
    r.close()


def chain(*nodes: dict[str, Any], name: str = "escape") -> Workflow:
    """Manual Trigger -> nodes, one after the other."""
    all_nodes = [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1},
        *nodes,
    ]
    raw = [{"parameters": {}, "position": [i * 200, 0], **n} for i, n in enumerate(all_nodes)]
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(all_nodes)
    }
    return Workflow.from_json({"name": name, "nodes": raw, "connections": connections})


def code_node(language: str, code: str, name: str = "Code") -> dict[str, Any]:
    key = "jsCode" if language == "javaScript" else "pythonCode"
    return {
        "name": name,
        "type": "n8n-nodes-base.code",
        "typeVersion": 2,
        "parameters": {"language": language, key: code},
    }


def set_node(expression: str, name: str = "Set") -> dict[str, Any]:
    return {
        "name": name,
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "parameters": {
            "assignments": {
                "assignments": [{"id": "a", "name": "v", "type": "string", "value": expression}]
            }
        },
    }


def error_of(state: RunState) -> dict[str, Any]:
    assert state.status == "error", f"the attempt did not fail: {state.status}"
    assert state.error is not None
    return state.error


def output_of(state: RunState, node: str) -> list[dict[str, Any]]:
    assert state.status == "success", state.error
    return [item["json"] for item in state.run_data[node][-1].output(0)]
