"""``n8nwork up``: the whole platform on this machine (or on a cluster it joins).

1. settings from ``N8NWORK_*`` with ``--database-url`` / ``--redis-url`` on top (none: the
   embedded default, a SQLite file and in-process caches, no external service); a warning
   line on stderr for each development default in effect (``serve.dev_defaults``);
2. the proxy mode's environment, before Ray starts (``serve.deploy.apply_proxy_env``);
3. migrations (``alembic upgrade head``, also on PostgreSQL);
4. the owner account on first start: ``N8NWORK_OWNER_EMAIL`` (default
   ``owner@n8nwork.local``) and ``N8NWORK_OWNER_PASSWORD``, or a generated password printed
   once;
5. a local Ray cluster on 127.0.0.1 (or ``--address``) with the runtime;
6. the Serve app on ``--host``:``--port`` (127.0.0.1:8000), then the URLs and how to log in.

Ctrl-C (or SIGTERM) stops Serve, the runtime and the local cluster, in that order.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, TextIO

import httpx
from pydantic import SecretStr

from n8nwork.errors import N8nworkError
from n8nwork.settings import DatabaseSettings, RedisSettings, Settings
from serve.deploy import ServeOptions, apply_proxy_env
from serve.dev_defaults import development_defaults, warn

log = logging.getLogger("n8nwork.up")
DEFAULT_OWNER_EMAIL = "owner@n8nwork.local"
READY_TIMEOUT_S = 180.0
FRONT_ENDS = {"haproxy": "HAProxy", "default": "Serve's proxy"}


@dataclass(frozen=True, slots=True)
class UpOptions:
    address: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    redis_url: str | None = None
    num_cpus: int | None = None
    proxy: str = "auto"
    dashboard: bool = True


def settings_with(database_url: str | None, redis_url: str | None) -> Settings:
    """``Settings()`` from the environment, with the command's URLs on top."""
    settings = Settings()
    update: dict[str, Any] = {}
    if database_url:
        db = settings.database.model_dump() | {"url": database_url}
        update["database"] = DatabaseSettings(**db)
    if redis_url:
        update["redis"] = RedisSettings(url=SecretStr(redis_url))
    return settings.model_copy(update=update) if update else settings


def migrate(settings: Settings) -> str:
    from n8nwork.store.engine import create_engine
    from n8nwork.store.migrate import current_revision, upgrade

    engine = create_engine(settings.database_url())
    try:
        upgrade(engine)
        return str(current_revision(engine))
    finally:
        engine.dispose()


def ensure_owner(settings: Settings) -> tuple[str, str | None] | None:
    """Create the owner if there is no user yet: ``(email, generated password or None)``."""
    from sqlmodel import select

    from n8nwork.store import open_store
    from n8nwork.store.repo.users import create_user
    from n8nwork.store.tables.identity import User

    store = open_store(settings, migrate=False)
    try:
        with store.sessions() as session, session.begin():
            if session.exec(select(User.id).limit(1)).first() is not None:
                return None
            email = os.environ.get("N8NWORK_OWNER_EMAIL") or DEFAULT_OWNER_EMAIL
            given = os.environ.get("N8NWORK_OWNER_PASSWORD")
            password = given or secrets.token_urlsafe(12)
            create_user(
                session=session,
                email=email,
                password=password,
                first_name="Owner",
                role="global:owner",
            )
        return email, None if given else password
    finally:
        store.close()


class UpError(N8nworkError):
    """Raised when ``n8nwork up`` cannot bring the platform up (names what and why)."""


class PortInUseError(UpError):
    """Raised when the API's address is taken before anything was started."""


