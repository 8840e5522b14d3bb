"""Workflows: CRUD (every save is a new immutable version), import/export of n8n JSON,
versions (list, get, restore), activation, and manual runs."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import anyio.from_thread
from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from n8nwork.errors import WorkflowError
from n8nwork.store.repo.projects import personal_project
from n8nwork.store.repo.workflows import (
    activate_workflow,
    create_workflow,
    deactivate_workflow,
    delete_workflow,
    get_workflow_version,
    list_workflow_versions,
    list_workflows,
    save_workflow_version,
)
from n8nwork.store.tables.workflows import WorkflowActivation, WorkflowRow
from n8nwork.workflow.model import Workflow
from n8nwork.workflow.validate import validate
from serve.access import audit, check_project, load_workflow, visible_projects
from serve.auth.principal import Principal
from serve.context import AppContext
from serve.deps import CtxDep, CurrentUser, SessionDep, check_scope, client_ip, reads_only
from serve.errors import RequestInvalidError
from serve.executions_view import execution_detail
from serve.models.base import MAX_INT, Limit, Page
from serve.models.executions import ExecutionDetail, RunAccepted
from serve.models.workflows import (
    DOCUMENT_FIELDS,
    ActivateRequest,
    ImportResult,
    RunRequest,
    VersionDetail,
    VersionPublic,
    WorkflowCreate,
    WorkflowPublic,
    WorkflowSummary,
    WorkflowUpdate,
)
from serve.webhooks import registration as webhook_registration
from serve.webhooks import test_routes
from serve.webhooks.routes_table import announce_change

router = APIRouter(prefix="/workflows", tags=["workflows"])
WorkflowId = Annotated[str, Path(min_length=1, max_length=36)]
VersionNo = Annotated[int, Path(ge=1, le=MAX_INT)]
MAX_IMPORT = 100


def routes_changed(ctx: AppContext) -> None:
    """After a commit that changed webhook routes: this replica reloads its table now, the
    others within a moment (``serve.webhooks.routes_table``)."""
    ctx.webhooks.routes.invalidate()
    anyio.from_thread.run(announce_change, ctx.cache)


def checked(ctx: AppContext, document: dict[str, Any]) -> Workflow:
    """The parsed, validated workflow (``WorkflowError`` → 422 naming node and problem)."""
    return validate(Workflow.from_json(document), ctx.registry)


def _active(session: Session, workflow_id: str) -> int | None:
    activation = session.get(WorkflowActivation, workflow_id)
    return activation.version if activation else None


def _public(session: Session, row: WorkflowRow) -> WorkflowPublic:
    version = get_workflow_version(session=session, workflow_id=row.id)
    return WorkflowPublic.full(row, version, _active(session, row.id))


def _target_project(session: Session, principal: Principal, project_id: str | None) -> str:
    if project_id is None:
        return personal_project(session=session, user_id=principal.user_id).id
    check_project(
        session,
        principal,
        project_id,
        "workflow:create",
        missing=f"project {project_id!r} not found",
    )
    return project_id


@router.post("", response_model=WorkflowPublic, status_code=201)
def workflows_create(
    body: WorkflowCreate,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> WorkflowPublic:
    """Store a workflow (n8n JSON) as version 1 of a new workflow."""
    project_id = _target_project(session, principal, body.project_id)
    if body.project_id is None:
        check_project(session, principal, project_id, "workflow:create", missing="project")
    document = body.document()
    checked(ctx, document)
    row, _ = create_workflow(
        session=session,
        project_id=project_id,
        document=document,
        created_by=principal.user_id,
        limits=ctx.store.limits,
    )
    audit(
        session,
        principal,
        "workflow.created",
        target_type="workflow",
        target_id=row.id,
        ip=client_ip(request),
    )
    session.commit()
    return _public(session, row)


@router.get("", response_model=Page[WorkflowSummary])
def workflows_list(
    principal: CurrentUser,
    session: SessionDep,
    project_id: Annotated[str | None, Query(alias="projectId", max_length=36)] = None,
    name: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
) -> Page[WorkflowSummary]:
    """Workflows you can see, by id; ``cursor`` is the previous page's ``nextCursor``."""
    if project_id is not None:
        check_project(
            session,
            principal,
            project_id,
            "workflow:read",
            missing=f"project {project_id!r} not found",
        )
        projects = None
    else:
        check_scope(principal, "workflow:read")
        projects = visible_projects(session, principal)
    rows = list_workflows(
        session=session,
        project_id=project_id,
        project_ids=projects,
        name_contains=name or None,
        limit=limit + 1,
        after_id=cursor,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        data=[WorkflowSummary.of(r, _active(session, r.id)) for r in rows],
        next_cursor=rows[-1].id if more else None,
    )


