"""n8nwork's runtime on Ray: run hosts, the directory, node tasks, the client.

The only package that creates Ray actors or submits Ray tasks (DESIGN.md sections 2-4).
What users touch is re-exported here and, lazily, as ``n8nwork.connect`` / ``n8nwork.run``;
the modules, one concept each:

- ``client``: ``connect``, ``Runtime``, ``ExecutionHandle``, ``ExecutionResult``
- ``cluster``: start a local Ray cluster or join one
- ``directory``: the named actor that places, admits, recovers and wakes runs
- ``host`` / ``hosting``: run hosts (async actors holding many runs) and their core
- ``run_loop``: one run as an actor (mailbox, state machine, checkpoints, events)
- ``tasks``: node executions as Ray tasks with resources, timeouts, retries
- ``dedicated``: a Ray actor per run for workflows that ask for it
- ``admission``, ``timers``, ``programs``, ``persistence``, ``events``, ``config``, ``errors``

``CONTRACTS.md`` beside this file states what each actor guarantees.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actors.client import (
        ExecutionHandle,
        ExecutionResult,
        RunRequest,
        Runtime,
        connect,
        current,
        run,
    )
    from actors.config import RuntimeConfig
    from actors.errors import (
        ClusterError,
        N8nworkRuntimeError,
        NotConnectedError,
        NotWaitingError,
        ResultTimeoutError,
        RunRefusedError,
    )

# Loaded on first use: a Ray task worker imports ``actors.tasks`` and should not pay for the
# client, the directory and the store it does not need.
_EXPORTS = {
    "ExecutionHandle": "actors.client",
    "ExecutionResult": "actors.client",
    "RunRequest": "actors.client",
    "Runtime": "actors.client",
    "connect": "actors.client",
    "current": "actors.client",
    "run": "actors.client",
    "RuntimeConfig": "actors.config",
    "ClusterError": "actors.errors",
    "N8nworkRuntimeError": "actors.errors",
    "NotConnectedError": "actors.errors",
    "NotWaitingError": "actors.errors",
    "ResultTimeoutError": "actors.errors",
    "RunRefusedError": "actors.errors",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'actors' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ClusterError",
    "ExecutionHandle",
    "ExecutionResult",
    "N8nworkRuntimeError",
    "NotConnectedError",
    "NotWaitingError",
    "ResultTimeoutError",
    "RunRefusedError",
    "RunRequest",
    "Runtime",
    "RuntimeConfig",
    "connect",
    "current",
    "run",
]
