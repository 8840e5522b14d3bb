"""Runtime fixtures: ONE local Ray cluster for the whole test session (2 CPUs, 127.0.0.1 only,
its own temporary directory), a fresh database per test, and a runtime per test in its own
Ray namespace (its own directory and hosts, stopped after the test).

PostgreSQL: a template database is migrated once per session at ``N8NWORK_TEST_POSTGRES_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets a copy
(``CREATE DATABASE ... TEMPLATE``), dropped afterwards. SQLite: a file per test. Redis:
``N8NWORK_TEST_REDIS_URL`` (default DB 15), with a key prefix per test. A service that is
unreachable skips locally and fails in CI (``CI`` set).
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from actors import cluster
from actors.client import Runtime, open_runtime
from actors.config import RuntimeConfig
from n8nwork.settings import DatabaseSettings, RedisSettings, Settings
from n8nwork.store.engine import create_engine
from n8nwork.store.migrate import upgrade
from tests.conftest import IN_CI, REPO

pytestmark = pytest.mark.integration

PG_URL = os.environ.get(
    "N8NWORK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("N8NWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROBE_MODULE = "tests.integration.runtime.probe_nodes"
NUM_CPUS = 2


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


class LocalCluster:
    """The session's Ray cluster; ``restart`` stops every process of it and starts anew."""

    def __init__(self, temp_dir: str) -> None:
        self.temp_dir = temp_dir
        self.generation = 0

    def start(self) -> None:
        cluster.start_local(num_cpus=NUM_CPUS, namespace="n8nwork-tests", temp_dir=self.temp_dir)
        self.generation += 1

    def stop(self) -> None:
        cluster.stop()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LocalCluster]:
    # Tests run without Ray's token authentication (it stays on by default elsewhere), and
    # the workers import the test node types from this checkout.
    os.environ["RAY_AUTH_MODE"] = "disabled"
    paths = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    temp_dir = f"/tmp/n8nw-ray-{os.getpid()}"  # short: Ray's socket paths have a length limit
    local = LocalCluster(temp_dir)
    local.start()
    try:
        yield local
    finally:
        local.stop()
        shutil.rmtree(temp_dir, ignore_errors=True)


# ----------------------------------------------------------------------------- databases
@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database used as the template of each test's database."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _unavailable(f"PostgreSQL unreachable at {PG_URL}: {str(exc.orig).strip()[:200]}")
    name = f"n8nwork_rt_tmpl_{os.getpid()}_{secrets.token_hex(2)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        engine = create_engine(_pg_url(name))
        upgrade(engine)
        engine.dispose()
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


_counter = itertools.count(1)


class Databases:
    """Fresh migrated databases (``make("postgresql" | "sqlite")`` -> URL), dropped at the end."""

    def __init__(self, request: pytest.FixtureRequest, tmp: Path) -> None:
        self.request = request
        self.tmp = tmp
        self.created: list[str] = []

    def __call__(self, backend: str = "postgresql") -> str:
        if backend == "sqlite":
            path = self.tmp / f"store-{next(_counter)}.db"
            engine = create_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()
            return f"sqlite:///{path}"
        template = self.request.getfixturevalue("pg_template")
        name = f"n8nwork_rt_{os.getpid()}_{next(_counter)}_{secrets.token_hex(2)}"
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        self.created.append(name)
        return _pg_url(name)

    def drop(self) -> None:
        if self.created:
            admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self.created:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def make_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    databases = Databases(request, tmp_path)
    yield databases
    databases.drop()


def require_redis() -> None:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError) as exc:
        _unavailable(f"Redis unreachable at {REDIS_URL}: {exc}")


