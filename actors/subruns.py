"""Sub-workflows on the Ray runtime: a run's executeWorkflow node starts other executions and
(usually) waits for them without holding a host or a worker.

The flow (the pure parts are ``n8nwork.run.subworkflow`` and the machine):

1. The node returns ``RunWorkflows``; the executor turns it into ``NodeCallsWorkflows``.
2. ``resolve``: before the machine sees the event, the run's host resolves every call against
   the store (a workflow id: its active version for production runs, else its latest version;
   the caller policy; the Execute Workflow Trigger to start at; the depth limit). A call that
   cannot start becomes the node's failure (``NodeFailed``), so onError and retries apply.
3. The machine answers ``StartWorkflows`` (+ ``Suspend`` when it waits). ``start`` writes, in
   ONE transaction: the children (status ``new``, mode ``integrated``, ``parent_execution_id``,
   their start in the stored state), their ids into the parent's state (``WorkflowsStarted``),
   the parent's checkpoint (fenced by its lease epoch) and, when it waits, its wait row (kind
   ``subworkflow``) and the release of its lease. Only then are the children announced (the
   host's report to the directory, which admits and places them): commit before announce.
   The children carry an idempotency key (``trigger``: node, run index, attempt), so writing
   again after a lost acknowledgement creates nobody twice.
4. A child that ends on a host is reported (``returned``: child, parent); the directory asks
   the store whether every child the parent waits for finished, takes the parent's wait row
   (exactly once: the conditional delete decides) and wakes it with ``Resume``. The woken
   parent's host reads the children's results (``results``) and feeds ``WorkflowsReturned``.
5. Safety nets in the directory (``ready_parents(None)``, ``unannounced``): a parent whose
   children all finished but whose wake-up was lost (a host died before its report), and
   children committed but never announced, are found by a periodic sweep and at start.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col, func, select

from n8nwork.errors import N8nworkError
from n8nwork.run.events import (
    Command,
    Event,
    NodeCallsWorkflows,
    NodeFailed,
    StartWorkflows,
    Suspend,
    WorkflowsReturned,
    WorkflowsStarted,
)
from n8nwork.run.state import RunState
from n8nwork.run.subworkflow import (
    MODE,
    SubworkflowError,
    check_depth,
    child_state,
    label_of,
    last_node_outputs,
    start_node_of,
)
from n8nwork.store import Checkpoint, InvalidInputError, LeaseLostError, NewExecution, Store
from n8nwork.store.checkpoint import (
    apply_checkpoints,
    apply_creates,
    prepare_checkpoint,
    prepare_create,
)
from n8nwork.store.errors import NotFoundError, StoreUnavailableError
from n8nwork.store.repo.executions import get_execution, load_run_state
from n8nwork.store.repo.leases import release_leases
from n8nwork.store.repo.waits import create_wait
from n8nwork.store.repo.workflows import active_version, get_workflow, get_workflow_version
from n8nwork.store.tables.executions import FINISHED, Execution, ExecutionData
from n8nwork.store.tables.triggers import Wait
from n8nwork.store.types import utcnow

if TYPE_CHECKING:
    from actors.run_loop import RunActor

log = logging.getLogger(__name__)

WAIT_KIND = "subworkflow"
ADHOC_PROJECT = "n8nwork-adhoc"
UNANNOUNCED_GRACE_S = 60.0
"""A ``new`` execution nobody placed for this long was committed but never announced (its
announcer died): the directory's sweep starts it."""
COMMIT_RETRIES = 8

Spawned = tuple[int, str, int | None, bool]
"""An execution to admit and place: (id, workflow id, workflow limit, dedicated)."""


