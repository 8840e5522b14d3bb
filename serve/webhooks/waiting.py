"""Resume URLs: ``/webhook-waiting/<execution id>`` (a Wait node with ``resume: webhook``,
n8n's ``$execution.resumeUrl``) and ``/form-waiting/<execution id>`` (``resume: form``: GET
shows the form, POST submits it). An optional suffix after the id is accepted (n8n's
``options.webhookSuffix``).

The execution must be parked at a Wait node waiting for that kind of call; the node's
settings decide the method, authentication, IP allow-list and the answer (``responseMode``:
``onReceived`` at once, ``lastNode``/``responseNode`` after the resumed run answered). The
resume itself is the runtime's (exactly once: the wait row's conditional delete), also after
a cluster restart: the wait is in the store. Unknown execution → 404; finished, or not
waiting for this kind of call → 409, each with a message saying so.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from n8nwork.store.errors import NotFoundError, StoreError
from n8nwork.store.repo.executions import get_execution
from n8nwork.store.repo.workflows import get_workflow_version
from n8nwork.store.tables.triggers import Wait
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Workflow
from serve.webhooks import handler
from serve.webhooks.auth import check_auth, check_ip
from serve.webhooks.form import form_item, render_form
from serve.webhooks.incoming import WebhookHttpError
from serve.webhooks.request_item import webhook_item
from serve.webhooks.response import received_response

WAIT_TYPE = "n8n-nodes-base.wait"


def _parked(ctx: Any, execution_id: int) -> tuple[str, Wait | None, Workflow | None, str]:
    """``(status, wait row, workflow, workflow id)`` of the execution (``NotFoundError`` if
    unknown)."""
    with ctx.store.sessions() as session:
        row = get_execution(session=session, execution_id=execution_id)
        wait = session.get(Wait, execution_id)
        workflow = None
        if wait is not None and row.workflow_version is not None:
            version = get_workflow_version(
                session=session, workflow_id=row.workflow_id, version=row.workflow_version
            )
            workflow = Workflow.from_json(version.document)
        return row.status, wait, workflow, row.workflow_id


def _execution_id(raw: str) -> int:
    head = raw.split("/", 1)[0]
    if not head.isdigit() or len(head) > 18:
        raise WebhookHttpError(404, f'The execution "{head}" does not exist')
    return int(head)


async def serve_webhook_waiting(request: Request) -> Response:
    return await _serve(request, kind="webhook")


async def serve_form_waiting(request: Request) -> Response:
    return await _serve(request, kind="form")


async def _serve(request: Request, *, kind: str) -> Response:
    ctx = request.app.state.ctx
    try:
        execution_id = _execution_id(request.path_params["rest"])
        try:
            status, wait, workflow, workflow_id = await anyio.to_thread.run_sync(
                _parked, ctx, execution_id
            )
        except NotFoundError as exc:
            raise WebhookHttpError(404, f"The execution {execution_id} does not exist") from exc
        if status in handler.FINISHED:
            raise WebhookHttpError(
                409, f"The execution {execution_id} has finished already ({status})"
            )
        if wait is None or wait.kind != kind or workflow is None:
            raise WebhookHttpError(
                409, f"The execution {execution_id} is not waiting for a {kind} call"
            )
        node = workflow.by_name.get(wait.node)
        if node is None or node.type != WAIT_TYPE:
            raise WebhookHttpError(
                409, f"The execution {execution_id} is not waiting at a Wait node"
            )
        params = thaw(node.parameters)
        return await _resume(request, ctx, execution_id, node, params, kind, workflow_id)
    except WebhookHttpError as exc:
        return handler._error(exc)
    except StoreError:
        return JSONResponse(
            {"code": 503, "message": "the workflow store is unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )


async def _resume(
    request: Request,
    ctx: Any,
    execution_id: int,
    node: Any,
    params: dict[str, Any],
    kind: str,
    workflow_id: str,
) -> Response:
    incoming = await handler.incoming_of(request, f"{execution_id}", {}, ctx.config.max_body_bytes)
    options = params.get("options") or {}
    check_ip(incoming, str(options.get("ipWhitelist") or ""))
    authentication = str(params.get("incomingAuthentication") or "none")
    if authentication != "none":
        credential_type = handler.CREDENTIAL_TYPES.get(authentication, authentication)
        check_auth(
            incoming,
            authentication,
            await ctx.webhooks.credential(node, credential_type, workflow_id),
        )
    if kind == "form":
        if request.method == "GET":
            return HTMLResponse(render_form(params))
        if request.method != "POST":
            raise WebhookHttpError(405, "Send the form with POST", {"Allow": "GET, POST"})
        item = form_item(incoming, params, timezone=ctx.settings.timezone)
    else:
        method = str(params.get("httpMethod") or "GET").upper()
        if request.method != method:
            raise WebhookHttpError(
                405,
                f"This webhook is not registered for {request.method} requests. "
                f"Did you mean to make a {method} request?",
                {"Allow": method},
            )
        base = handler._base_url(request, ctx.settings.public_url)
        item = webhook_item(
            incoming,
            params=params,
            type_version=float(node.type_version),
            mode="production",
            webhook_url=f"{base}/webhook-waiting/{execution_id}",
        )
    try:
        await ctx.runtime.resume(execution_id, [[item]])
    except LookupError as exc:  # not waiting any more (resumed by another call meanwhile)
        raise WebhookHttpError(409, str(exc)) from exc
    response_mode = str(params.get("responseMode") or "onReceived")
    version = float(node.type_version)
    if kind == "form" or response_mode == "onReceived":
        if kind == "form":
            return HTMLResponse("<!doctype html><title>Form submitted</title><p>Thank you.</p>")
        return handler.to_response(received_response(params, version))
    deadline = time.monotonic() + ctx.config.max_wait_s
    state = await handler.wait_for_answer(ctx, execution_id, deadline, response_mode)
    if state is None:
        raise WebhookHttpError(
            504,
            f"The workflow did not answer within {ctx.config.max_wait_s:g} s; execution "
            f"{execution_id} goes on",
        )
    return handler.to_response(handler.answer_of(response_mode, params, version, state))
