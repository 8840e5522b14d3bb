"""Every API operation, written once as an ``Op`` (see ``_protocol``): the calls it makes,
the arguments' checks, and the parsing of the answers. ``Client`` and ``AsyncClient`` run
these; they add nothing but the I/O."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from n8nwork.client._progress import Progress
from n8nwork.client._protocol import NO_BODY, Call, Op, Session, Sleep
from n8nwork.client.errors import WaitTimeout
from n8nwork.client.models import (
    ApiKey,
    ApiKeyCreated,
    Credential,
    Execution,
    ExecutionSummary,
    RunAccepted,
    User,
    Workflow,
    WorkflowSummary,
)

Page = tuple[list[Any], str | None]
EXPORT_ONLY_FIELDS = frozenset(
    {
        "id",
        "active",
        "versionId",
        "activeVersionId",
        "tags",
        "createdAt",
        "updatedAt",
        "isArchived",
        "triggerCount",
        "shared",
        "homeProject",
        "parentFolder",
        "usedCredentials",
        "scopes",
        "projectId",
    }
)
"""Fields n8n (and n8nwork) add when exporting a workflow: not part of the document."""
SERVER_WAIT_S = 20.0
"""Longest a run call holds its request; a longer run is then followed by polling."""
POLL_FIRST_S, POLL_MAX_S = 0.05, 1.0


def document(workflow: Any) -> dict[str, Any]:
    """n8n JSON of ``workflow``: a dict, a client ``Workflow``, a builder ``Flow`` or a
    parsed ``n8nwork.Workflow`` (anything with ``to_n8n()`` or ``to_json()``)."""
    if isinstance(workflow, Mapping):
        raw = dict(workflow)
    elif hasattr(workflow, "to_n8n"):
        raw = dict(workflow.to_n8n())
    elif hasattr(workflow, "to_json"):
        raw = dict(workflow.to_json())
    else:
        raise TypeError(
            "a workflow is n8n JSON (a dict), a builder Flow or an n8nwork Workflow, "
            f"not {type(workflow).__name__}"
        )
    return {k: v for k, v in raw.items() if k not in EXPORT_ONLY_FIELDS}


def _id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise ValueError(f"{what} must be a non-empty string or integer, got {value!r}")
    return str(value)


# ---------------------------------------------------------------- pagination
def page(session: Session, path: str, model: Any, params: Mapping[str, Any]) -> Op[Page]:
    """One page of a list: its values and the next page's cursor (``None``: the last)."""
    body = yield from session.json(Call("GET", path, params=params))
    data = body.get("data", []) if isinstance(body, dict) else body
    cursor = body.get("nextCursor") if isinstance(body, dict) else None
    return [model.model_validate(v) for v in data], cursor


def workflows_params(filters: Mapping[str, Any]) -> dict[str, Any]:
    names = {"project_id": "projectId", "name": "name", "limit": "limit"}
    return _filters(filters, names, "workflows.list")


def executions_params(
    workflow_id: str | None, status: str | Sequence[str] | None, filters: Mapping[str, Any]
) -> dict[str, Any]:
    names = {
        "mode": "mode",
        "started_after": "startedAfter",
        "started_before": "startedBefore",
        "limit": "limit",
    }
    params = _filters(filters, names, "executions.list")
    params["workflowId"] = workflow_id
    params["status"] = [status] if isinstance(status, str) else status
    for key in ("startedAfter", "startedBefore"):
        if hasattr(params.get(key), "isoformat"):
            params[key] = params[key].isoformat()
    return params


def _filters(filters: Mapping[str, Any], names: Mapping[str, str], where: str) -> dict[str, Any]:
    unknown = sorted(set(filters) - set(names) - set(names.values()))
    if unknown:
        known = ", ".join(sorted(names))
        raise TypeError(f"{where}: unknown filter(s) {', '.join(unknown)} (known: {known})")
    return {names.get(k, k): v for k, v in filters.items()}


# ---------------------------------------------------------------- workflows
def workflow_get(session: Session, workflow_id: Any) -> Op[Workflow]:
    body = yield from session.json(Call("GET", f"/workflows/{_id(workflow_id, 'workflow id')}"))
    return Workflow.model_validate(body)


