"""One router per resource; ``api_router`` gathers those under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from serve.openapi import ERROR_RESPONSES
from serve.routes import (
    api_keys,
    audit,
    auth,
    credentials,
    executions,
    node_types,
    projects,
    users,
    workflows,
)

api_router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
for _module in (
    auth,
    users,
    projects,
    api_keys,
    workflows,
    executions,
    credentials,
    audit,
    node_types,
):
    api_router.include_router(_module.router)
