"""Pagination of the HTTP Request node (v4+): repeat the request, updating a query, header or body
parameter or following a next URL, with ``$response``, ``$pageCount`` and ``$request`` available
to the expressions, until the response is empty, a given status code arrives, or a completion
expression holds (or the page limit is reached)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from n8nwork.errors import ExpressionError, NodeExecutionError
from nodes.builtin._http_build import BuildError
from nodes.builtin._http_send import Request, Response, api_error, parsed_body
from nodes.sdk import ExecutionContext

_VARS = re.compile(r"\$(response|pageCount|request|version)\b")


def truthy(value: Any) -> bool:
    """JavaScript truthiness."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def evaluate(ctx: ExecutionContext, value: Any, i: int, variables: dict[str, Any]) -> Any:
    """Evaluate a pagination parameter; ``$response`` and friends become JSON literals."""
    if not isinstance(value, str) or not value.startswith("="):
        return value

    def inject(match: re.Match[str]) -> str:
        return "(" + json.dumps(variables.get(match.group(1)), ensure_ascii=False) + ")"

    def per_block(block: re.Match[str]) -> str:
        return _VARS.sub(inject, block.group(0))

    expression = re.sub(r"{{[\s\S]*?}}", per_block, value)
    try:
        result = ctx.evaluate(expression, i, parameter="options.pagination")
    except ModuleNotFoundError as exc:
        raise BuildError("Pagination expressions need the expression engine") from exc
    if isinstance(result, ExpressionError):
        raise result
    return result


def _overrides(pagination: dict[str, Any]) -> dict[str, Any]:
    mode = pagination.get("paginationMode", "updateAParameterInEachRequest")
    if mode == "responseContainsNextURL":
        return {"url": pagination.get("nextURL", "")}
    params = ((pagination.get("parameters") or {}).get("parameters")) or []
    if len(params) == 1 and params[0].get("name", "") == "" and params[0].get("value", "") == "":
        raise BuildError(
            "At least one entry with 'Name' and 'Value' filled must be included in 'Parameters' "
            "to use 'Update a Parameter in Each Request' mode "
        )
    out: dict[str, dict[str, Any]] = {}
    for index, param in enumerate(params, start=1):
        if param.get("name", "") == "":
            raise BuildError(
                f"Parameter name must be set for parameter [{index}] in pagination settings"
            )
        if param.get("value", "") == "":
            raise BuildError(
                f"Some value must be provided for parameter [{index}] in pagination "
                "settings, omitting it will result in an infinite loop"
            )
        out.setdefault(param.get("type", "qs"), {})[param["name"]] = param["value"]
    return out


def _request_json(req: Request) -> dict[str, Any]:
    body = req.json_body if req.has_json else req.form
    return {
        "method": req.method,
        "url": req.url,
        "qs": dict(req.query),
        "headers": req.headers,
        "body": body,
    }


def _apply(
    ctx: ExecutionContext,
    req: Request,
    overrides: dict[str, Any],
    i: int,
    variables: dict[str, Any],
) -> Request:
    new = copy.deepcopy(req)
    if "url" in overrides:
        # like lodash's merge, an undefined (or empty) value keeps what the request had
        url = evaluate(ctx, overrides["url"], i, variables)
        if url not in (None, ""):
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise BuildError(f"'{url}' is not a valid URL.")
            new.url = url
    for name, raw in (overrides.get("qs") or {}).items():
        value = evaluate(ctx, raw, i, variables)
        if value is not None:
            new.query = [(k, v) for k, v in new.query if k != name] + [(name, _text(value))]
    for name, raw in (overrides.get("headers") or {}).items():
        value = evaluate(ctx, raw, i, variables)
        if value is not None:
            new.headers[name] = _text(value)
    for name, raw in (overrides.get("body") or {}).items():
        value = evaluate(ctx, raw, i, variables)
        if value is None:
            continue
        if new.has_json:
            new.json_body = {
                **(new.json_body if isinstance(new.json_body, dict) else {}),
                name: value,
            }
        else:
            new.form = {**(new.form or {}), name: _text(value)}
    return new


def _text(value: Any) -> str:
    from nodes.builtin._values import js_string

    return js_string(value)


def _should_continue(
    ctx: ExecutionContext, pagination: dict[str, Any], i: int, variables: dict[str, Any]
) -> bool:
    when = pagination.get("paginationCompleteWhen", "responseIsEmpty")
    response = variables["response"]
    if when == "responseIsEmpty":
        body = response.get("body")
        return bool(len(body)) if isinstance(body, list) else truthy(body)
    if when == "receiveSpecificStatusCodes":
        codes = []
        for part in str(pagination.get("statusCodesWhenComplete", "")).split(","):
            digits = re.match(r"\s*(\d+)", part)
            if digits:
                codes.append(int(digits.group(1)))
        return response.get("statusCode") not in codes
    expression = str(pagination.get("completeExpression", ""))
    if not expression or expression[0] != "=":
        raise BuildError("Invalid or empty Complete Expression")
    return not truthy(evaluate(ctx, expression, i, variables))


def paginate(
    ctx: ExecutionContext,
    do_send: Callable[[Request], Response],
    req: Request,
    pagination: dict[str, Any],
    settings: dict[str, Any],
    i: int,
) -> list[Response]:
    """Every page's response, in order (a final non-2xx page is left out)."""
    overrides = _overrides(pagination)
    max_requests = (
        int(pagination.get("maxRequests", 100)) if pagination.get("limitPagesFetched") else 0
    )
    interval = float(pagination.get("requestInterval") or 0) / 1000.0
    binary = settings.get("responseFormat") == "file"
    variables: dict[str, Any] = {
        "response": {},
        "pageCount": 0,
        "request": _request_json(req),
        "version": ctx.version,
    }
    responses: list[Response] = []
    previous_hash: str | None = None
    identical = 0
    while True:
        page_req = _apply(ctx, req, overrides, i, variables)
        variables["request"] = _request_json(page_req)
        resp = do_send(page_req)
        digest = hashlib.md5(resp.body).hexdigest()
        identical = identical + 1 if digest == previous_hash else 0
        previous_hash = digest
        if responses and identical > 3:
            raise NodeExecutionError(
                "The returned response was identical 5x, so requests got stopped",
                node=ctx.node.name,
                item_index=i,
                description='Check if "Pagination Completed When" has been configured correctly.',
            )
        responses.append(resp)
        body = None if binary else parsed_body(resp)
        variables["response"] = {
            "body": body,
            "headers": resp.headers,
            "statusCode": resp.status,
            "statusMessage": resp.reason,
        }
        variables["pageCount"] += 1
        if max_requests and variables["pageCount"] >= max_requests:
            break
        if not _should_continue(ctx, pagination, i, variables):
            break
        if not 200 <= resp.status < 300:
            raise api_error(resp, ctx.node.name, i)
        if interval:
            time.sleep(interval)
    if responses and not 200 <= responses[-1].status < 300 and not settings.get("neverError"):
        responses.pop()
    return responses
