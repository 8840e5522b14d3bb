"""The platform brought up for an HTTP benchmark as ``n8nwork up`` does it: a local Ray
cluster, the runtime, the API on Ray Serve (HAProxy front end when a binary is found, else
Serve's proxy), the owner logged in. ``running_platform`` yields it and takes it all down
again, also on errors."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx

PASSWORD = "benchmark password"


@dataclass(frozen=True)
class Platform:
    url: str
    headers: dict[str, str]
    """The owner's ``Authorization`` header."""
    proxy: str
    settings: Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_platform(
    name: str,
    *,
    database_url: str | None,
    redis_url: str | None,
    proxy: str = "auto",
    config: Any = None,
    port: int = 0,
    replicas: int | None = None,
    access_log: bool = False,
) -> Iterator[Platform]:
    """Bring the platform up on a fresh data directory; ``replicas`` fixes the number of API
    replicas (default: the autoscaling range of ``n8nwork up``)."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("N8NWORK_DATA_DIR", tempfile.mkdtemp(prefix=f"n8nwork-bench-{name}-"))

    from serve.deploy import apply_proxy_env

    apply_proxy_env(proxy)

    from actors.client import connect
    from serve import deploy
    from serve.up import ensure_owner, migrate, settings_with, wait_ready

    settings = settings_with(database_url, redis_url)
    migrate(settings)
    os.environ["N8NWORK_OWNER_PASSWORD"] = PASSWORD
    os.environ["N8NWORK_OWNER_EMAIL"] = email = f"bench-{secrets.token_hex(3)}@n8nwork.local"
    ensure_owner(settings)
    runtime = connect(settings=settings, num_cpus=2)
    options = deploy.ServeOptions(port=port or free_port(), proxy=proxy, access_log=access_log)
    if replicas:
        options = replace(options, min_replicas=replicas, max_replicas=replicas)
    try:
        url = deploy.deploy(settings, options=options, config=config, runtime_config=runtime.config)
        wait_ready(url)
        token = httpx.post(
            f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["accessToken"]
        yield Platform(url, {"Authorization": f"Bearer {token}"}, deploy.active_proxy(), settings)
    finally:
        try:
            deploy.shutdown()
        finally:
            runtime.shutdown()
            import ray

            if ray.is_initialized():
                ray.shutdown()