@router.post("/import", response_model=ImportResult, status_code=201)
def workflows_import(
    body: Annotated[dict[str, Any] | list[Any], Body()],
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
    project_id: Annotated[str | None, Query(alias="projectId", max_length=36)] = None,
) -> ImportResult:
    """Import n8n JSON exports (one workflow or a list), all or none. Fields n8n adds on
    export (``id``, ``active``, ``tags``, ``versionId``, ...) are ignored: each import is a
    new workflow with a new id."""
    target = _target_project(session, principal, project_id)
    if project_id is None:
        check_project(session, principal, target, "workflow:create", missing="project")
    documents = body if isinstance(body, list) else [body]
    if not documents or len(documents) > MAX_IMPORT:
        raise RequestInvalidError(
            "nothing to import", [("body", f"give 1 to {MAX_IMPORT} workflows")]
        )
    created = []
    for index, raw in enumerate(documents):
        where = f"[{index}]" if isinstance(body, list) else "body"
        if not isinstance(raw, dict):
            raise RequestInvalidError("not a workflow", [(where, "must be a JSON object")])
        document = {k: raw[k] for k in DOCUMENT_FIELDS if raw.get(k) is not None}
        name = document.get("name")
        if not isinstance(name, str) or not name.strip():
            document["name"] = "Imported workflow"
        document.setdefault("nodes", [])
        document.setdefault("connections", {})
        try:
            checked(ctx, document)
        except WorkflowError as exc:
            raise RequestInvalidError(
                "a workflow is invalid", [(f"{where}.nodes", p) for p in exc.problems]
            ) from exc
        row, _ = create_workflow(
            session=session,
            project_id=target,
            document=document,
            created_by=principal.user_id,
            note="imported",
            limits=ctx.store.limits,
        )
        audit(
            session,
            principal,
            "workflow.imported",
            target_type="workflow",
            target_id=row.id,
            ip=client_ip(request),
        )
        created.append(WorkflowSummary.of(row, None))
    session.commit()
    return ImportResult(data=created)


@router.get("/{workflow_id}", response_model=WorkflowPublic)
def workflows_get(
    workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep
) -> WorkflowPublic:
    """The workflow with its latest version's nodes and connections."""
    return _public(session, load_workflow(session, principal, workflow_id, "workflow:read"))


