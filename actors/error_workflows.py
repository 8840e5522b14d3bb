"""Error workflows on the Ray runtime (n8n's ``executeErrorWorkflow``; the rules are
``n8nwork.run.error_workflow``).

Where: in the run's host, as part of the failing run's last checkpoint. When a run ends with
status ``error`` and an error workflow applies, that checkpoint is not sent through the
group-commit writer but written by ``finish_failed``, which in ONE transaction locks the
execution row, writes the checkpoint (fenced by the lease epoch) and, only if the row was
not finished before, creates the error workflow's execution (mode ``error``, status ``new``,
started at its Error Trigger with n8n's payload). The new execution is then announced like
a sub-workflow (the host's report; the directory admits and places it).

Why there and not on the directory's "finished" report: the report can be lost with its host
(a host that dies right after the failure never sends it), and the directory would have to
re-read the failed run to build the payload. Tied to the transaction that makes the run
``error``, the error workflow's execution exists exactly when the failure does: a retried
write (lost acknowledgement) sees the row finished and creates nothing twice, and if the host
dies between commit and announce, the directory's sweep of unannounced executions starts it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from actors.subruns import Spawned
from n8nwork.run.error_workflow import MODE, error_payload, error_workflow_id
from n8nwork.run.events import Finish
from n8nwork.run.subworkflow import ERROR_TRIGGER_TYPE, error_trigger_of
from n8nwork.store import Checkpoint, NewExecution, Store
from n8nwork.store.checkpoint import (
    apply_checkpoints,
    apply_creates,
    prepare_checkpoint,
    prepare_create,
)
from n8nwork.store.errors import NotFoundError
from n8nwork.store.repo.workflows import active_version, get_workflow_version
from n8nwork.store.tables.executions import FINISHED, Execution
from n8nwork.store.types import utcnow

if TYPE_CHECKING:
    from actors.run_loop import RunActor

log = logging.getLogger(__name__)


def finish_failed(
    store: Store,
    *,
    checkpoint: Checkpoint,
    error_workflow: str,
    payload: dict[str, Any],
) -> Spawned | None:
    """Write the failing run's last checkpoint and create its error workflow's execution
    (see the module docstring); returns what to announce, or ``None``. Raises the
    checkpoint's refusal (``LeaseLostError``...), and then nothing is written."""
    now = utcnow()
    prepared = prepare_checkpoint(checkpoint, store.limits)
    with store.sessions() as session, session.begin():
        conn = session.connection()
        before = session.scalar(
            select(Execution.status)
            .where(col(Execution.id) == checkpoint.execution_id)
            .with_for_update()
        )
        (error,) = apply_checkpoints(conn, [prepared], now)
        if error is not None:
            raise error
        if before in FINISHED:
            return None  # written before (a lost acknowledgement): its error run exists
        try:
            version = active_version(session=session, workflow_id=error_workflow)
            if version is None:
                version = get_workflow_version(session=session, workflow_id=error_workflow)
        except NotFoundError:
            log.error(
                "execution %s: its error workflow %s does not exist",
                checkpoint.execution_id,
                error_workflow,
            )
            return None
        start = error_trigger_of(version.document)
        if start is None:
            log.error(
                "execution %s: error workflow %s has no %s node; not started",
                checkpoint.execution_id,
                error_workflow,
                ERROR_TRIGGER_TYPE,
            )
            return None
        spec = NewExecution(
            workflow_id=error_workflow,
            workflow_version=version.version,
            mode=MODE,
            status="new",
            state={
                "executionId": "",
                "mode": MODE,
                "status": "new",
                "stack": [{"node": start, "data": [[{"json": payload}]], "source": None}],
            },
        )
        (new_id,) = apply_creates(conn, [prepare_create(spec, store.limits, now)], now)
    settings = version.document.get("settings") or {}
    limit = settings.get("maxConcurrency")
    return (
        new_id,
        error_workflow,
        limit if isinstance(limit, int) and limit > 0 else None,
        bool(settings.get("dedicatedActor")),
    )


def submitter(
    run: RunActor, finish: Finish | None
) -> Callable[[Checkpoint], Awaitable[None]] | None:
    """How to write the last checkpoint of ``run`` when it fails and has an error workflow
    (``None``: the usual writer)."""
    if finish is None or finish.status != "error":
        return None
    state = run.state
    workflow = run.program.workflow
    target = error_workflow_id(
        status="error",
        mode=state.mode,
        workflow_id=run.workflow_id,
        settings=workflow.settings,
        has_error_trigger=any(
            n.type == ERROR_TRIGGER_TYPE and not n.is_disabled for n in workflow.nodes
        ),
    )
    if target is None:
        return None
    host: Any = run.host

    async def submit(checkpoint: Checkpoint) -> None:
        payload = error_payload(
            execution_id=run.id,
            mode=state.mode,
            error=state.error,
            last_node=state.last_node_executed,
            retry_of=await host.db.run(_retry_of, host.store, execution_id=run.id),
            workflow_id=run.workflow_id,
            workflow_name=workflow.name,
            base_url=getattr(host.settings, "public_url", "") or "",
        )
        spawned = await host.db.run(
            finish_failed,
            host.store,
            checkpoint=checkpoint,
            error_workflow=target,
            payload=payload,
        )
        if spawned is not None:
            host.spawned([spawned])
            host.events.emit(run.id, "errorWorkflow", workflowId=target, executionId=spawned[0])

    return submit


def _retry_of(store: Store, *, execution_id: int) -> int | None:
    with store.sessions() as session:
        value = session.scalar(select(Execution.retry_of).where(col(Execution.id) == execution_id))
        return int(value) if value is not None else None
