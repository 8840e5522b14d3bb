"""The client against the real API app in this process (no Ray, no sockets).

The app (``serve.create_app`` with its in-process runtime) runs on one event loop thread,
started by ``tests.unit.serve.conftest.ApiClient`` with the app's lifespan, exactly as the
serve tests run it. Both clients reach it over ``httpx.ASGITransport`` on that loop:

- ``AsyncClient``: its coroutines run on the app's loop (``World.client.run``);
- ``Client`` (blocking): ``PortalTransport`` hands each request to the app's loop and
  waits for the answer.

ASGITransport gives an answer when the app has finished it, so an event stream arrives whole
when the run ended (live streaming over real HTTP is tested in
``tests/e2e/test_client_e2e.py``). Both transports count the requests they pass on
(``sent``), which is how the retry tests see what went over the wire.

``world`` runs on SQLite and on PostgreSQL (a fresh database; unreachable: skipped locally,
a failure in CI); ``limited_world`` (SQLite) has a small per-user rate limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr

from n8nwork.cache import MemoryCache
from n8nwork.client import AsyncClient, Client
from n8nwork.settings import DatabaseSettings, Settings
from n8nwork.store import Store, open_store
from n8nwork.store.repo.users import create_user
from serve import ApiConfig, create_app
from serve.config import RateLimit
from tests.conftest import temporary_postgres_database
from tests.unit.serve.conftest import PASSWORD, UNLIMITED, ApiClient, World

T = TypeVar("T")
BASE = "http://testserver"
LIMITED = ApiConfig(ip_limit=None, principal_limit=RateLimit(1.0, 3.0), login_limit=None)
EMAILS = {
    "owner": ("owner@example.com", "global:owner"),
    "admin": ("admin@example.com", "global:admin"),
    "padmin": ("padmin@example.com", "global:member"),
    "editor": ("editor@example.com", "global:member"),
    "viewer": ("viewer@example.com", "global:member"),
}


class PortalTransport(httpx.BaseTransport):
    """A blocking httpx transport that answers through the app on its own event loop."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.asgi = httpx.ASGITransport(app=api.app, client=("127.0.0.1", 50000))
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        body = request.read()

        async def answer() -> tuple[int, httpx.Headers, bytes]:
            forwarded = httpx.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=body,
                extensions=request.extensions,
            )
            response = await self.asgi.handle_async_request(forwarded)
            return response.status_code, response.headers, await response.aread()

        status, headers, content = self.api.run(answer)
        return httpx.Response(status, headers=headers, content=content, request=request)


class CountingAsyncTransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` to the app, counting what it passes on."""

    def __init__(self, app: Any) -> None:
        self.asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.asgi.handle_async_request(request)


class ClientWorld(World):
    """``World`` with clients of the real app."""

    def transport(self) -> PortalTransport:
        return PortalTransport(self.client)

    def sync(self, actor: str | None = "owner", **kwargs: Any) -> Client:
        """A blocking client logged in as ``actor`` (its access token) unless credentials
        are given; ``transport`` defaults to a fresh ``PortalTransport``."""
        if actor is not None and not {"api_key", "email", "token"} & set(kwargs):
            kwargs["token"] = self.tokens[actor]
        kwargs.setdefault("transport", self.transport())
        kwargs.setdefault("progress", False)
        return Client(BASE, **kwargs)

    def run_async(
        self, fn: Callable[[AsyncClient], Awaitable[T]], actor: str = "owner", **kwargs: Any
    ) -> T:
        """``await fn(client)`` with an ``AsyncClient`` on the app's loop."""

        async def go() -> T:
            kwargs.setdefault("transport", CountingAsyncTransport(self.client.app))
            if not {"api_key", "email", "token"} & set(kwargs):
                kwargs["token"] = self.tokens[actor]
            kwargs.setdefault("progress", False)
            async with AsyncClient(BASE, **kwargs) as client:
                return await fn(client)

        result: T = self.client.run(go)
        return result


def build_client_world(settings: Settings, config: ApiConfig) -> Iterator[ClientWorld]:
    """The serve tests' world (users of every role, projects P and Q) on ``settings``."""
    store: Store = open_store(settings, migrate=True)
    users = {}
    with store.sessions() as s, s.begin():
        for actor, (email, role) in EMAILS.items():
            users[actor] = create_user(session=s, email=email, password=PASSWORD, role=role).id
    api = ApiClient(create_app(settings, store=store, cache=MemoryCache(), config=config))
    try:
        world = ClientWorld(client=api, store=store, users=users)
        world.p = world.project()
        world.q = world.project(with_members=False)
        for actor, (email, _role) in EMAILS.items():
            world.tokens[actor] = world.login(email)
        yield world
    finally:
        api.close()
        store.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp: Path = tmp_path_factory.mktemp("client")
    if request.param == "sqlite":
        yield from build_client_world(Settings(data_dir=tmp), UNLIMITED)
        return
    for url in temporary_postgres_database("client"):
        settings = Settings(data_dir=tmp, database=DatabaseSettings(url=SecretStr(url)))
        yield from build_client_world(settings, UNLIMITED)


@pytest.fixture(scope="module")
def limited_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientWorld]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("client-limited"))
    yield from build_client_world(settings, LIMITED)
