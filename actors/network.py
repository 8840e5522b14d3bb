"""The SSRF policy of the runtime's processes (``n8nwork.net``).

A run host builds it from the settings it was given (not from its own environment, which may
differ from the deployment's) plus the Ray cluster's own endpoints, which only the runtime
knows; task workers receive it with each task (``TaskSpec.network``) and install it before
the node runs, so every process that executes nodes decides alike."""

from __future__ import annotations

import ray

from n8nwork.net import NetworkPolicy, set_policy
from n8nwork.settings import Settings


def cluster_endpoints() -> tuple[str, ...]:
    """The Ray GCS address of the cluster this process is connected to (if any)."""
    if not ray.is_initialized():  # asking the runtime context would start a local Ray
        return ()
    try:
        address = ray.get_runtime_context().gcs_address
    except Exception:  # not connected, or an older Ray
        return ()
    return (address,) if address else ()


def install_policy(settings: Settings) -> NetworkPolicy:
    """Build this host's policy and make it the process's; returns it (for task specs)."""
    policy = NetworkPolicy.from_settings(settings).with_services(*cluster_endpoints())
    set_policy(policy)
    return policy
