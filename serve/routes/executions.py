"""Executions: list (filters, keyset pagination), get with per-node run data, cancel, retry
(from the failed node or from the start), delete, and live events (Server-Sent Events)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlmodel import Session

from n8nwork.run.state import RunState
from n8nwork.store.errors import ConflictError
from n8nwork.store.repo.executions import (
    delete_execution,
    get_execution,
    load_run_state,
    set_retry_of,
)
from n8nwork.store.repo.history import ExecutionFilter, list_executions
from n8nwork.store.repo.workflows import get_workflow_version
from n8nwork.store.tables.executions import ExecutionData
from n8nwork.workflow.model import Workflow
from serve.access import audit, load_execution, load_workflow, visible_projects
from serve.deps import CtxDep, CurrentUser, SessionDep, check_scope, client_ip
from serve.errors import RequestInvalidError
from serve.executions_view import execution_detail
from serve.models.base import MAX_ID, Limit, Page
from serve.models.executions import ExecutionDetail, ExecutionPublic, RetryRequest, RunAccepted
from serve.routes.workflows import checked

router = APIRouter(prefix="/executions", tags=["executions"])
ExecutionId = Annotated[int, Path(ge=1, le=MAX_ID)]
Status = Literal["new", "running", "waiting", "success", "error", "canceled", "crashed"]
Mode = Literal[
    "manual", "trigger", "webhook", "retry", "integrated", "cli", "internal", "error", "evaluation"
]
TERMINAL_EVENTS = ("finished",)
RETRYABLE = ("error", "crashed", "canceled")
EVENT_ID = re.compile(r"0|[0-9]{1,15}(-[0-9]{1,15})?")


@router.get("", response_model=Page[ExecutionPublic])
def executions_list(
    principal: CurrentUser,
    session: SessionDep,
    workflow_id: Annotated[str | None, Query(alias="workflowId", max_length=36)] = None,
    status: Annotated[list[Status] | None, Query(max_length=7)] = None,
    mode: Annotated[list[Mode] | None, Query(max_length=9)] = None,
    started_after: Annotated[datetime | None, Query(alias="startedAfter")] = None,
    started_before: Annotated[datetime | None, Query(alias="startedBefore")] = None,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ExecutionPublic]:
    """Executions you can see, newest first (by start time with a time range); ``cursor``
    is the previous page's ``nextCursor``. Times need a time zone."""
    problems = [
        (name, "give a time zone (e.g. Z)")
        for name, when in (("startedAfter", started_after), ("startedBefore", started_before))
        if when is not None and when.tzinfo is None
    ]
    if problems:
        raise RequestInvalidError("the filter is invalid", problems)
    check_scope(principal, "execution:read")
    if workflow_id is not None:
        load_workflow(session, principal, workflow_id, "execution:read")
        projects = None
    else:
        projects = visible_projects(session, principal)
    flt = ExecutionFilter(
        workflow_ids=[workflow_id] if workflow_id else [],
        statuses=list(status or []),
        modes=list(mode or []),
        started_after=started_after,
        started_before=started_before,
        project_ids=projects,
    )
    page = list_executions(session=session, filter=flt, limit=limit, cursor=cursor)
    return Page(data=[ExecutionPublic.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/{execution_id}", response_model=ExecutionDetail)
def executions_get(
    execution_id: ExecutionId,
    principal: CurrentUser,
    session: SessionDep,
    include_data: Annotated[bool, Query(alias="includeData")] = True,
) -> ExecutionDetail:
    """The execution and (``includeData``, default true) every node's run data."""
    load_execution(session, principal, execution_id, "execution:read")
    return execution_detail(session, execution_id, include_data)


@router.post("/{execution_id}/cancel", response_model=ExecutionPublic, status_code=202)
async def executions_cancel(
    execution_id: ExecutionId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> ExecutionPublic:
    """Ask the run to stop; it ends ``canceled`` (409 if it already finished)."""

    def prepare() -> None:
        execution, _ = load_execution(session, principal, execution_id, "execution:cancel")
        if execution.finished:
            raise ConflictError(f"execution {execution_id} already finished ({execution.status})")
        audit(
            session,
            principal,
            "execution.canceled",
            target_type="execution",
            target_id=execution_id,
            ip=client_ip(request),
        )
        session.commit()

    await anyio.to_thread.run_sync(prepare)
    await ctx.runtime.cancel(execution_id)

    def reread() -> ExecutionPublic:
        public = ExecutionPublic.of(get_execution(session=session, execution_id=execution_id))
        session.rollback()
        return public

    return await anyio.to_thread.run_sync(reread)


def _retry_plan(
    session: Session, execution_id: int, from_start: bool
) -> tuple[dict[str, Any], int | None, dict[str, Any] | None, list[dict[str, Any]] | None]:
    """The document to run, its version, the pin data and the start items of a retry.

    From the failed node: every node that succeeded with a single output is pinned to its
    output (so it is not executed again, as n8n's retry keeps earlier run data); the failed
    node and what follows run again. From the start: the original pin data and the start
    node's input only."""
    execution = get_execution(session=session, execution_id=execution_id)
    if execution.workflow_version is not None:
        document = get_workflow_version(
            session=session,
            workflow_id=execution.workflow_id,
            version=execution.workflow_version,
        ).document
    else:
        data = session.get(ExecutionData, execution_id)
        if data is None or data.workflow is None:
            raise ConflictError(f"execution {execution_id} kept no workflow to retry")
        document = data.workflow
    state: RunState = load_run_state(session=session, execution_id=execution_id)
    pins: dict[str, Any] = dict(state.pin_data or {})
    items = None
    workflow = Workflow.from_json(document)
    starts = [n.name for n in workflow.nodes if not workflow.parents.get(n.name)]
    for name in starts:
        runs = state.run_data.get(name) or []
        if runs and runs[0].status == "success" and name not in pins:
            items = runs[0].output(0) or None
            break
    if not from_start:
        for name, runs in state.run_data.items():
            last = runs[-1] if runs else None
            if (
                last is not None
                and last.status == "success"
                and last.outputs is not None
                and len(last.outputs) == 1
                and name in workflow.by_name
            ):
                pins[name] = last.output(0)
    return document, execution.workflow_version, pins or None, items


@router.post("/{execution_id}/retry", response_model=RunAccepted, status_code=202)
async def executions_retry(
    execution_id: ExecutionId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
    body: RetryRequest | None = None,
) -> JSONResponse:
    """Run a failed (or canceled) execution again, as a new execution in ``retry`` mode."""
    retry = body or RetryRequest()

    def prepare() -> tuple[str, Workflow, int | None, Any, Any]:
        execution, workflow_row = load_execution(
            session, principal, execution_id, "execution:retry"
        )
        if execution.status not in RETRYABLE:
            raise ConflictError(
                f"execution {execution_id} is {execution.status}; only failed, crashed or "
                "canceled executions are retried"
            )
        document, version, pins, items = _retry_plan(session, execution_id, retry.from_start)
        workflow_id = workflow_row.id
        session.rollback()  # expires the rows: read nothing from them after this
        return workflow_id, checked(ctx, document), version, pins, items

    workflow_id, workflow, version, pins, items = await anyio.to_thread.run_sync(prepare)
    handle = await ctx.runtime.submit(
        workflow,
        items=items,
        mode="retry",
        pin_data=pins,
        workflow_id=workflow_id,
        workflow_version=version,
    )

    def link() -> None:
        set_retry_of(session=session, execution_id=handle.id, retry_of=execution_id)
        audit(
            session,
            principal,
            "execution.retried",
            target_type="execution",
            target_id=execution_id,
            ip=client_ip(request),
            details={"retry": handle.id, "fromStart": retry.from_start},
        )
        session.commit()

    await anyio.to_thread.run_sync(link)
    return JSONResponse(
        RunAccepted(execution_id=handle.id, status="new").model_dump(by_alias=True),
        status_code=202,
        headers={"Location": f"/api/v1/executions/{handle.id}"},
    )


@router.delete("/{execution_id}", status_code=204, response_class=Response)
def executions_delete(
    execution_id: ExecutionId, request: Request, principal: CurrentUser, session: SessionDep
) -> Response:
    """Delete a finished execution and its run data (409 while it runs: cancel it first)."""
    load_execution(session, principal, execution_id, "execution:delete")
    delete_execution(session=session, execution_id=execution_id)
    audit(
        session,
        principal,
        "execution.deleted",
        target_type="execution",
        target_id=execution_id,
        ip=client_ip(request),
    )
    session.commit()
    return Response(status_code=204)


def _sse(event_id: str | None, kind: str, data: Any) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"{head}event: {kind}\ndata: {body}\n\n".encode()


@router.get(
    "/{execution_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def executions_events(
    execution_id: ExecutionId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
    last_event_id: Annotated[str | None, Query(alias="lastEventId", max_length=64)] = None,
) -> StreamingResponse:
    """Live events of a run as Server-Sent Events (``event:`` is the event type, ``data:``
    its JSON). Reconnect with the ``Last-Event-ID`` header to resume after an event. The
    stream ends after ``finished``."""

    def status() -> str:
        row = get_execution(session=session, execution_id=execution_id)
        session.rollback()
        return row.status

    def check() -> None:
        load_execution(session, principal, execution_id, "execution:read")
        session.rollback()

    await anyio.to_thread.run_sync(check)
    after = request.headers.get("last-event-id") or last_event_id or "0"
    if not EVENT_ID.fullmatch(after):
        raise RequestInvalidError(
            "Last-Event-ID is not an event id of this stream", [("Last-Event-ID", "invalid")]
        )
    runtime = ctx.runtime
    first = await runtime.events(execution_id, after_id=after, count=100, block_ms=0)
    keepalive_ms = int(ctx.config.sse_keepalive_s * 1000)

    async def events() -> AsyncIterator[bytes]:
        nonlocal after
        batch = first
        while True:
            for event in batch:
                after = event.id
                kind = str(event.data.get("type") or "message")
                yield _sse(event.id, kind, event.data)
                if kind in TERMINAL_EVENTS:
                    return
            if not batch:
                current = await anyio.to_thread.run_sync(status)
                if current in ("success", "error", "canceled", "crashed"):
                    # Finished, and its stream has nothing more (or expired): say so and end.
                    late = await runtime.events(execution_id, after_id=after, count=100, block_ms=0)
                    if late:
                        batch = late
                        continue
                    yield _sse(None, "finished", {"status": current, "replayed": True})
                    return
                if await request.is_disconnected():
                    return
                yield b": keep-alive\n\n"
            batch = await runtime.events(
                execution_id, after_id=after, count=100, block_ms=keepalive_ms
            )

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
