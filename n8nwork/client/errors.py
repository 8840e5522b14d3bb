"""The client's errors: one class per kind of refusal of the HTTP API, mapped from the
status of a real answer (or from the lack of one) in ``error_from_response`` and
``unreachable`` — the only two places that decide a type.

    N8nworkError
    └── ApiError                   a call to the API failed (status, code, message, details)
        ├── Unauthorized           401: no, wrong, expired or revoked credentials
        ├── Forbidden              403: visible to you, but not allowed
        ├── NotFound               404: no such thing (or in a project you have no role in)
        ├── Conflict               409: the change conflicts with the stored state
        ├── ValidationFailed       400/413/415/422: the request is wrong (``fields`` name where)
        ├── RateLimited            429: too many requests (``retry_after`` seconds)
        ├── ServerUnavailable      502/503/504: try again later (``retry_after`` if given)
        └── Unreachable            no HTTP answer: refused, DNS, timeout, connection broken
    WaitTimeout                    a wait for an execution ran out of time (not an API error)
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from n8nwork.errors import N8nworkError


class ApiError(N8nworkError):
    """Raised when a call to the API fails; the base of every client error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "error",
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details: dict[str, Any] = dict(details or {})
        self.request_id = request_id

    def __str__(self) -> str:
        head = f"{self.status} {self.code}" if self.status is not None else self.code
        return f"{head}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r})"


class Unauthorized(ApiError):
    """Raised when the API answers 401: credentials missing, wrong, expired or revoked."""


class Forbidden(ApiError):
    """Raised when the API answers 403: the resource is visible but the action not allowed."""


class NotFound(ApiError):
    """Raised when the API answers 404 (also for things in projects you have no role in)."""


class Conflict(ApiError):
    """Raised when the API answers 409: the change conflicts with what is stored."""


class ValidationFailed(ApiError):
    """Raised when the API refuses the request's content (400, 413, 415, 422); ``fields``
    lists ``{"loc", "msg"}`` (``loc``: the field's dotted path, ``msg``: the problem)."""

    def __init__(self, message: str, *, fields: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.fields = fields

    def __str__(self) -> str:
        where = "; ".join(f"{f['loc']}: {f['msg']}" for f in self.fields)
        return f"{super().__str__()}" + (f" ({where})" if where else "")


class RateLimited(ApiError):
    """Raised when the API answers 429; ``retry_after`` is the seconds it asks to wait."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerUnavailable(ApiError):
    """Raised when the API (or a proxy before it) answers 502, 503 or 504."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Unreachable(ApiError):
    """Raised when no HTTP answer came: connection refused, DNS failure, a timeout, or a
    connection broken mid-way (``status`` is ``None``)."""


class WaitTimeout(N8nworkError, TimeoutError):
    """Raised when an execution did not finish within the ``timeout`` of a wait; it keeps
    running (``execution_id``), wait again or cancel it."""

    def __init__(self, execution_id: int, timeout: float, status: str) -> None:
        super().__init__(
            f"execution {execution_id} did not finish within {timeout:g} s (status: {status})"
        )
        self.execution_id = execution_id
        self.timeout = timeout
        self.status = status


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationFailed,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: ValidationFailed,
    415: ValidationFailed,
    422: ValidationFailed,
    429: RateLimited,
    502: ServerUnavailable,
    503: ServerUnavailable,
    504: ServerUnavailable,
}


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:  # an HTTP date: not sent by n8nwork; treat as "a moment"
        return 1.0
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        parsed = response.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def error_from_response(response: httpx.Response, request_id: str | None = None) -> ApiError:
    """The typed error for an answer with status >= 400 (body read). n8nwork's body is
    ``{"error": {"status", "code", "message", "fields": [{"field", "problem"}]}}``; n8n's
    webhook shape ``{"code", "message"}`` and bodies that are not JSON are understood too."""
    status = response.status_code
    body = _body(response)
    inner = body.get("error")
    error: dict[str, Any] = inner if isinstance(inner, dict) else body
    message = error.get("message") if isinstance(error.get("message"), str) else None
    if not message:
        message = response.reason_phrase or f"HTTP {status}"
    code = error.get("code")
    code = code if isinstance(code, str) else f"http_{status}"
    common: dict[str, Any] = {
        "status": status,
        "code": code,
        "details": body,
        "request_id": response.headers.get("x-request-id") or request_id,
    }
    cls = _BY_STATUS.get(status, ApiError)
    if cls is ValidationFailed:
        given = error.get("fields")
        raw_fields: list[Any] = given if isinstance(given, list) else []
        fields = [
            {"loc": str(f.get("field", "")), "msg": str(f.get("problem", ""))}
            for f in raw_fields
            if isinstance(f, dict)
        ]
        return ValidationFailed(message, fields=fields, **common)
    if cls is RateLimited:
        return RateLimited(message, retry_after=_retry_after(response), **common)
    if cls is ServerUnavailable:
        return ServerUnavailable(message, retry_after=_retry_after(response), **common)
    return cls(message, **common)


def unreachable(exc: httpx.TransportError, url: str, request_id: str | None = None) -> Unreachable:
    """The error for a call that got no HTTP answer."""
    if isinstance(exc, httpx.ConnectTimeout):
        what = "timed out connecting to"
    elif isinstance(exc, httpx.ConnectError):
        what = "cannot connect to"
    elif isinstance(exc, httpx.TimeoutException):
        what = "timed out waiting for an answer from"
    else:
        what = "lost the connection to"
    detail = str(exc) or type(exc).__name__
    return Unreachable(
        f"{what} {url} ({detail})",
        code="unreachable",
        details={"exception": type(exc).__name__},
        request_id=request_id,
    )