# ------------------------------------------------------------------------------ store
def _caller_allowed(
    settings: Mapping[str, Any], child_project: str, parent_project: str | None, parent_id: str
) -> bool:
    """n8n's ``callerPolicy`` of the called workflow (default: same project/owner)."""
    policy = settings.get("callerPolicy") or "workflowsFromSameOwner"
    if policy == "any":
        return True
    if policy == "none":
        return False
    if policy == "workflowsFromAList":
        raw = settings.get("callerIds") or ""
        allowed = {s.strip() for s in str(raw).split(",") if s.strip()}
        return parent_id in allowed
    # Notebook runs (ad-hoc project) come from code that holds the store's credentials anyway.
    return parent_project in (child_project, ADHOC_PROJECT)


def resolve_calls(
    store: Store,
    *,
    calls: Sequence[Mapping[str, Any]],
    parent_workflow_id: str,
    prefer_active: bool,
    depth: int,
    max_depth: int,
    default_limit: int | None = None,
) -> list[dict[str, Any]]:
    """Resolve the node's calls (see ``n8nwork.run.subworkflow``); raises
    ``SubworkflowError`` naming the first call that cannot start."""
    out: list[dict[str, Any]] = []
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    with store.sessions() as session:
        parent_project: str | None = None
        try:
            parent_project = get_workflow(
                session=session, workflow_id=parent_workflow_id
            ).project_id
        except NotFoundError:
            parent_project = None
        for call in calls:
            if call.get("source") == "parameter":
                document = dict(call.get("document") or {})
                resolved: dict[str, Any] = {
                    "workflowId": parent_workflow_id,
                    "version": None,
                    "snapshot": document,
                }
            else:
                workflow_id = str(call.get("workflowId") or "")
                if workflow_id not in found:
                    try:
                        row = get_workflow(session=session, workflow_id=workflow_id)
                    except NotFoundError:
                        raise SubworkflowError(
                            f"The workflow to execute does not exist: '{workflow_id}'"
                        ) from None
                    version = active_version(session=session, workflow_id=workflow_id)
                    if version is None or not prefer_active:
                        version = get_workflow_version(session=session, workflow_id=workflow_id)
                    settings = version.document.get("settings") or {}
                    if not _caller_allowed(settings, row.project_id, parent_project,
                                           parent_workflow_id):  # fmt: skip
                        raise SubworkflowError(
                            f"The workflow '{workflow_id}' may not be called by workflow "
                            f"'{parent_workflow_id}' (its setting callerPolicy is "
                            f"{settings.get('callerPolicy') or 'workflowsFromSameOwner'})"
                        )
                    found[workflow_id] = (version.version, version.document)
                number, document = found[workflow_id]
                resolved = {"workflowId": workflow_id, "version": number, "snapshot": None}
            name = document.get("name")
            label = label_of({"workflowId": resolved["workflowId"], "name": name})
            check_depth(depth + 1, max_depth, label)
            settings = document.get("settings") or {}
            limit = settings.get("maxConcurrency")
            resolved.update(
                {
                    "name": name,
                    "startNode": start_node_of(document, label),
                    "items": list(call.get("items") or []),
                    "itemIndex": call.get("itemIndex"),
                    "limit": limit if isinstance(limit, int) and limit > 0 else default_limit,
                    "dedicated": bool(settings.get("dedicatedActor")),
                }
            )
            out.append(resolved)
    return out


def call_key(node: str, run_index: int, attempt: int) -> str:
    """The children's idempotency key (stored as their ``trigger``)."""
    key = f"executeWorkflow:{node}:{run_index}:{attempt}"
    if len(key) > 255:
        digest = hashlib.sha256(node.encode("utf-8")).hexdigest()[:32]
        key = f"executeWorkflow:{digest}:{run_index}:{attempt}"
    return key