def workflow_create(session: Session, workflow: Any, project_id: str | None) -> Op[Workflow]:
    body = document(workflow)
    if project_id is not None:
        body["projectId"] = project_id
    created = yield from session.json(Call("POST", "/workflows", json=body))
    return Workflow.model_validate(created)


def workflow_update(
    session: Session, workflow_id: Any, workflow: Any, expected_version: int | None
) -> Op[Workflow]:
    body = document(workflow)
    if expected_version is not None:
        body["expectedVersion"] = expected_version
    path = f"/workflows/{_id(workflow_id, 'workflow id')}"
    updated = yield from session.json(Call("PUT", path, json=body))
    return Workflow.model_validate(updated)


def workflow_delete(session: Session, workflow_id: Any) -> Op[None]:
    yield from session.send(Call("DELETE", f"/workflows/{_id(workflow_id, 'workflow id')}"))


def workflow_activation(
    session: Session, workflow_id: Any, active: bool, version: int | None = None
) -> Op[Workflow]:
    wid = _id(workflow_id, "workflow id")
    action = "activate" if active else "deactivate"
    body: Any = {"version": version} if version is not None else NO_BODY
    yield from session.send(Call("POST", f"/workflows/{wid}/{action}", json=body))
    return (yield from workflow_get(session, wid))


def workflow_import(session: Session, n8n_json: Any, project_id: str | None) -> Op[Workflow]:
    if not isinstance(n8n_json, Mapping):
        raise TypeError(f"import_ takes one n8n workflow (a dict), not {type(n8n_json).__name__}")
    params = {"projectId": project_id}
    result = yield from session.json(
        Call("POST", "/workflows/import", params=params, json=dict(n8n_json))
    )
    made = WorkflowSummary.model_validate(result["data"][0])
    return (yield from workflow_get(session, made.id))


def workflow_import_many(
    session: Session, documents: Sequence[Any], project_id: str | None
) -> Op[list[WorkflowSummary]]:
    """Several n8n workflows in one request: all are imported, or none (the server checks
    them all first)."""
    if not documents or not all(isinstance(d, Mapping) for d in documents):
        raise TypeError("import_many takes a non-empty list of n8n workflows (dicts)")
    params = {"projectId": project_id}
    result = yield from session.json(
        Call("POST", "/workflows/import", params=params, json=[dict(d) for d in documents])
    )
    return [WorkflowSummary.model_validate(row) for row in result["data"]]


def workflow_export(session: Session, workflow_id: Any) -> Op[dict[str, Any]]:
    path = f"/workflows/{_id(workflow_id, 'workflow id')}/export"
    body = yield from session.json(Call("GET", path))
    return dict(body)


# ---------------------------------------------------------------- executions
def execution_get(session: Session, execution_id: Any, include_data: bool = True) -> Op[Execution]:
    path = f"/executions/{_id(execution_id, 'execution id')}"
    body = yield from session.json(Call("GET", path, params={"includeData": include_data}))
    return Execution.model_validate(body)


def execution_retry(session: Session, execution_id: Any, from_start: bool) -> Op[Execution]:
    path = f"/executions/{_id(execution_id, 'execution id')}/retry"
    body = yield from session.json(Call("POST", path, json={"fromStart": from_start}))
    accepted = RunAccepted.model_validate(body)
    return (yield from execution_get(session, accepted.execution_id))


def execution_cancel(session: Session, execution_id: Any) -> Op[ExecutionSummary]:
    path = f"/executions/{_id(execution_id, 'execution id')}/cancel"
    body = yield from session.json(Call("POST", path))
    return ExecutionSummary.model_validate(body)


def execution_delete(session: Session, execution_id: Any) -> Op[None]:
    yield from session.send(Call("DELETE", f"/executions/{_id(execution_id, 'execution id')}"))


def execution_wait(
    session: Session,
    execution_id: Any,
    timeout: float | None,
    progress: Progress,
    *,
    budget: float | None = None,
) -> Op[Execution]:
    """Poll until the execution finished (success, error, canceled or crashed); then fetch
    it with its data. ``WaitTimeout`` after ``timeout`` seconds (``budget``: the whole
    wait's time limit it reports, when part of it was spent before)."""
    eid = int(_id(execution_id, "execution id"))
    deadline = None if timeout is None else time.monotonic() + timeout
    interval = POLL_FIRST_S
    progress.start(f"execution {eid}")
    try:
        while True:
            summary = yield from execution_get(session, eid, include_data=False)
            progress.update(summary)
            if summary.finished:
                return (yield from execution_get(session, eid, include_data=True))
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise WaitTimeout(eid, float(budget or timeout or 0), summary.status)
            yield Sleep(interval if left is None else min(interval, left))
            interval = min(interval * 1.5, POLL_MAX_S)
    finally:
        progress.close()