# ----------------------------------------------------------------------------- runtimes
class Runtimes:
    """Opens runtimes for one test, each in its own namespace; stops them afterwards."""

    def __init__(self, local: LocalCluster, make_database: Callable[[str], str], tmp: Path):
        self.local = local
        self.make_database = make_database
        self.tmp = tmp
        self.opened: list[tuple[Runtime, int, str | None]] = []

    def settings(self, database_url: str, cache: str = "memory") -> Settings:
        redis_url = None
        if cache == "redis":
            require_redis()
            redis_url = REDIS_URL
        return Settings(
            database=DatabaseSettings(url=database_url),
            redis=RedisSettings(url=redis_url),
            data_dir=self.tmp / "data",
        )

    def config(self, **changes: Any) -> RuntimeConfig:
        namespace = f"t{next(_counter)}-{secrets.token_hex(3)}"
        values: dict[str, Any] = {
            "namespace": namespace,
            "node_modules": (PROBE_MODULE,),
            "heartbeat_s": 0.2,
            "report_interval_s": 0.01,
            "lease_ttl_s": 10.0,
            "lease_renew_s": 2.0,
            "orphan_scan_s": 1.0,
            "cache_prefix": f"n8nwork-test:{namespace}:",
            **changes,
        }
        return RuntimeConfig(**values)

    def open(
        self,
        *,
        database: str = "postgresql",
        cache: str = "memory",
        settings: Settings | None = None,
        config: RuntimeConfig | None = None,
        **changes: Any,
    ) -> Runtime:
        settings = settings or self.settings(self.make_database(database), cache)
        config = config or self.config(**changes)
        runtime = open_runtime(settings=settings, config=config)
        self.opened.append((runtime, self.local.generation, settings.redis.url and REDIS_URL))
        return runtime

    def close(self) -> None:
        for runtime, generation, redis_url in self.opened:
            if runtime._closed:
                continue
            runtime.shutdown(stop_actors=generation == self.local.generation)
            if redis_url:
                with redis.Redis.from_url(REDIS_URL) as client:
                    keys = list(client.scan_iter(f"{runtime.config.cache_prefix}*"))
                    if keys:
                        client.delete(*keys)


@pytest.fixture
def runtimes(
    ray_cluster: LocalCluster, make_database: Callable[[str], str], tmp_path: Path
) -> Iterator[Runtimes]:
    opened = Runtimes(ray_cluster, make_database, tmp_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def shared_runtime(
    ray_cluster: LocalCluster,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Runtime]:
    """One runtime (default test config, PostgreSQL, in-process cache) for the tests of a
    module that only look at their own runs: opening one costs a few seconds."""
    tmp = tmp_path_factory.mktemp("shared-runtime")
    databases = Databases(request, tmp)
    opened = Runtimes(ray_cluster, databases, tmp)
    try:
        yield opened.open()
    finally:
        opened.close()
        databases.drop()


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    path = tmp_path / "probe"
    path.mkdir()
    return path


# ----------------------------------------------------------------------------- helpers
def workflow(*nodes: dict[str, Any], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """A chain: a manual trigger, then ``nodes`` in order (each gets a name and position)."""
    chain = [
        {
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "parameters": {},
            "position": [0, 0],
        }
    ]
    for i, node in enumerate(nodes, start=1):
        chain.append({"name": f"N{i}", "position": [200 * i, 0], "typeVersion": 1, **node})
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(chain)
    }
    return {
        "name": "runtime test",
        "nodes": chain,
        "connections": connections,
        "settings": {"executionOrder": "v1", **(settings or {})},
    }


def probe(
    probe_dir: Path, *, sleep: float = 0, fail_times: int = 0, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "n8nworktest.probe",
        "parameters": {"dir": str(probe_dir), "sleep": sleep, "failTimes": fail_times},
        **extra,
    }


def noop() -> dict[str, Any]:
    return {"type": "n8n-nodes-base.noOp", "parameters": {}}


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, step: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy (its value) or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)


def host_pids(runtime: Runtime) -> dict[str, int]:
    handles = ray.get(runtime.directory.host_handles.remote())
    return {name: ray.get(handle.pid.remote()) for name, handle in handles.items()}
