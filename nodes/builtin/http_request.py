"""HTTP Request (``n8n-nodes-base.httpRequest`` v1, v2, v3, v4, v4.1, v4.2): makes one HTTP request
per input item (batched if asked) with real HTTP (httpx) and returns the response as JSON, text,
or a binary file, optionally with headers and status; from v4 it can paginate with ``$response``
and ``$pageCount`` expressions.

Errors for non-2xx responses are n8n's NodeApiError (message per status, description
``"<code> - <body>"``); the ``neverError`` option returns them as data. Every connection goes
through the SSRF guard (``n8nwork.net``): loopback, private and link-local addresses and the
platform's own services are refused unless allow-listed (``N8NWORK_SECURITY__ALLOWED_HOSTS``).
Credentials (generic
auth types) come from the credentials store; without one the node says so.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from n8nwork.binary import BinaryDataError
from n8nwork.errors import ExpressionError, NodeApiError, NodeExecutionError
from n8nwork.net import get_policy, guarded_client
from nodes.builtin._http_build import BuildError, build_legacy, build_v3, options_of
from nodes.builtin._http_send import (
    HttpError,
    Request,
    Response,
    api_error,
    body_text,
    detect_format,
    full_response,
    send,
    to_binary,
)
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param, Resources

_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_V12 = (1.0, 2.0)
_V3 = (3.0, 4.2)


class HttpRequest(NodeType):
    type_name = "n8n-nodes-base.httpRequest"
    versions = (1, 2, 3, 4, 4.1, 4.2)
    display_name = "HTTP Request"
    description = "Makes an HTTP request and returns the response data"
    placement = "task"
    resources = Resources(num_cpus=0.25, timeout_s=600)
    params = (
        Param("url", "string", "", required=True),
        # v1, v2
        Param("requestMethod", "options", "GET", _METHODS, versions=_V12),
        Param("authentication", "string", "none"),
        Param("responseFormat", "options", "json", ("file", "json", "string"), versions=_V12),
        Param("dataPropertyName", "string", "data", versions=_V12),
        Param("jsonParameters", "boolean", False, versions=_V12),
        Param("sendBinaryData", "boolean", False, versions=_V12),
        Param("binaryPropertyName", "string", "data", versions=_V12),
        Param("queryParametersUi", "fixedCollection", {}, versions=_V12),
        Param("headerParametersUi", "fixedCollection", {}, versions=_V12),
        Param("bodyParametersUi", "fixedCollection", {}, versions=_V12),
        Param("queryParametersJson", "json", "", versions=_V12),
        Param("headerParametersJson", "json", "", versions=_V12),
        Param("bodyParametersJson", "json", "", versions=_V12),
        # v3+
        Param("method", "options", "GET", _METHODS, versions=_V3),
        Param("genericAuthType", "string", "", versions=_V3),
        Param("nodeCredentialType", "string", "", versions=_V3),
        Param("sendQuery", "boolean", False, versions=_V3),
        Param("specifyQuery", "options", "keypair", ("keypair", "json"), versions=_V3),
        Param(
            "queryParameters",
            "fixedCollection",
            {"parameters": [{"name": "", "value": ""}]},
            versions=_V3,
        ),
        Param("jsonQuery", "json", "", versions=_V3),
        Param("sendHeaders", "boolean", False, versions=_V3),
        Param("specifyHeaders", "options", "keypair", ("keypair", "json"), versions=_V3),
        Param(
            "headerParameters",
            "fixedCollection",
            {"parameters": [{"name": "", "value": ""}]},
            versions=_V3,
        ),
        Param("jsonHeaders", "json", "", versions=_V3),
        Param("sendBody", "boolean", False, versions=_V3),
        Param(
            "contentType",
            "options",
            "json",
            ("form-urlencoded", "multipart-form-data", "json", "binaryData", "raw"),
            versions=_V3,
        ),
        Param("specifyBody", "options", "keypair", ("keypair", "json", "string"), versions=_V3),
        Param(
            "bodyParameters",
            "fixedCollection",
            {"parameters": [{"name": "", "value": ""}]},
            versions=_V3,
        ),
        Param("jsonBody", "json", "", versions=_V3),
        Param("body", "string", "", versions=_V3),
        Param("inputDataFieldName", "string", "", versions=_V3),
        Param("rawContentType", "string", "", versions=_V3),
        Param(
            "options",
            "collection",
            {},
            description="batching, allowUnauthorizedCerts, queryParameterArrays, "
            "lowercaseHeaders, redirect, response, pagination, proxy (refused), timeout",
        ),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        out: list[dict[str, Any]] = []
        policy = get_policy()  # the SSRF guard: every connection, redirects included
        with (
            guarded_client(policy=policy) as client,
            guarded_client(policy=policy, verify=False) as insecure,
        ):
            for i, item in enumerate(items):
                _batch_pause(ctx, i)
                try:
                    out.extend(_one(ctx, client, insecure, item, i))
                except (BuildError, HttpError, BinaryDataError, ValueError) as exc:
                    message = str(exc)
                    if ctx.continue_on_fail:
                        out.append({"json": {"error": message}, "pairedItem": {"item": i}})
                        continue
                    if isinstance(exc, HttpError):
                        raise NodeApiError(
                            message, node=ctx.node.name, item_index=i, description=message
                        ) from None
                    raise ctx.error(message, item_index=i) from None
                except (NodeApiError, NodeExecutionError, ExpressionError) as exc:
                    if ctx.continue_on_fail:
                        out.append({"json": {"error": _error_json(exc)}, "pairedItem": {"item": i}})
                        continue
                    raise
        return [out]


def _error_json(exc: Exception) -> Any:
    if isinstance(exc, NodeApiError):
        return {
            "message": exc.message,
            "name": exc.error_name,
            "description": exc.description,
            "context": exc.context,
        }
    return getattr(exc, "message", str(exc))


def _batch_pause(ctx: ExecutionContext, i: int) -> None:
    if i == 0:
        return
    options = options_of(ctx, i) if ctx.version >= 3 else ctx.param("options", i, {}) or {}
    if ctx.version >= 3:
        batch = (options.get("batching") or {}).get("batch") or {}
        size, interval = batch.get("batchSize", 50), batch.get("batchInterval", 1000)
        if not options.get("batching"):
            return
    else:
        size, interval = options.get("batchSize", 50), options.get("batchInterval", 0)
        if "batchInterval" not in options:
            return
    size = 1 if size == 0 else int(size or 0)
    if size > 0 and interval and i % size == 0:
        time.sleep(float(interval) / 1000.0)


def _send(client: httpx.Client, insecure: httpx.Client, req: Request) -> Response:
    if req.follow_redirects and req.max_redirects != 21:
        with guarded_client(verify=req.verify, max_redirects=req.max_redirects) as limited:
            return send(limited, req)
    return send(client if req.verify else insecure, req)


def _one(
    ctx: ExecutionContext,
    client: httpx.Client,
    insecure: httpx.Client,
    item: dict[str, Any],
    i: int,
) -> list[dict[str, Any]]:
    if ctx.version < 3:
        req, options = build_legacy(ctx, item, i)
        resp = _send(client, insecure, req)
        return _legacy_items(ctx, resp, options, item, i)
    req, options = build_v3(ctx, item, i)
    settings = (options.get("response") or {}).get("response") or {}
    # like n8n, pagination parameters are read with their expressions unevaluated: they are
    # evaluated per page, with $response, $pageCount and $request
    pagination = ctx.raw_param("options.pagination.pagination", {}) or {}
    if (
        ctx.version >= 4
        and pagination
        and pagination.get("paginationMode", "updateAParameterInEachRequest") != "off"
    ):
        from nodes.builtin._http_paginate import paginate

        responses = paginate(
            ctx, lambda r: _send(client, insecure, r), req, pagination, settings, i
        )
    else:
        responses = [_send(client, insecure, req)]
    out: list[dict[str, Any]] = []
    for resp in responses:
        out.extend(_v3_items(ctx, resp, settings, item, i))
    return out


def _v3_items(
    ctx: ExecutionContext, resp: Response, settings: dict[str, Any], item: dict[str, Any], i: int
) -> list[dict[str, Any]]:
    never_error = bool(settings.get("neverError"))
    if not 200 <= resp.status < 300 and not never_error:
        raise api_error(resp, ctx.node.name, i)
    wanted = settings.get("responseFormat") or "autodetect"
    fmt = detect_format(resp, wanted)
    full = bool(settings.get("fullResponse"))
    prop = str(settings.get("outputPropertyName") or "data")
    paired = {"item": i}
    if fmt == "file":
        new: dict[str, Any] = {
            "json": {},
            "binary": dict(item.get("binary") or {}),
            "pairedItem": paired,
        }
        new["json"] = full_response(resp, None) if full else dict(item.get("json", {}))
        if full:
            new["json"].pop("body")
        new["binary"][prop] = to_binary(resp)
        return [new]
    text = body_text(resp)
    if fmt == "text":
        data: dict[str, Any] = {prop: text} if text else {}
        if full:
            data.update(headers=resp.headers, statusCode=resp.status, statusMessage=resp.reason)
        return [{"json": data, "pairedItem": paired}]
    body = _json_body(text, never_error, wanted == "autodetect", i, ctx)
    if full:
        return [{"json": full_response(resp, body), "pairedItem": paired}]
    if isinstance(body, list):
        return [{"json": _as_object(v), "pairedItem": paired} for v in body]
    return [{"json": _as_object(body), "pairedItem": paired}]


def _json_body(text: str, never_error: bool, detected: bool, i: int, ctx: ExecutionContext) -> Any:
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        if never_error:
            return {} if detected else {"data": text}
        if detected:
            raise ctx.error("Invalid JSON in response body", item_index=i) from None
        raise ctx.error(
            'Response body is not valid JSON. Change "Response Format" to "Text"', item_index=i
        ) from None


def _as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"data": value}


def _legacy_items(
    ctx: ExecutionContext, resp: Response, options: dict[str, Any], item: dict[str, Any], i: int
) -> list[dict[str, Any]]:
    if not 200 <= resp.status < 300 and not options.get("ignoreResponseCode"):
        raise api_error(resp, ctx.node.name, i)
    fmt = ctx.param("responseFormat", i, "json")
    prop = str(ctx.param("dataPropertyName", i, "data"))
    full = bool(options.get("fullResponse"))
    paired = {"item": i}
    if fmt == "file":
        new: dict[str, Any] = {
            "json": dict(item.get("json", {})),
            "binary": dict(item.get("binary") or {}),
            "pairedItem": paired,
        }
        if full:
            new["json"] = {k: v for k, v in full_response(resp, None).items() if k != "body"}
        new["binary"][prop] = to_binary(resp)
        return [new]
    text = body_text(resp)
    if fmt == "string":
        if full:
            data = full_response(resp, text)
            data[prop] = data.pop("body")
            return [{"json": data, "pairedItem": paired}]
        return [{"json": {prop: text}, "pairedItem": paired}]
    if text.strip():
        try:
            body: Any = json.loads(text)
        except ValueError:
            raise ctx.error(
                'Response body is not valid JSON. Change "Response Format" to "String"',
                item_index=i,
            ) from None
    else:
        body = {}
    if full:
        return [{"json": full_response(resp, body), "pairedItem": paired}]
    if isinstance(body, list):
        if options.get("splitIntoItems"):
            return [{"json": _as_object(v), "pairedItem": paired} for v in body]
        return [{"json": {"data": body}, "pairedItem": paired}]
    return [{"json": _as_object(body), "pairedItem": paired}]