def run(
    session: Session,
    workflow_or_id: Any,
    items: list[dict[str, Any]] | None,
    wait: bool,
    timeout: float | None,
    progress: Progress,
) -> Op[Execution]:
    """Run a stored workflow (its id) or a document (saved first as a new workflow). With
    ``wait``, the server holds the call up to ``SERVER_WAIT_S``; a longer run is polled."""
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    if items is not None and (
        not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items)
    ):
        raise TypeError("items must be a list of JSON objects (dicts)")
    started = time.monotonic()
    progress.start("starting the run")
    try:
        if isinstance(workflow_or_id, str | int) and not isinstance(workflow_or_id, bool):
            workflow_id = _id(workflow_or_id, "workflow id")
        else:
            progress.start("saving the workflow")
            saved = yield from workflow_create(session, workflow_or_id, None)
            workflow_id = saved.id
        body = {"items": [dict(i) for i in items]} if items is not None else {}
        held = min(SERVER_WAIT_S, timeout) if timeout is not None else SERVER_WAIT_S
        call = Call(
            "POST",
            f"/workflows/{workflow_id}/run",
            params={"wait": wait, "timeout": held if wait else None},
            json=body,
            read_timeout=held + session.timeout if wait else None,
        )
        progress.start("running")
        response = yield from session.send(call)
        if response.status_code == 200:
            return Execution.model_validate(response.json())
        accepted = RunAccepted.model_validate(response.json())
        if not wait:
            return (yield from execution_get(session, accepted.execution_id))
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        return (
            yield from execution_wait(
                session, accepted.execution_id, left, progress, budget=timeout
            )
        )
    finally:
        progress.close()


# ---------------------------------------------------------------- credentials
def credential_create(
    session: Session, name: str, type: str, data: Mapping[str, Any], project_id: str | None
) -> Op[Credential]:
    body: dict[str, Any] = {"name": name, "type": type, "data": dict(data)}
    if project_id is not None:
        body["projectId"] = project_id
    made = yield from session.json(Call("POST", "/credentials", json=body))
    return Credential.model_validate(made)


def credential_delete(session: Session, credential_id: Any) -> Op[None]:
    path = f"/credentials/{_id(credential_id, 'credential id')}"
    yield from session.send(Call("DELETE", path))


# ---------------------------------------------------------------- users
def user_create(
    session: Session,
    email: str,
    role: str,
    password: str | None,
    first_name: str | None,
    last_name: str | None,
) -> Op[User]:
    body: dict[str, Any] = {"email": email, "role": _role(role)}
    for key, value in (
        ("password", password),
        ("firstName", first_name),
        ("lastName", last_name),
    ):
        if value is not None:
            body[key] = value
    made = yield from session.json(Call("POST", "/users", json=body))
    return User.model_validate(made)


def _role(role: str) -> str:
    """``member``/``admin`` or n8n's ``global:member``/``global:admin``."""
    return role if ":" in role else f"global:{role}"


def user_set(session: Session, user_id: Any, **changes: Any) -> Op[User]:
    path = f"/users/{_id(user_id, 'user id')}"
    body = yield from session.json(Call("PATCH", path, json=changes))
    return User.model_validate(body)


# ---------------------------------------------------------------- API keys
def key_list(session: Session) -> Op[list[ApiKey]]:
    body = yield from session.json(Call("GET", "/api-keys"))
    return [ApiKey.model_validate(k) for k in body]


def key_create(session: Session, label: str, scopes: Sequence[str] | None) -> Op[ApiKeyCreated]:
    body: dict[str, Any] = {"name": label}
    if scopes is not None:
        body["scopes"] = list(scopes)
    made = yield from session.json(Call("POST", "/api-keys", json=body))
    return ApiKeyCreated.model_validate(made)


def key_revoke(session: Session, key_id: Any) -> Op[None]:
    yield from session.send(Call("DELETE", f"/api-keys/{_id(key_id, 'key id')}"))