def commit_children(
    store: Store,
    *,
    parent_id: int,
    key: str,
    children: Sequence[NewExecution],
    bind: Callable[[list[int]], Checkpoint],
    wait_node: str | None,
    host: str,
) -> list[int]:
    """Create the children (unless a write with ``key`` did already), record their ids in
    the parent (``bind``), write the parent's checkpoint and, with ``wait_node``, its wait
    row and lease release: all in one transaction. Raises the checkpoint's refusal
    (``LeaseLostError``...), and then nothing is written."""
    now = utcnow()
    prepared = [prepare_create(spec, store.limits, now) for spec in children]
    with store.sessions() as session, session.begin():
        conn = session.connection()
        existing = [
            int(i)
            for i in session.scalars(
                select(Execution.id)
                .where(col(Execution.parent_execution_id) == parent_id)
                .where(col(Execution.trigger) == key)
                .order_by(col(Execution.id))
            )
        ]
        if existing and len(existing) == len(prepared):
            ids = existing
        else:
            ids = apply_creates(conn, prepared, now) if prepared else []
        (error,) = apply_checkpoints(conn, [prepare_checkpoint(bind(ids), store.limits)], now)
        if error is not None:
            raise error  # rolls the children back with it
        if wait_node is not None:
            create_wait(session=session, execution_id=parent_id, node=wait_node, kind=WAIT_KIND)
            release_leases(session=session, execution_ids=[parent_id], host=host)
    return ids


