"""Executions: commit before the id is known, checkpoints round-trip the run state, leases
fence stale hosts, status and timings follow the state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from n8nwork.run.data import NodeRun, Source
from n8nwork.run.state import RunState
from n8nwork.store.checkpoint import Checkpoint
from n8nwork.store.errors import InvalidInputError, LeaseLostError, NotFoundError
from n8nwork.store.repo.executions import (
    claim_execution,
    create_execution,
    get_execution,
    iter_node_runs,
    list_orphaned_executions,
    load_run_state,
    release_lease,
    renew_lease,
    set_execution_status,
    write_checkpoints,
)
from n8nwork.store.types import utcnow


def _run(n: int, status: str = "success") -> NodeRun:
    return NodeRun(
        start_time=1_700_000_000_000.0 + n,
        execution_time=1.5,
        status=status,
        outputs=[[{"json": {"n": n, "text": "naïve ☃"}, "pairedItem": {"item": 0}}]],
        source=[Source("Start")],
    )


def test_create_then_checkpoint_round_trips_the_run_state(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    state = RunState(execution_id="", mode="manual", status="running")
    state.stack = [{"node": "Start", "data": [[{"json": {"seed": 1}}]], "source": None}]
    with sessions() as session, session.begin():
        row = create_execution(
            session=session,
            workflow_id=workflow_id,
            workflow_version=1,
            status="running",
            trigger="Start",
            state=state,
        )
        execution_id = row.id
        assert execution_id is not None and row.started_at is not None
    assert isinstance(execution_id, int)
    # When two nodes finish (checkpointed with the state after each),
    state.run_data["Start"] = [_run(0)]
    state.stack = [{"node": "Set", "data": [[{"json": {"n": 0}}]], "source": None}]
    state.context = {"Set": {"position": 3}}
    state.last_node_executed = "Start"
    with sessions() as session, session.begin():
        write_checkpoints(
            session=session,
            checkpoints=[
                Checkpoint(execution_id, node="Start", run_index=0, run=_run(0), state=state)
            ],
        )
    state.run_data["Set"] = [_run(1)]
    state.stack = []
    state.status = "success"
    state.last_node_executed = "Set"
    with sessions() as session, session.begin():
        write_checkpoints(
            session=session,
            checkpoints=[
                Checkpoint(execution_id, node="Set", run_index=0, run=_run(1), state=state)
            ],
        )
    # then the state loads back equal, and the execution row follows it.
    with sessions() as session:
        loaded = load_run_state(session=session, execution_id=execution_id)
        assert loaded.execution_id == str(execution_id)
        assert loaded.to_json() == {**state.to_json(), "executionId": str(execution_id)}
        row = get_execution(session=session, execution_id=execution_id)
        assert row.status == "success" and row.finished and row.last_node == "Set"
        assert row.stopped_at is not None and row.stopped_at >= row.started_at  # type: ignore[operator]
        runs = list(iter_node_runs(session=session, execution_id=execution_id))
        assert [(n, i) for n, i, _ in runs] == [("Start", 0), ("Set", 0)]


def test_resending_a_checkpoint_is_harmless(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    with sessions() as session, session.begin():
        execution_id = create_execution(session=session, workflow_id=workflow_id).id
    assert execution_id is not None
    for status in ("running", "success"):
        with sessions() as session, session.begin():
            write_checkpoints(
                session=session,
                checkpoints=[Checkpoint(execution_id, node="A", run=_run(0, status))],
            )
    with sessions() as session:
        runs = list(iter_node_runs(session=session, execution_id=execution_id))
        assert len(runs) == 1 and runs[0][2].status == "success"


def test_status_changes_set_timings(sessions: sessionmaker[Session], workflow_id: str) -> None:
    with sessions() as session, session.begin():
        execution_id = create_execution(session=session, workflow_id=workflow_id).id
        assert execution_id is not None
        row = get_execution(session=session, execution_id=execution_id)
        assert row.status == "new" and row.started_at is None
    with sessions() as session, session.begin():
        until = utcnow() + timedelta(hours=1)
        row = set_execution_status(
            session=session, execution_id=execution_id, status="waiting", wait_till=until
        )
        assert row.started_at is not None and row.stopped_at is None and row.wait_till == until
        row = set_execution_status(
            session=session, execution_id=execution_id, status="error", error={"message": "boom"}
        )
    with sessions() as session:
        row = get_execution(session=session, execution_id=execution_id)
        assert row.finished and row.error == {"message": "boom"} and row.stopped_at is not None
        with pytest.raises(InvalidInputError):
            set_execution_status(session=session, execution_id=execution_id, status="exploded")
        with pytest.raises(NotFoundError):
            get_execution(session=session, execution_id=10**12)


def test_retry_and_parent_links(sessions: sessionmaker[Session], workflow_id: str) -> None:
    with sessions() as session, session.begin():
        first = create_execution(session=session, workflow_id=workflow_id, status="error")
        retry = create_execution(
            session=session, workflow_id=workflow_id, mode="retry", retry_of=first.id
        )
        child = create_execution(
            session=session,
            workflow_id=workflow_id,
            mode="integrated",
            parent_execution_id=retry.id,
        )
        assert (retry.retry_of, child.parent_execution_id) == (first.id, retry.id)
        with pytest.raises(InvalidInputError):
            create_execution(session=session, workflow_id=workflow_id, mode="teleport")


def test_leases_fence_a_stale_host(sessions: sessionmaker[Session], workflow_id: str) -> None:
    ttl = timedelta(seconds=30)
    with sessions() as session, session.begin():
        execution_id = create_execution(
            session=session, workflow_id=workflow_id, status="running", host="host-a", lease_ttl=ttl
        ).id
        assert execution_id is not None
        assert get_execution(session=session, execution_id=execution_id).lease_epoch == 1
    with sessions() as session, session.begin(), pytest.raises(LeaseLostError, match="host-a"):
        claim_execution(session=session, execution_id=execution_id, host="host-b", ttl=ttl)
    # When host-a's lease runs out, host-b takes the run over with a new epoch,
    later = utcnow() + timedelta(minutes=5)
    with sessions() as session, session.begin():
        assert [e.id for e in list_orphaned_executions(session=session, now=later)] == [
            execution_id
        ]
        epoch = claim_execution(
            session=session, execution_id=execution_id, host="host-b", ttl=ttl, now=later
        )
        assert epoch == 2
    # then host-a's checkpoints and renewals are refused, host-b's are accepted.
    with sessions() as session, session.begin(), pytest.raises(LeaseLostError, match="stale"):
        write_checkpoints(
            session=session,
            checkpoints=[Checkpoint(execution_id, node="A", run=_run(0), lease_epoch=1)],
        )
    with sessions() as session, session.begin():
        with pytest.raises(LeaseLostError):
            renew_lease(session=session, execution_id=execution_id, host="host-a", epoch=1, ttl=ttl)
        renew_lease(
            session=session, execution_id=execution_id, host="host-b", epoch=2, ttl=ttl, now=later
        )
        write_checkpoints(
            session=session,
            checkpoints=[Checkpoint(execution_id, node="A", run=_run(0), lease_epoch=2)],
        )
        assert release_lease(session=session, execution_id=execution_id, host="host-b", epoch=2)
    with sessions() as session:
        assert len(list(iter_node_runs(session=session, execution_id=execution_id))) == 1
        assert get_execution(session=session, execution_id=execution_id).host is None


def test_an_unsaved_workflow_snapshot_is_kept(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    snapshot = {"name": "draft", "nodes": [], "connections": {}}
    with sessions() as session, session.begin():
        execution_id = create_execution(
            session=session, workflow_id=workflow_id, workflow=snapshot
        ).id
    with sessions() as session:
        from n8nwork.store.tables.executions import ExecutionData

        data = session.get(ExecutionData, execution_id)
        assert data is not None and data.workflow == snapshot
