"""A real API server for the CLI's tests: the app (``serve.create_app``: temporary SQLite
store, in-process cache, in-process runtime) served by uvicorn on a free 127.0.0.1 port in
a thread of the test process, so the CLI talks real HTTP (SSE included) through the real
client. The CLI's config folder points at a temporary folder for every test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from n8nwork.cache import MemoryCache
from n8nwork.store.repo.users import create_user
from serve import create_app
from tests.unit.serve.conftest import PASSWORD, UNLIMITED, make_store

OWNER = "owner@cli.test"
MEMBER = "member@cli.test"


@dataclass
class Server:
    url: str
    owner_key: str
    member_key: str

    def owner(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-N8N-API-KEY": self.owner_key})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api_key(url: str, email: str) -> str:
    login = httpx.post(f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    made = httpx.post(
        f"{url}/api/v1/api-keys",
        json={"name": "cli tests"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings, store = make_store(tmp_path_factory.mktemp("cli-api"))
    with store.sessions() as s, s.begin():
        create_user(session=s, email=OWNER, password=PASSWORD, role="global:owner")
        create_user(session=s, email=MEMBER, password=PASSWORD)
    app = create_app(settings, store=store, cache=MemoryCache(), config=UNLIMITED)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="cli-test-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test API did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        yield Server(url, _api_key(url, OWNER), _api_key(url, MEMBER))
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
        store.close()


@pytest.fixture(autouse=True)
def _config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saved logins go to a temporary folder, never the user's."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("N8NWORK_CONFIG_DIR", raising=False)
    for name in ("N8NWORK_URL", "N8NWORK_API_KEY", "N8NWORK_PASSWORD", "N8NWORK_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    return folder / "n8nwork"
