"""The API deployed on Ray Serve with telemetry turned on, for the observability tests: the
e2e tests' cluster (``tests.e2e.conftest.cluster``: a Ray cluster on 127.0.0.1, reused if
the session already runs one) and a deployment of our own, twice in turn (PostgreSQL +
Redis, and the embedded SQLite default), with spans written as JSON lines per process to a
directory (``N8NWORK_TELEMETRY__TRACES=files``), metrics copied into Ray every second, JSON
logs at DEBUG, and a metrics token. ``echo`` is a local HTTP server (allowed by the SSRF
guard, ``security.allowed_hosts``) that records the API key each request carries and echoes
the request's headers back."""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from n8nwork.settings import (
    DatabaseSettings,
    RedisSettings,
    SecuritySettings,
    Settings,
    TelemetrySettings,
)
from tests.e2e.conftest import (
    E2E_CONFIG,
    Api,
    _login,
    _postgres_database,
    _seed,
    _stop_runtime,
    _unavailable,
    cluster,
)

pytestmark = pytest.mark.integration

__all__ = ["cluster"]

REDIS_URL = "redis://127.0.0.1:6379/12"
METRICS_TOKEN = "metrics-token-for-tests-0123456789"


@dataclass
class Echo:
    """The local server's address and the ``X-Api-Key`` of every request it got."""

    url: str
    port: int
    seen: list[str]


class _EchoHandler(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(str(self.headers.get("x-api-key")))
        body = json.dumps({"got": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    handler: Any = type("Handler", (_EchoHandler,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        yield Echo(f"http://127.0.0.1:{port}", port, handler.seen)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class ObservedApi:
    api: Api
    spans_dir: Path
    namespace: str
    echo: Echo


def _clean_redis() -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match="n8nwork:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="module")
def spans_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spans")


@pytest.fixture(scope="module", params=["postgres", "embedded"])
def observed(
    request: pytest.FixtureRequest,
    cluster: object,
    spans_dir: Path,
    echo: Echo,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ObservedApi]:
    from actors.config import RuntimeConfig
    from serve import deploy
    from serve.up import wait_ready

    backend = str(request.param)
    data_dir = tmp_path_factory.mktemp(f"obs-{backend}")
    telemetry = TelemetrySettings(
        metrics_token=SecretStr(METRICS_TOKEN),
        metrics_export_s=1.0,
        traces="files",
        traces_dir=str(spans_dir),
    )
    security = SecuritySettings(allowed_hosts=(f"127.0.0.1:{echo.port}",))
    cleanup: Iterator[str] | None = None
    if backend == "postgres":
        try:
            with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
                client.ping()
        except (redis.RedisError, OSError) as exc:
            _unavailable(f"Redis unreachable at {REDIS_URL}: {exc}")
        cleanup = _postgres_database()
        db_url = next(cleanup)
        _clean_redis()
        settings = Settings(
            data_dir=data_dir,
            database=DatabaseSettings(url=SecretStr(db_url)),
            redis=RedisSettings(url=SecretStr(REDIS_URL)),
            telemetry=telemetry,
            security=security,
            log_level="DEBUG",
            log_format="json",
        )
    else:
        settings = Settings(
            data_dir=data_dir,
            telemetry=telemetry,
            security=security,
            log_level="DEBUG",
            log_format="json",
        )
    namespace = f"n8nwork-obs-{backend}-{secrets.token_hex(2)}"
    port = cluster.port  # type: ignore[attr-defined]
    try:
        mine, other = _seed(settings)
        url = deploy.deploy(
            settings,
            options=deploy.ServeOptions(host="127.0.0.1", port=port, max_replicas=1),
            config=E2E_CONFIG,
            runtime_config=RuntimeConfig(namespace=namespace),
        )
        wait_ready(url, timeout=240)
        api = Api(
            backend=backend,
            url=url,
            settings=settings,
            owner_token=_login(url, "owner@e2e.test"),
            member_token=_login(url, "member@e2e.test"),
            member_project=mine,
            other_project=other,
        )
        yield ObservedApi(api=api, spans_dir=spans_dir, namespace=namespace, echo=echo)
    finally:
        with contextlib.suppress(Exception):
            deploy.undeploy()
        _stop_runtime(namespace)
        if cleanup is not None:
            _clean_redis()
            for _ in cleanup:
                pass
