"""Starting a local Ray cluster or joining one.

``start_local`` starts a cluster in this process's session (it stops when this process calls
``stop`` or exits): loopback only (``127.0.0.1``; ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
keeps Ray from binding the machine's public address), no usage statistics, a small number
of CPUs by default, its own temporary directory if asked. Ray's token authentication stays
as Ray sets it (on by default for new local clusters since Ray 2.60); tests turn it off with
``RAY_AUTH_MODE=disabled``. ``join`` connects to a running cluster by address.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import ray

from actors.errors import ClusterError

log = logging.getLogger(__name__)

LOCAL_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def _loopback_only() -> None:
    """Make this process and the cluster processes it starts use 127.0.0.1 only."""
    for key, value in LOCAL_ENV.items():
        os.environ.setdefault(key, value)
    if os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") == "0":
        # Ray reads the variable once, at import; this process may have imported Ray before.
        from ray._private import ray_constants

        ray_constants.ENABLE_RAY_CLUSTER = False


def start_local(
    *,
    num_cpus: int | None = None,
    namespace: str,
    temp_dir: str | None = None,
    include_dashboard: bool = False,
    object_store_memory: int | None = None,
) -> dict[str, Any]:
    """Start a local cluster (this process is its driver); returns Ray's address info."""
    _loopback_only()
    options: dict[str, Any] = {
        # "local": a new cluster even when another one runs on this machine (without it,
        # ray.init joins the cluster named in Ray's /tmp/ray/ray_current_cluster file)
        "address": "local",
        "num_cpus": num_cpus if num_cpus is not None else min(os.cpu_count() or 2, 4),
        "namespace": namespace,
        "include_dashboard": include_dashboard,
        "logging_level": logging.WARNING,
        "log_to_driver": True,
    }
    if include_dashboard:
        options["dashboard_host"] = "127.0.0.1"
    if temp_dir is not None:
        options["_temp_dir"] = temp_dir
    if object_store_memory is not None:
        options["object_store_memory"] = object_store_memory
    try:
        context = ray.init(**options)
    except Exception as exc:
        raise ClusterError(f"could not start a local Ray cluster: {exc}") from exc
    check_alive()
    return dict(getattr(context, "address_info", {}))


def join(address: str, *, namespace: str) -> dict[str, Any]:
    """Connect to the cluster at ``address`` (``"auto"``, ``"ray://..."`` or ``host:port``)."""
    try:
        context = ray.init(address=address, namespace=namespace, logging_level=logging.WARNING)
    except Exception as exc:
        raise ClusterError(f"could not join the Ray cluster at {address!r}: {exc}") from exc
    check_alive()
    return dict(getattr(context, "address_info", {}))


def check_alive() -> None:
    """At least one live node (``ray.nodes()``), else ``ClusterError``."""
    alive = [n for n in ray.nodes() if n.get("Alive")]
    if not alive:
        raise ClusterError("the Ray cluster has no live node")


def stop() -> None:
    """Disconnect (and stop the local cluster this process started)."""
    if ray.is_initialized():
        ray.shutdown()
