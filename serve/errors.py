"""Domain errors mapped to HTTP in one place, and the API's own errors.

    N8nworkError
    └── ApiError                    refused by the HTTP layer (status on the class)
        ├── AuthenticationError     401: no, invalid, expired or revoked credentials
        ├── PermissionDeniedError   403: known to the caller, but not allowed
        ├── RequestInvalidError     422: a field of the request is wrong (names it)
        ├── UnsupportedMediaError   415: a body that is not JSON
        ├── BodyTooLargeError       413: a body over the configured limit
        ├── RateLimitedError        429: too many requests (``retry_after`` seconds)
        └── RuntimeBusyError        503: the runtime refused a run (its queue is full)

Store and core errors keep their own types; ``install`` maps them (``NotFoundError`` → 404,
``ConflictError``/``LeaseLostError`` → 409, ``InvalidInputError``/``WorkflowError`` → 422,
``PayloadTooLargeError`` → 413, ``TokenError`` → 401, unavailable database or cache → 503).
Every error body is ``{"error": {"status", "code", "message", "fields"?}}``; ``fields`` lists
``{"field", "problem"}``. Request values are never echoed (they may be secrets), and an
unexpected exception is logged and answered 500 without a trace.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from n8nwork.errors import CacheUnavailableError, N8nworkError, WorkflowError
from n8nwork.observability.metrics import cache_error, database_error
from n8nwork.store.errors import (
    ConflictError,
    InvalidInputError,
    LeaseLostError,
    NotFoundError,
    PayloadTooLargeError,
    StoreUnavailableError,
    TokenError,
)

log = logging.getLogger("n8nwork.serve")


class ApiError(N8nworkError):
    """Raised when the HTTP layer refuses a request (``status`` and ``code`` on the class)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.fields = list(fields)


class AuthenticationError(ApiError):
    """Raised when a request has no, invalid, expired or revoked credentials."""

    status = 401
    code = "unauthorized"


class PermissionDeniedError(ApiError):
    """Raised when the caller may see a resource but not do this with it."""

    status = 403
    code = "forbidden"


class RequestInvalidError(ApiError):
    """Raised when a field of the request is wrong; ``fields`` names it and the problem."""

    status = 422
    code = "validation_error"


class UnsupportedMediaError(ApiError):
    """Raised when a request body is not ``application/json``."""

    status = 415
    code = "unsupported_media_type"


class BodyTooLargeError(ApiError):
    """Raised when a request body is over the configured limit."""

    status = 413
    code = "payload_too_large"


class RateLimitedError(ApiError):
    """Raised when a rate limit is exhausted; ``retry_after`` is in seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RuntimeBusyError(RateLimitedError):
    """Raised when the runtime refuses a run because its queue is full."""

    status = 503
    code = "runtime_busy"


def error_body(
    status: int, code: str, message: str, fields: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields:
        body["fields"] = [{"field": f, "problem": p} for f, p in fields]
    return {"error": body}


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message, fields), status, headers=headers)


def _field_of(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_fields(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """``(field, problem)`` for pydantic errors, without the input values they carry."""
    out = []
    for err in errors:
        loc = err.get("loc", ()) if isinstance(err, dict) else ()
        msg = str(err.get("msg", "invalid")) if isinstance(err, dict) else str(err)
        out.append((_field_of(loc), msg))
    return out or [("body", "invalid")]


def problem_response(exc: BaseException) -> Response:
    """The response for any exception (the one place that maps errors to statuses)."""
    if isinstance(exc, RateLimitedError):
        retry = str(max(1, math.ceil(exc.retry_after)))
        return error_response(exc.status, exc.code, exc.message, headers={"Retry-After": retry})
    if isinstance(exc, AuthenticationError):
        return error_response(
            401, exc.code, exc.message, headers={"WWW-Authenticate": 'Bearer realm="n8nwork"'}
        )
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, RequestValidationError):
        fields = validation_fields(exc.errors())
        return error_response(422, "validation_error", "the request is invalid", fields)
    if isinstance(exc, WorkflowError):
        fields = [("nodes", p) for p in exc.problems] or [("body", str(exc))]
        return error_response(422, "invalid_workflow", "the workflow is invalid", fields)
    if isinstance(exc, NotFoundError):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, ConflictError | LeaseLostError):
        return error_response(409, "conflict", str(exc))
    if isinstance(exc, PayloadTooLargeError):
        return error_response(413, "payload_too_large", str(exc))
    if isinstance(exc, InvalidInputError):
        field, _, problem = str(exc).partition(": ")
        fields = [(field, problem)] if problem else [("body", str(exc))]
        return error_response(422, "validation_error", str(exc), fields)
    if isinstance(exc, TokenError):
        return error_response(401, "unauthorized", str(exc))
    if isinstance(exc, IntegrityError):
        return error_response(409, "conflict", "the change conflicts with stored data")
    if isinstance(exc, DataError):
        return error_response(422, "validation_error", "a value is out of range", [("body", "")])
    if isinstance(exc, StoreUnavailableError | OperationalError):
        database_error("api")
        log.warning("database unavailable: %s", exc)
        return error_response(503, "unavailable", "the database is unavailable")
    if isinstance(exc, CacheUnavailableError):
        cache_error("api")
        log.warning("cache unavailable: %s", exc)
        return error_response(503, "unavailable", "the cache is unavailable")
    if isinstance(exc, StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {})
        )
    log.error("unexpected error (%s)", type(exc).__name__, exc_info=exc)
    return error_response(500, "internal_error", "internal error")


async def _handle(request: Request, exc: Exception) -> Response:
    return problem_response(exc)


def install(app: FastAPI) -> None:
    """Register the mapping for every error type on ``app``."""
    for exc_type in (
        ApiError,
        RequestValidationError,
        N8nworkError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(exc_type, _handle)


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
