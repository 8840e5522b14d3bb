"""End-to-end fixtures: one local Ray cluster (127.0.0.1, few CPUs) for the HTTP tests, Ray
Serve's HTTP front end on a free port, and the API deployed on it twice in turn:

- ``postgres``: PostgreSQL (a fresh database) + Redis (DB 14), the production shape;
- ``embedded``: the default of ``n8nwork up`` (SQLite file, in-process caches).

Tests talk real HTTP to 127.0.0.1. The front end is the one ``n8nwork up`` picks here
(HAProxy when a binary is found, else Serve's proxy). A cluster already running in this
session (e.g. the runtime's integration tests' session cluster) is reused and left running;
otherwise the cluster started here lives for the module only and is stopped before other
tests start theirs, so a pytest session never has two clusters of its own at once.
PostgreSQL or Redis unreachable: the ``postgres`` half skips locally and fails in CI.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from pydantic import SecretStr

from n8nwork.settings import DatabaseSettings, RedisSettings, Settings
from n8nwork.store import open_store
from n8nwork.store.repo.projects import create_project, set_member_role
from n8nwork.store.repo.users import create_user
from serve.config import ApiConfig, RateLimit
from tests.conftest import IN_CI, temporary_postgres_database

pytestmark = pytest.mark.integration

REDIS_URL = os.environ.get("N8NWORK_E2E_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "e2e password 123"
E2E_CONFIG = ApiConfig(
    ip_limit=RateLimit(5000.0, 10000.0),
    principal_limit=RateLimit(40.0, 80.0),
    login_limit=RateLimit(50.0, 100.0),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Cluster:
    port: int
    proxy: str


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    import ray

    from serve.deploy import apply_proxy_env

    started = False
    saved = dict(os.environ)
    temp_dir = f"/tmp/n8nw-e2e-{os.getpid()}"  # short: Ray's socket paths have a length limit
    if not ray.is_initialized():
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        os.environ.setdefault("RAY_SERVE_HAPROXY_STATS_PORT", str(free_port()))
        os.environ.setdefault("RAY_SERVE_HAPROXY_METRICS_PORT", str(free_port()))
        apply_proxy_env("auto")
        from actors import cluster as ray_cluster

        ray_cluster.start_local(num_cpus=2, namespace="n8nwork-e2e", temp_dir=temp_dir)
        started = True
    from serve.deploy import active_proxy, ray_serve

    serve = ray_serve()
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    try:
        yield Cluster(port=port, proxy=active_proxy())
    finally:
        serve.shutdown()
        if started:
            ray.shutdown()
            shutil.rmtree(temp_dir, ignore_errors=True)
            os.environ.clear()
            os.environ.update(saved)


@dataclass
class Api:
    """The deployed API: its URL, the store it uses, and logged-in clients."""

    backend: str
    url: str
    settings: Settings
    owner_token: str
    member_token: str
    member_project: str
    other_project: str

    def client(
        self, token: str | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Client:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=auth | (headers or {}), timeout=60.0)

    @property
    def owner(self) -> httpx.Client:
        return self.client(self.owner_token)


def _postgres_database() -> Iterator[str]:
    return temporary_postgres_database("e2e")


def _redis() -> None:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError) as exc:
        _unavailable(f"Redis unreachable at {REDIS_URL}: {exc}")


def _clean_redis() -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match="n8nwork:*", count=1000))
        if keys:
            client.delete(*keys)


def _seed(settings: Settings) -> tuple[str, str]:
    store = open_store(settings, migrate=True)
    try:
        with store.sessions() as s, s.begin():
            create_user(session=s, email="owner@e2e.test", password=PASSWORD, role="global:owner")
            member = create_user(session=s, email="member@e2e.test", password=PASSWORD)
            mine = create_project(session=s, name="Mine").id
            other = create_project(session=s, name="Other").id
            set_member_role(session=s, project_id=mine, user_id=member.id, role="project:editor")
        return mine, other
    finally:
        store.close()


def _login(url: str, email: str) -> str:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["accessToken"])


def _stop_runtime(namespace: str) -> None:
    import ray

    from actors.config import RuntimeConfig
    from actors.directory import DIRECTORY_NAME
    from actors.scheduler import stop_schedulers

    try:
        stop_schedulers(RuntimeConfig(namespace=namespace))
        directory = ray.get_actor(DIRECTORY_NAME, namespace=namespace)
        ray.get(directory.shutdown.remote(), timeout=60)
    except Exception:  # best effort: the cluster goes at the end of the session anyway
        pass


@pytest.fixture(scope="module", params=["postgres", "embedded"])
def api(
    request: pytest.FixtureRequest, cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    from actors.config import RuntimeConfig
    from serve import deploy
    from serve.up import wait_ready

    backend = str(request.param)
    data_dir: Path = tmp_path_factory.mktemp(f"e2e-{backend}")
    cleanup: Iterator[str] | None = None
    if backend == "postgres":
        _redis()
        cleanup = _postgres_database()
        db_url = next(cleanup)
        _clean_redis()
        settings = Settings(
            data_dir=data_dir,
            database=DatabaseSettings(url=SecretStr(db_url)),
            redis=RedisSettings(url=SecretStr(REDIS_URL)),
        )
    else:
        settings = Settings(data_dir=data_dir)
    namespace = f"n8nwork-e2e-{backend}-{secrets.token_hex(2)}"
    try:
        mine, other = _seed(settings)
        url = deploy.deploy(
            settings,
            options=deploy.ServeOptions(host="127.0.0.1", port=cluster.port, max_replicas=1),
            config=E2E_CONFIG,
            runtime_config=RuntimeConfig(namespace=namespace),
        )
        wait_ready(url, timeout=240)
        yield Api(
            backend=backend,
            url=url,
            settings=settings,
            owner_token=_login(url, "owner@e2e.test"),
            member_token=_login(url, "member@e2e.test"),
            member_project=mine,
            other_project=other,
        )
    finally:
        with contextlib.suppress(Exception):
            deploy.undeploy()
        _stop_runtime(namespace)
        if cleanup is not None:
            _clean_redis()
            for _ in cleanup:
                pass
