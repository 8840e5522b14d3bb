"""What the OpenAPI document says about errors and authentication, so that it matches what
the API answers (the fuzz test in ``tests/security/api`` holds every response to it).

Every ``/api/v1`` operation declares the error statuses the API can answer with the one
error body (``errors.error_body``) instead of FastAPI's ``HTTPValidationError``, and the
document names the two ways to authenticate (bearer token or ``X-N8N-API-KEY``), so the
Swagger UI at ``/docs`` offers both.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from serve.models.base import ApiOutput


class ErrorField(ApiOutput):
    field: str
    problem: str


class ErrorDetail(ApiOutput):
    status: int
    code: str
    message: str
    fields: list[ErrorField] | None = None


class ErrorBody(ApiOutput):
    """``{"error": {"status", "code", "message", "fields"?}}``: every error of the API."""

    error: ErrorDetail


_WHY = {
    401: "No, invalid, expired or revoked credentials.",
    403: "Visible to the caller, but their role or key lacks the scope.",
    404: "Not found, or in a project the caller has no role in.",
    405: "Method not allowed.",
    409: "Conflicts with stored data.",
    413: "The body is over the limit.",
    415: "The body is not application/json.",
    422: "A field of the request is wrong (named in fields).",
    429: "Too many requests (see Retry-After).",
    503: "The database, the cache or the runtime is unavailable or busy.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": why} for status, why in _WHY.items()
}
"""``responses=`` for routers: the error statuses any API route may answer."""

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token (POST /api/v1/auth/login) or an API key.",
    },
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-N8N-API-KEY"},
}
PUBLIC_OPERATIONS = frozenset({"/api/v1/auth/login", "/api/v1/auth/refresh"})


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` name the security schemes and require them on ``/api/v1``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for path, operations in schema.get("paths", {}).items():
                if not path.startswith("/api/v1/") or path in PUBLIC_OPERATIONS:
                    continue
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}, {"apiKey": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
