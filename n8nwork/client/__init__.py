"""The Python client of n8nwork's HTTP API, blocking (``Client``) and asyncio
(``AsyncClient``)::

    from n8nwork.client import Client
    with Client("http://127.0.0.1:8000", api_key="n8nw_...") as c:
        wf = c.workflows.create(flow)                 # n8n JSON, builder Flow or Workflow
        done = c.run(wf.id, items=[{"n": 1}])         # waits; a progress bar in notebooks
        done.output()                                 # the last node's items' JSON
        done.to_pandas("Fetch")                       # needs the ``pandas`` extra
        for event in c.executions.watch(done.id): ... # live events (Server-Sent Events)

Errors are typed after the API's answer (``errors``); idempotent calls are retried with
backoff. Depends on httpx, pydantic and rich only: never on the server (``serve``) or Ray.
"""

from __future__ import annotations

from n8nwork.client._async import AsyncClient
from n8nwork.client._sync import Client
from n8nwork.client.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerUnavailable,
    Unauthorized,
    Unreachable,
    ValidationFailed,
    WaitTimeout,
)
from n8nwork.client.models import (
    ApiKey,
    ApiKeyCreated,
    Credential,
    Event,
    Execution,
    ExecutionSummary,
    NodeResult,
    User,
    Workflow,
    WorkflowSummary,
)

__all__ = [
    "ApiError",
    "ApiKey",
    "ApiKeyCreated",
    "AsyncClient",
    "Client",
    "Conflict",
    "Credential",
    "Event",
    "Execution",
    "ExecutionSummary",
    "Forbidden",
    "NodeResult",
    "NotFound",
    "RateLimited",
    "ServerUnavailable",
    "Unauthorized",
    "Unreachable",
    "User",
    "ValidationFailed",
    "WaitTimeout",
    "Workflow",
    "WorkflowSummary",
]