def check_port_free(host: str, port: int) -> None:
    """Fail fast (before Ray starts) when ``host:port`` cannot be bound."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(
                f"cannot listen on {host}:{port} ({exc.strerror}); use --port"
            ) from exc


def wait_ready(
    url: str, timeout: float = READY_TIMEOUT_S, stop: threading.Event | None = None
) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
        try:
            r = httpx.get(f"{url}/readyz", timeout=5.0)
            if r.status_code == 200:
                return
            last = r.text[:200]
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.5)
    if stop is not None and stop.is_set():
        return
    raise UpError(f"the API did not become ready at {url} within {timeout:.0f} s ({last})")


def up(options: UpOptions, out: TextIO = sys.stdout, err: TextIO | None = None) -> int:
    """Bring the platform up and serve until interrupted; the exit code."""
    settings = settings_with(options.database_url, options.redis_url)
    warn(
        development_defaults(
            settings, host=options.host, address=options.address, environ=os.environ
        ),
        err,
    )
    check_port_free(options.host, options.port)
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        proxy = apply_proxy_env(options.proxy) if options.address is None else "cluster's"
    except (RuntimeError, ValueError) as exc:
        raise UpError(str(exc)) from exc
    where = "SQLite " + settings.database_url() if settings.embedded else "PostgreSQL"
    out.write(f"n8nwork: database {where}; migrating\n")
    out.write(f"n8nwork: schema at {migrate(settings)}\n")
    owner = ensure_owner(settings)

    from actors.client import connect
    from serve import deploy as serve_deploy

    stop = threading.Event()

    def on_stop(*_: object) -> None:
        stop.set()

    stop_signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, on_stop) for s in stop_signals}
    out.write(
        "n8nwork: starting Ray"
        + (f" (joining {options.address})" if options.address else "")
        + "\n"
    )
    out.flush()
    runtime = connect(
        options.address,
        settings=settings,
        num_cpus=options.num_cpus,
        include_dashboard=options.dashboard,
    )
    # Starting Ray installs its own SIGTERM handler, which ends this process at once and
    # leaves Serve's HAProxy child holding the port: take the signals back for a clean stop.
    for sig in stop_signals:
        signal.signal(sig, on_stop)
    try:
        url = serve_deploy.deploy(
            settings,
            options=ServeOptions(host=options.host, port=options.port, proxy=options.proxy),
            runtime_config=runtime.config,
        )
        wait_ready(url, stop=stop)
        if not stop.is_set():
            front = serve_deploy.active_proxy() if options.address is None else proxy
            _banner(out, url, front, owner)
        while not stop.wait(0.5):
            pass
        out.write("\nn8nwork: stopping\n")
        out.flush()
    finally:
        try:
            serve_deploy.shutdown()
        except Exception as exc:
            log.warning("serve shutdown: %s", exc)
        runtime.shutdown()
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out.write("n8nwork: stopped\n")
    return 0


def _dashboard_url() -> str | None:
    try:
        import ray

        url = ray._private.worker.get_dashboard_url()
    except Exception:
        return None
    if not url:
        return None
    return url if url.startswith("http") else f"http://{url}"


def _banner(out: TextIO, url: str, proxy: str, owner: tuple[str, str | None] | None) -> None:
    lines = [
        "",
        f"n8nwork is up: {url}   (HTTP front end: {FRONT_ENDS.get(proxy, proxy)})",
        f"  API docs:        {url}/docs",
        f"  OpenAPI:         {url}/openapi.json",
    ]
    dashboard = _dashboard_url()
    if dashboard:
        lines.append(f"  Ray dashboard:   {dashboard}")
    if owner is not None:
        email, password = owner
        lines.append(f"  Owner account:   {email}")
        if password:
            lines.append(f"  Owner password:  {password}   (shown once: keep it)")
        else:
            lines.append("  Owner password:  from N8NWORK_OWNER_PASSWORD")
    lines += [
        "  Log in:",
        f"    curl -s {url}/api/v1/auth/login -H 'content-type: application/json' \\",
        '      -d \'{"email": "<owner email>", "password": "<password>"}\'',
        "    then send 'Authorization: Bearer <accessToken>', or create an API key",
        "    (POST /api/v1/api-keys) and send it as 'X-N8N-API-KEY: <key>'.",
        "  Ctrl-C stops everything.",
        "",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()
