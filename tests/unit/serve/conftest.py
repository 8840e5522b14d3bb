"""The API app in this process (no Ray): a temporary SQLite store, the in-process cache and
the in-process runtime, driven through Starlette's test client (real HTTP semantics, ASGI
transport). ``World`` holds users of every role, two team projects and their resources."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from fastapi import FastAPI

from n8nwork.cache import MemoryCache
from n8nwork.settings import Settings
from n8nwork.store import Store, open_store, session_factory
from n8nwork.store.repo.credentials import create_credential
from n8nwork.store.repo.executions import create_execution, set_execution_status
from n8nwork.store.repo.projects import create_project, set_member_role
from n8nwork.store.repo.users import create_user
from n8nwork.store.repo.workflows import create_workflow
from serve import ApiConfig, create_app

PASSWORD = "correct horse battery"
UNLIMITED = ApiConfig(ip_limit=None, principal_limit=None, login_limit=None)
_seq = itertools.count(1)


def workflow_doc(name: str = "Three nodes") -> dict[str, Any]:
    """A manual trigger and two Set nodes."""

    def set_node(node_id: str, name: str, x: int, value: str) -> dict[str, Any]:
        return {
            "id": node_id,
            "name": name,
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [x, 0],
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"id": node_id, "name": name.lower(), "value": value, "type": "string"}
                    ]
                },
                "includeOtherFields": True,
                "options": {},
            },
        }

    return {
        "name": name,
        "nodes": [
            {
                "id": "t",
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            set_node("a", "A", 200, "={{ $json.n ?? 0 }}"),
            set_node("b", "B", 400, "done"),
        ],
        "connections": {
            "Start": {"main": [[{"node": "A", "type": "main", "index": 0}]]},
            "A": {"main": [[{"node": "B", "type": "main", "index": 0}]]},
        },
        "settings": {"executionOrder": "v1"},
    }


class ApiClient:
    """A synchronous HTTP client for an ASGI app, over ``httpx.ASGITransport``, with the
    app's lifespan run on a private event loop thread (as a server would)."""

    def __init__(self, app: FastAPI, client_ip: str = "127.0.0.1") -> None:
        self.app = app
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        self._ip = client_ip
        self._portal.call(self._start)

    async def _start(self) -> None:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.app, client=(self._ip, 50000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def _stop(self) -> None:
        await self._client.aclose()
        await self._lifespan.__aexit__(None, None, None)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run ``await fn(*args)`` on the app's event loop."""
        return self._portal.call(fn, *args)

    def close(self) -> None:
        try:
            self._portal.call(self._stop)
        finally:
            self._portal_cm.__exit__(None, None, None)


@dataclass
class World:
    """Users of every role, project P (members have roles in it), project Q (they have
    none), and helpers that make fresh resources directly in the store."""

    client: ApiClient
    store: Store
    users: dict[str, str] = field(default_factory=dict)  # actor -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # actor -> access token
    p: str = ""
    q: str = ""

    def sessions(self) -> Any:
        """A session that takes SQLite's write lock at BEGIN (the app's runs write too)."""
        return session_factory(self.store.engine.execution_options(sqlite_begin="IMMEDIATE"))()

    def headers(self, actor: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[actor]}"} if actor else {}

    def login(self, email: str, password: str = PASSWORD) -> str:
        r = self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return str(r.json()["accessToken"])

    # ---- fresh resources, made in the store (fast, no HTTP)
    def project(self, with_members: bool = True) -> str:
        with self.sessions() as s, s.begin():
            pid = create_project(session=s, name=f"Fresh {next(_seq)}").id
            if with_members:
                for actor, role in (
                    ("padmin", "admin"),
                    ("editor", "editor"),
                    ("viewer", "viewer"),
                ):
                    set_member_role(
                        session=s, project_id=pid, user_id=self.users[actor], role=f"project:{role}"
                    )
        return pid

    def user(self) -> str:
        with self.sessions() as s, s.begin():
            return create_user(session=s, email=f"fresh{next(_seq)}@example.com").id

    def workflow(self, project: str) -> str:
        with self.sessions() as s, s.begin():
            row, _ = create_workflow(session=s, project_id=project, document=workflow_doc())
            return row.id

    def execution(self, project: str, status: str = "success") -> int:
        wid = self.workflow(project)
        with self.sessions() as s, s.begin():
            eid = create_execution(session=s, workflow_id=wid, workflow_version=1).id
            assert eid is not None
            if status != "new":
                set_execution_status(session=s, execution_id=eid, status=status)
            return eid

    def credential(self, project: str) -> str:
        with self.sessions() as s, s.begin():
            return create_credential(
                session=s,
                key_ring=self.store.key_ring,
                project_id=project,
                name=f"Basic {next(_seq)}",
                type="httpBasicAuth",
                data={"user": "alice", "password": "s3cret-value"},
            ).id


def make_store(tmp: Path) -> tuple[Settings, Store]:
    settings = Settings(data_dir=tmp)
    return settings, open_store(settings)


def build_world(tmp: Path, config: ApiConfig = UNLIMITED) -> Iterator[World]:
    settings, store = make_store(tmp)
    emails = {
        "owner": ("owner@example.com", "global:owner"),
        "admin": ("admin@example.com", "global:admin"),
        "padmin": ("padmin@example.com", "global:member"),
        "editor": ("editor@example.com", "global:member"),
        "viewer": ("viewer@example.com", "global:member"),
    }
    world_users = {}
    with store.sessions() as s, s.begin():
        for actor, (email, role) in emails.items():
            world_users[actor] = create_user(
                session=s, email=email, password=PASSWORD, role=role
            ).id
    app = create_app(settings, store=store, cache=MemoryCache(), config=config)
    client = ApiClient(app)
    try:
        world = World(client=client, store=store, users=world_users)
        world.p = world.project()
        world.q = world.project(with_members=False)
        for actor, (email, _role) in emails.items():
            world.tokens[actor] = world.login(email)
        yield world
    finally:
        client.close()
        store.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("api"))