def results(store: Store, *, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The results of finished children, in the order of ``ids``."""
    out = []
    with store.sessions() as session:
        for execution_id in ids:
            try:
                row = get_execution(session=session, execution_id=execution_id)
                state = load_run_state(session=session, execution_id=execution_id)
            except NotFoundError:  # deleted meanwhile
                out.append(
                    {
                        "executionId": execution_id,
                        "status": "error",
                        "error": {"message": f"The sub-workflow execution {execution_id} is gone"},
                        "outputs": [],
                    }
                )
                continue
            out.append(
                {
                    "executionId": str(execution_id),
                    "workflowId": row.workflow_id,
                    "status": row.status,
                    "error": row.error or state.error,
                    "outputs": last_node_outputs(state) if row.status == "success" else [],
                }
            )
    return out


def ready_parents(
    store: Store, *, parent_ids: Sequence[int] | None = None, limit: int = 1000
) -> list[int]:
    """Parents waiting for sub-workflows whose children all finished (``None``: look at
    every such wait, at most ``limit``)."""
    ready = []
    with store.sessions() as session:
        query = select(Wait.execution_id).where(col(Wait.kind) == WAIT_KIND)
        if parent_ids is not None:
            query = query.where(col(Wait.execution_id).in_(list(parent_ids)))
        for parent_id in list(session.scalars(query.limit(limit))):
            data = session.get(ExecutionData, parent_id)
            current = (data.state or {}).get("current") if data is not None else None
            ids = ((current or {}).get("call") or {}).get("ids") or []
            if not ids:
                continue
            unfinished = session.scalar(
                select(func.count())
                .select_from(Execution)
                .where(col(Execution.id).in_(ids), col(Execution.status).not_in(FINISHED))
            )
            if not unfinished:
                ready.append(int(parent_id))
    return ready


def wait_kind(store: Store, *, execution_id: int) -> str | None:
    with store.sessions() as session:
        row = session.get(Wait, execution_id)
        return row.kind if row is not None else None


def unannounced(store: Store, *, older_than_s: float, limit: int = 1000) -> list[tuple[int, str]]:
    """Executions committed ``new`` without a host for longer than ``older_than_s``."""
    before = utcnow() - timedelta(seconds=older_than_s)
    with store.sessions() as session:
        query = (
            select(Execution.id, Execution.workflow_id)
            .where(col(Execution.status) == "new", col(Execution.host).is_(None))
            .where(col(Execution.created_at) < before)
            .order_by(col(Execution.id))
            .limit(limit)
        )
        return [(int(i), w) for i, w in session.execute(query)]


# ------------------------------------------------------------------------------ the host side
def waits_for_children(state: RunState) -> bool:
    current = state.current
    return state.status == "waiting" and current is not None and "call" in current


async def resolve(run: RunActor, event: NodeCallsWorkflows) -> Event:
    """The event with its calls resolved, or the node's failure."""
    host: Any = run.host
    state = run.state
    try:
        resolved = await host.db.run(
            resolve_calls,
            host.store,
            calls=event.calls,
            parent_workflow_id=run.workflow_id,
            prefer_active=state.mode != "manual",
            depth=state.depth,
            max_depth=host.config.max_subworkflow_depth,
            default_limit=host.config.workflow_max_concurrency,
        )
    except (N8nworkError, ValueError) as exc:
        return NodeFailed(
            node=event.node,
            run_index=event.run_index,
            error={"message": str(exc), "name": type(exc).__name__, "node": event.node},
            started_at=event.started_at,
            execution_time=event.execution_time,
        )
    return NodeCallsWorkflows(
        node=event.node,
        run_index=event.run_index,
        calls=resolved,
        mode=event.mode,
        wait=event.wait,
        passthrough=event.passthrough,
        started_at=event.started_at,
        execution_time=event.execution_time,
    )


def _children(run: RunActor, start: StartWorkflows, key: str) -> list[NewExecution]:
    state = run.state
    out = []
    for call in start.calls:
        raw = child_state(
            start_node=call["startNode"],
            items=call["items"],
            depth=state.depth + 1,
            parent_execution_id=run.id,
            parent_workflow_id=run.workflow_id,
            wait=start.wait,
        )
        out.append(
            NewExecution(
                workflow_id=call["workflowId"],
                workflow_version=call["version"],
                mode=MODE,
                trigger=key,
                status="new",
                parent_execution_id=run.id,
                state=raw,
                workflow=call["snapshot"],
            )
        )
    return out


async def start(
    run: RunActor,
    start_cmd: StartWorkflows,
    commands: list[Command],
    runs: list[Any],
    event: Event,
) -> list[Command]:
    """Carry out ``StartWorkflows`` (see the module docstring, step 3); returns the commands
    left to carry out (none when the run passivated or stopped)."""
    host: Any = run.host
    suspend = next((c for c in commands if isinstance(c, Suspend)), None)
    key = call_key(start_cmd.node, start_cmd.run_index, start_cmd.attempt)
    children = _children(run, start_cmd, key)

    def bind(ids: list[int]) -> Checkpoint:
        run.program.machine.advance(run.state, WorkflowsStarted(ids))
        return run.checkpoint_of(runs)

    delay = 0.05
    ids: list[int] = []
    for attempt in range(COMMIT_RETRIES):
        try:
            ids = await host.db.run(
                commit_children,
                host.store,
                parent_id=run.id,
                key=key,
                children=children,
                bind=bind,
                wait_node=start_cmd.node if suspend is not None else None,
                host=host.name,
            )
            break
        except LeaseLostError:
            log.info("run %s: taken over by another host; dropping this copy", run.id)
            run._lost()
            return []
        except StoreUnavailableError as exc:
            if attempt == COMMIT_RETRIES - 1:
                log.error("run %s: store unavailable, giving the run up: %s", run.id, exc)
                run._lost()
                return []
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        except (InvalidInputError, N8nworkError) as exc:
            log.warning("run %s: could not start its sub-workflows: %s", run.id, exc)
            await run._fail_run(f"Could not start the sub-workflows: {exc}")
            return []
    host.spawned(
        [
            (i, call["workflowId"], call.get("limit"), bool(call.get("dedicated")))
            for i, call in zip(ids, start_cmd.calls, strict=True)
        ]
    )
    if suspend is not None:  # as a Wait node's passivation: "waiting" stands for the node
        host.events.emit(run.id, "waiting", until=None, resume=WAIT_KIND, subExecutions=ids)
        run._leave()
        host.run_passivated(run, None)
        return []
    run._publish(event, runs, False)
    return [c for c in commands if c is not start_cmd]


async def returned(run: RunActor) -> WorkflowsReturned:
    """The results of the children a woken parent waited for."""
    host: Any = run.host
    current = run.state.current or {}
    ids = list((current.get("call") or {}).get("ids") or [])
    found = await host.db.run(results, host.store, ids=ids)
    return WorkflowsReturned(results=found, finished_at=time.time() * 1000.0)
