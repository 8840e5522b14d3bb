"""Answering ``/webhook/<path>`` and ``/webhook-test/<path>``: find the route, check the
caller (IP allow-list, authentication), turn the request into the Webhook node's item, run
the workflow, answer as the node's ``responseMode`` says.

- A run that qualifies (``inline_run``) executes whole here and is committed, with every
  node run, in one transaction before the response is sent.
- Any other run is submitted to the runtime (committed before ``submit`` returns):
  ``onReceived`` answers at once; ``lastNode`` and ``responseNode`` wait for the run (also
  across Wait nodes) up to ``ApiConfig.max_wait_s``, then answer 504 naming the execution.

Errors are JSON ``{"code", "message"}`` (n8n's webhook error shape) with a 4xx status —
never a trace; a failed run in ``lastNode``/``responseNode`` mode answers as the workflow's
error response (``response.error_response``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actors.programs import Program
from n8nwork.errors import CacheUnavailableError
from n8nwork.observability import metrics, redaction, tracing
from n8nwork.observability import runs as observe
from n8nwork.run.state import RunState
from n8nwork.store import NewExecution
from n8nwork.store.errors import StoreError
from n8nwork.store.repo.executions import get_execution, load_run_state
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node
from serve.errors import RuntimeBusyError
from serve.webhooks import idempotency, test_routes
from serve.webhooks.auth import check_auth, check_bot, check_ip
from serve.webhooks.incoming import IncomingRequest, WebhookHttpError
from serve.webhooks.inline_run import node_runs, run_inline
from serve.webhooks.request_item import webhook_item
from serve.webhooks.response import (
    WebhookResponse,
    empty_response,
    error_response,
    last_node_response,
    node_response,
    received_response,
)
from serve.webhooks.routes_table import RouteMatch
from serve.webhooks.service import WebhookService

log = logging.getLogger("n8nwork.serve.webhooks")

CREDENTIAL_TYPES = {
    "basicAuth": "httpBasicAuth",
    "headerAuth": "httpHeaderAuth",
    "jwtAuth": "jwtAuth",
}
FINISHED = ("success", "error", "canceled", "crashed")
POLL_S = 0.05


def _error(exc: WebhookHttpError) -> Response:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers or None)


def to_response(answer: WebhookResponse) -> Response:
    return Response(
        content=answer.body,
        status_code=answer.status,
        headers=answer.headers,
        media_type=answer.media_type,
    )


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise WebhookHttpError(413, f"the request body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def incoming_of(
    request: Request, path: str, path_params: dict[str, str], max_body: int
) -> IncomingRequest:
    """The request as the webhook functions take it (body read, size-limited)."""
    raw_headers = request.headers.raw
    return IncomingRequest(
        method=request.method,
        url=str(request.url),
        path=path,
        path_params=path_params,
        headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw_headers],
        query=list(request.query_params.multi_items()),
        body=await _read_body(request, max_body),
        client_ip=request.client.host if request.client else "",
    )


def _base_url(request: Request, public_url: str) -> str:
    if public_url:
        return public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


async def _not_found(svc: WebhookService, method: str, path: str, test: bool) -> WebhookHttpError:
    methods = [] if test else await svc.routes.methods(path)
    if methods:
        return WebhookHttpError(
            405,
            f"This webhook is not registered for {method} requests. "
            f"Did you mean to make a {' or '.join(methods)} request?",
            {"Allow": ", ".join(methods)},
        )
    if test:
        return WebhookHttpError(
            404,
            f'The requested webhook "{method} {path}" is not registered. Ask to listen for a '
            "test call first (POST /api/v1/workflows/{id}/webhook-test); a test webhook "
            "answers one call.",
        )
    return WebhookHttpError(404, f'The requested webhook "{method} {path}" is not registered.')


async def serve_production(request: Request) -> Response:
    return await _serve(request, test=False)


async def serve_test(request: Request) -> Response:
    return await _serve(request, test=True)


async def _serve(request: Request, *, test: bool) -> Response:
    ctx = request.app.state.ctx
    svc: WebhookService = ctx.webhooks
    method = request.method
    path = request.path_params["path"]
    try:
        found: RouteMatch | None
        try:
            if test:
                found = await test_routes.match(ctx.cache, method, path)
            else:
                found = await svc.routes.match(method, path)
        except CacheUnavailableError as exc:
            metrics.cache_error("webhook")
            raise WebhookHttpError(503, "webhooks are unavailable right now; retry later") from exc
        if found is None:
            raise await _not_found(svc, method, path, test)
        return await _answer_route(request, ctx, svc, found, test=test)
    except WebhookHttpError as exc:
        return _error(exc)
    except RuntimeBusyError as exc:
        return JSONResponse(
            {"code": 503, "message": str(exc)},
            status_code=503,
            headers={"Retry-After": str(int(exc.retry_after or 5))},
        )
    except StoreError as exc:
        metrics.database_error("webhook")
        log.warning("webhook %s /%s: store unavailable: %s", method, path, exc)
        return JSONResponse(
            {"code": 503, "message": "the workflow store is unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )


async def _answer_route(
    request: Request, ctx: Any, svc: WebhookService, found: RouteMatch, *, test: bool
) -> Response:
    route = found.route
    try:
        program, inline = await svc.program(route.workflow_id, route.version)
    except StoreError as exc:
        raise WebhookHttpError(404, f'The workflow of webhook "/{route.path}" is gone') from exc
    node = program.workflow.by_name.get(route.node)
    if node is None:
        raise WebhookHttpError(404, f'The webhook node "{route.node}" is not in the workflow')
    params = _parameters(program, node)
    incoming = await incoming_of(request, route.path, found.params, ctx.config.max_body_bytes)
    options = params.get("options") or {}
    check_ip(incoming, str(options.get("ipWhitelist") or ""))
    check_bot(incoming, options.get("ignoreBots"))
    authentication = str(params.get("authentication") or "none")
    jwt_payload = None
    if authentication != "none":
        kind = CREDENTIAL_TYPES.get(authentication, authentication)
        credential = await svc.credential(node, kind, route.workflow_id)
        redaction.remember(credential)  # never in a log line, whatever logs it
        jwt_payload = check_auth(incoming, authentication, credential)
        incoming = _hide_credential(incoming, authentication, credential)
    key = request.headers.get(idempotency.HEADER)
    scoped = None
    if key is not None:
        scoped = idempotency.scoped_key(request.method, route.path, key)
        replay = await idempotency.claim(ctx.cache, scoped)
        if replay is not None:
            return to_response(replay)
    mode = "manual" if test else "webhook"
    base = _base_url(request, ctx.settings.public_url)
    try:
        item = webhook_item(
            incoming,
            params=params,
            type_version=float(node.type_version),
            mode="test" if test else "production",
            webhook_url=f"{base}/webhook/{route.path}",
            jwt_payload=jwt_payload,
        )
        if test:
            await test_routes.consume(ctx.cache, route)
        answer, execution_id = await _run(ctx, svc, program, inline, node, params, item, mode,
                                          route.workflow_id, route.version)  # fmt: skip
    except BaseException:
        if scoped is not None:
            await idempotency.release(ctx.cache, scoped)
        raise
    if scoped is not None:
        await idempotency.complete(ctx.cache, scoped, answer, execution_id)
    return to_response(answer)


def _hide_credential(
    incoming: IncomingRequest, authentication: str, credential: dict[str, Any] | None
) -> IncomingRequest:
    """The request without the secret the caller authenticated with (the header of a
    ``headerAuth`` credential, ``Authorization`` otherwise): the run's data is stored and
    shown, a secret must not be (the header stays, its value reads ``**hidden**``)."""
    name = str((credential or {}).get("name") or "") if authentication == "headerAuth" else ""
    hidden = name.strip().lower() or "authorization"
    headers = [(k, "**hidden**" if k == hidden else v) for k, v in incoming.headers]
    return dataclasses.replace(incoming, headers=headers)


_PARAMS: dict[tuple[str, str], dict[str, Any]] = {}


def _parameters(program: Program, node: Node) -> dict[str, Any]:
    """The node's parameters as plain values, memoized per workflow version (versions are
    immutable; ad-hoc documents are keyed by their digest)."""
    key = (program.key, node.name)
    found = _PARAMS.get(key)
    if found is None:
        if len(_PARAMS) > 4096:
            _PARAMS.clear()
        found = _PARAMS[key] = thaw(node.parameters)
    return found


async def _run(
    ctx: Any,
    svc: WebhookService,
    program: Program,
    inline: bool,
    node: Node,
    params: dict[str, Any],
    item: dict[str, Any],
    mode: str,
    workflow_id: str,
    version: int,
) -> tuple[WebhookResponse, int]:
    response_mode = str(params.get("responseMode") or "onReceived")
    version_no = float(node.type_version)
    if inline:
        span = tracing.start_span("n8nwork.execution", attributes={
            "n8nwork.workflow_id": workflow_id, "n8nwork.mode": mode, "n8nwork.inline": True
        }) if tracing.ENABLED else None  # fmt: skip
        with observe.run_scope(None, workflow_id, span):
            state = run_inline(program, start_node=node.name, items=[item], mode=mode)
        if state is None:
            observe.end_span(span)  # it goes to the runtime after all, from scratch
        else:
            tracing.stamp(state, tracing.traceparent_of(span) if span else None)
            observe.started(state, workflow_id)
            observe.finished(state, workflow_id, state.status)
            spec = NewExecution(
                workflow_id=workflow_id,
                workflow_version=version,
                mode=mode,
                trigger=node.name,
                status=state.status,
                state=state,
                runs=node_runs(state),
            )
            execution_id = await svc.writer.acreate(spec)
            if span is not None:
                span.set_attribute("n8nwork.execution_id", str(execution_id))
                observe.end_span(span, state.status)
            return answer_of(response_mode, params, version_no, state), execution_id
    handle = await ctx.runtime.submit(
        program.workflow,
        items=[item],
        mode=mode,
        workflow_id=workflow_id,
        workflow_version=version,
        start_node=node.name,
    )
    if response_mode == "onReceived":
        return received_response(params, version_no), handle.id
    deadline = time.monotonic() + ctx.config.max_wait_s
    if response_mode != "responseNode":  # a Respond node may answer before the run ends
        await handle.wait(ctx.config.max_wait_s)
    state = await wait_for_answer(ctx, handle.id, deadline, response_mode)
    if state is None:
        raise WebhookHttpError(
            504,
            f"The workflow did not answer within {ctx.config.max_wait_s:g} s; execution "
            f"{handle.id} goes on",
        )
    return answer_of(response_mode, params, version_no, state), handle.id


async def wait_for_answer(
    ctx: Any, execution_id: int, deadline: float, response_mode: str
) -> RunState | None:
    """The run's state once it finished (``lastNode``) or once a Respond to Webhook node
    answered (``responseNode``); ``None`` at the deadline."""
    while True:
        state, status = await anyio.to_thread.run_sync(_read_state, ctx, execution_id)
        if status in FINISHED:
            return state
        if response_mode == "responseNode" and _respond_description(state) is not None:
            return state
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(POLL_S)


def _read_state(ctx: Any, execution_id: int) -> tuple[RunState, str]:
    with ctx.store.sessions() as session:
        row = get_execution(session=session, execution_id=execution_id)
        state = load_run_state(session=session, execution_id=execution_id)
        return state, row.status


def _respond_description(state: RunState) -> dict[str, Any] | None:
    """The response of the first Respond to Webhook node that ran, if one did."""
    for context in state.context.values():
        found = context.get("webhookResponse") if isinstance(context, dict) else None
        if isinstance(found, dict):
            return found
    return None


def answer_of(
    response_mode: str, params: dict[str, Any], version: float, state: RunState
) -> WebhookResponse:
    if response_mode == "responseNode":
        description = _respond_description(state)
        if description is not None:
            return node_response(description)
    if state.status == "error":
        return error_response(state.error or {})
    if response_mode == "responseNode":
        return empty_response(params, version)
    if response_mode == "onReceived":
        return received_response(params, version)
    last = state.last_node_executed
    runs = state.run_data.get(last) if last else None
    items = runs[-1].outputs[0] if runs and runs[-1].outputs else None
    return last_node_response(params, version, items)