@router.put("/{workflow_id}", response_model=WorkflowPublic)
def workflows_update(
    workflow_id: WorkflowId,
    body: WorkflowUpdate,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> WorkflowPublic:
    """Save a new version. With ``expectedVersion``, 409 when someone saved in between."""
    row = load_workflow(session, principal, workflow_id, "workflow:update")
    document = body.document()
    checked(ctx, document)
    version = save_workflow_version(
        session=session,
        workflow_id=row.id,
        document=document,
        expected_version=body.expected_version,
        created_by=principal.user_id,
        note=body.note,
        limits=ctx.store.limits,
    )
    audit(
        session,
        principal,
        "workflow.updated",
        target_type="workflow",
        target_id=row.id,
        ip=client_ip(request),
        details={"version": version.version},
    )
    session.commit()
    return _public(session, row)


@router.delete("/{workflow_id}", status_code=204, response_class=Response)
def workflows_delete(
    workflow_id: WorkflowId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> Response:
    """Delete the workflow with its versions and executions."""
    row = load_workflow(session, principal, workflow_id, "workflow:delete")
    had_routes = webhook_registration.unregister(session, row.id) > 0
    delete_workflow(session=session, workflow_id=row.id)
    audit(
        session,
        principal,
        "workflow.deleted",
        target_type="workflow",
        target_id=row.id,
        ip=client_ip(request),
    )
    session.commit()
    if had_routes:
        routes_changed(ctx)
    return Response(status_code=204)


@router.get("/{workflow_id}/export")
def workflows_export(
    workflow_id: WorkflowId,
    principal: CurrentUser,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> dict[str, Any]:
    """n8n JSON of the latest (or the given) version, ready to import into n8n."""
    row = load_workflow(session, principal, workflow_id, "workflow:read")
    stored = get_workflow_version(session=session, workflow_id=row.id, version=version)
    active = _active(session, row.id)
    return {
        **stored.document,
        "id": row.id,
        "active": active is not None,
        "versionId": str(stored.version),
    }


@router.get("/{workflow_id}/versions", response_model=Page[VersionPublic])
def versions_list(
    workflow_id: WorkflowId,
    principal: CurrentUser,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Page[VersionPublic]:
    """Versions newest first; ``cursor`` is the last version number of the previous page."""
    row = load_workflow(session, principal, workflow_id, "workflow:read")
    rows = list_workflow_versions(
        session=session, workflow_id=row.id, limit=limit + 1, before=cursor
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        data=[VersionPublic.of(v) for v in rows],
        next_cursor=str(rows[-1].version) if more else None,
    )


@router.get("/{workflow_id}/versions/{version}", response_model=VersionDetail)
def versions_get(
    workflow_id: WorkflowId, version: VersionNo, principal: CurrentUser, session: SessionDep
) -> VersionDetail:
    row = load_workflow(session, principal, workflow_id, "workflow:read")
    stored = get_workflow_version(session=session, workflow_id=row.id, version=version)
    return VersionDetail(**VersionPublic.of(stored).model_dump(), document=stored.document)


@router.post("/{workflow_id}/versions/{version}/restore", response_model=WorkflowPublic)
def versions_restore(
    workflow_id: WorkflowId,
    version: VersionNo,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> WorkflowPublic:
    """Save an old version's document as the new latest version."""
    row = load_workflow(session, principal, workflow_id, "workflow:update")
    old = get_workflow_version(session=session, workflow_id=row.id, version=version)
    saved = save_workflow_version(
        session=session,
        workflow_id=row.id,
        document=old.document,
        created_by=principal.user_id,
        note=f"restored from version {version}",
        limits=ctx.store.limits,
    )
    audit(
        session,
        principal,
        "workflow.restored",
        target_type="workflow",
        target_id=row.id,
        ip=client_ip(request),
        details={"from": version, "version": saved.version},
    )
    session.commit()
    return _public(session, row)


@router.post("/{workflow_id}/activate", response_model=WorkflowSummary)
def workflows_activate(
    workflow_id: WorkflowId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
    body: ActivateRequest | None = None,
) -> WorkflowSummary:
    """Make the latest (or the given) version the active one."""
    row = load_workflow(session, principal, workflow_id, "workflow:activate")
    version = body.version if body else None
    stored = get_workflow_version(session=session, workflow_id=row.id, version=version)
    workflow = checked(ctx, stored.document)
    activation = activate_workflow(
        session=session,
        workflow_id=row.id,
        version=stored.version,
        activated_by=principal.user_id,
    )
    webhook_registration.register(session, row.id, workflow)
    audit(
        session,
        principal,
        "workflow.activated",
        target_type="workflow",
        target_id=row.id,
        ip=client_ip(request),
        details={"version": activation.version},
    )
    session.commit()
    routes_changed(ctx)
    return WorkflowSummary.of(row, activation.version)


@router.post("/{workflow_id}/deactivate", response_model=WorkflowSummary)
def workflows_deactivate(
    workflow_id: WorkflowId,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> WorkflowSummary:
    row = load_workflow(session, principal, workflow_id, "workflow:activate")
    webhook_registration.unregister(session, row.id)
    if deactivate_workflow(session=session, workflow_id=row.id):
        audit(
            session,
            principal,
            "workflow.deactivated",
            target_type="workflow",
            target_id=row.id,
            ip=client_ip(request),
        )
    session.commit()
    routes_changed(ctx)
    return WorkflowSummary.of(row, None)


@router.post("/{workflow_id}/webhook-test")
async def workflows_webhook_test(
    workflow_id: WorkflowId, ctx: CtxDep, principal: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    """Listen for test calls: for two minutes the latest saved version's Webhook nodes
    answer one call each under ``/webhook-test/<path>`` (a run in mode ``manual``)."""

    def prepare() -> tuple[str, int, Workflow]:
        row = load_workflow(session, principal, workflow_id, "workflow:execute")
        stored = get_workflow_version(session=session, workflow_id=row.id)
        return row.id, stored.version, checked(ctx, stored.document)

    found_id, version, workflow = await anyio.to_thread.run_sync(prepare)
    routes = webhook_registration.webhook_routes(workflow)
    if not routes:
        raise RequestInvalidError(
            "the workflow has no enabled Webhook node to listen for",
            [("nodes", "no enabled n8n-nodes-base.webhook node")],
        )
    await test_routes.listen(ctx.cache, test_routes.TestListen(found_id, version, routes))
    base = ctx.settings.public_url.rstrip("/")
    return {
        "workflowId": found_id,
        "version": version,
        "expiresInSeconds": test_routes.TTL_S,
        "webhooks": [
            {
                "method": r.method,
                "path": r.path,
                "node": r.node,
                "url": f"{base}/webhook-test/{r.path}",
            }
            for r in routes
        ],
    }


def normalize_items(items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """n8n items: ``{"json": {...}}`` kept, a plain object wrapped as ``{"json": obj}``."""
    if items is None:
        return None
    return [i if isinstance(i.get("json"), dict) else {"json": i} for i in items]


def _check_run(workflow: Workflow, body: RunRequest) -> None:
    problems = []
    if body.start_node is not None and body.start_node not in workflow.by_name:
        problems.append(("startNode", f"no node named {body.start_node!r} in the workflow"))
    for node in body.pin_data or {}:
        if node not in workflow.by_name:
            problems.append((f"pinData.{node}", "no node of that name in the workflow"))
    if problems:
        raise RequestInvalidError("the run request is invalid", problems)


@router.post(
    "/{workflow_id}/run",
    status_code=202,
    responses={200: {"model": ExecutionDetail}, 202: {"model": RunAccepted}},
)
@reads_only
async def workflows_run(
    workflow_id: WorkflowId,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
    body: RunRequest | None = None,
    wait: bool = False,
    timeout: Annotated[float | None, Query(gt=0, le=3600)] = None,
) -> Response:
    """Run the latest (or given) version by hand. ``wait=true`` answers with the finished
    execution (200), or 202 with its id if it runs longer than ``timeout`` seconds (at most
    the server's limit); otherwise 202 with the execution id at once."""
    request = body or RunRequest()

    def prepare() -> tuple[str, int, Workflow]:
        row = load_workflow(session, principal, workflow_id, "workflow:execute")
        stored = get_workflow_version(session=session, workflow_id=row.id, version=request.version)
        workflow = checked(ctx, stored.document)
        _check_run(workflow, request)
        found = (row.id, stored.version, workflow)
        session.rollback()  # expires the rows: read nothing from them after this
        return found

    found_id, version, workflow = await anyio.to_thread.run_sync(prepare)
    handle = await ctx.runtime.submit(
        workflow,
        items=normalize_items(request.items),
        mode="manual",
        pin_data=request.pin_data,
        workflow_id=found_id,
        workflow_version=version,
        start_node=request.start_node,
    )
    accepted = JSONResponse(
        RunAccepted(execution_id=handle.id, status="new").model_dump(by_alias=True),
        status_code=202,
        headers={"Location": f"/api/v1/executions/{handle.id}"},
    )
    if not wait:
        return accepted
    limit = min(timeout or ctx.config.max_wait_s, ctx.config.max_wait_s)
    if not await handle.wait(limit):
        return accepted
    detail = await anyio.to_thread.run_sync(lambda: execution_detail(session, handle.id, True))
    return JSONResponse(detail.model_dump(mode="json", by_alias=True), status_code=200)
