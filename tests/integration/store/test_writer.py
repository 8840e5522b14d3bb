"""Group commit: many runs' writes share transactions; each is acknowledged only after its
transaction committed; one bad write fails alone."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, wait

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, func, select

from n8nwork.run.data import NodeRun
from n8nwork.run.state import RunState
from n8nwork.store.checkpoint import Checkpoint, NewExecution
from n8nwork.store.errors import (
    InvalidInputError,
    LeaseLostError,
    PayloadTooLargeError,
    StoreError,
)
from n8nwork.store.limits import StoreLimits
from n8nwork.store.repo.executions import get_execution, iter_node_runs, load_run_state
from n8nwork.store.tables.executions import Execution, NodeRunRow
from n8nwork.store.writer import ExecutionWriter


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_create_is_committed_before_its_id_is_known(
    engine: Engine, sessions: sessionmaker[Session], workflow_id: str
) -> None:
    seen: list[bool] = []
    with ExecutionWriter(engine) as writer:
        state = RunState(execution_id="", status="running", stack=[{"node": "Start", "data": [[]]}])
        future = writer.submit_create(
            NewExecution(workflow_id=workflow_id, status="running", state=state)
        )

        def on_ack(f: Future[int]) -> None:
            # Whoever learns the id can already read the row and its state, from any session.
            with sessions() as session:
                seen.append(
                    get_execution(session=session, execution_id=f.result()).status == "running"
                )
                seen.append(
                    load_run_state(session=session, execution_id=f.result()).stack[0]["node"]
                    == "Start"
                )

        future.add_done_callback(on_ack)
        future.result(timeout=10)
    assert seen == [True, True]


def test_many_runs_share_transactions(
    engine: Engine, sessions: sessionmaker[Session], workflow_id: str
) -> None:
    # Given 16 threads, each a run creating its execution then checkpointing 10 nodes,
    with ExecutionWriter(engine, max_batch=64, max_delay=0.005) as writer:
        errors: list[BaseException] = []

        def one_run(n: int) -> None:
            try:
                execution_id = writer.create(
                    NewExecution(workflow_id=workflow_id, status="running")
                )
                state = RunState(execution_id=str(execution_id), status="running")
                for i in range(10):
                    state.last_node_executed = f"N{i}"
                    run = NodeRun(
                        start_time=float(i),
                        status="success",
                        outputs=[[{"json": {"i": i, "run": n}}]],
                    )
                    writer.checkpoint(Checkpoint(execution_id, node=f"N{i}", run=run, state=state))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one_run, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = writer.stats
    # then all 176 writes are there, in fewer transactions than writes.
    assert errors == []
    assert _count(sessions, Execution) == 16 and _count(sessions, NodeRunRow) == 160
    assert stats.writes == 176 and stats.batches < 176
    with sessions() as session:
        rows = session.exec(select(Execution)).all()
        assert {r.last_node for r in rows} == {"N9"}


def test_a_bad_write_fails_only_its_own_future(
    engine: Engine, sessions: sessionmaker[Session], workflow_id: str
) -> None:
    with ExecutionWriter(engine, max_delay=0.05) as writer:
        good = writer.create(NewExecution(workflow_id=workflow_id))
        futures = [
            writer.submit_checkpoint(
                Checkpoint(good, node="A", run={"executionStatus": "success"})
            ),
            writer.submit_checkpoint(
                Checkpoint(10**12, node="A", run={"executionStatus": "success"})
            ),
            writer.submit_checkpoint(
                Checkpoint(good, node="B", run={"executionStatus": "success"})
            ),
            writer.submit_checkpoint(Checkpoint(good, node="C", run={}, lease_epoch=7)),
            writer.submit_create(NewExecution(workflow_id="no-such-workflow")),
        ]
        wait(futures, timeout=10)
    assert futures[0].exception() is None and futures[2].exception() is None
    assert isinstance(futures[1].exception(), StoreError)
    assert isinstance(futures[3].exception(), LeaseLostError)
    assert isinstance(futures[4].exception(), StoreError)
    with sessions() as session:
        assert [n for n, _, _ in iter_node_runs(session=session, execution_id=good)] == ["A", "B"]


def test_bad_input_raises_in_the_caller(engine: Engine, workflow_id: str) -> None:
    small = StoreLimits(max_document_bytes=2048, inline_payload_bytes=1024, max_payload_bytes=4096)
    with ExecutionWriter(engine, limits=small) as writer:
        execution_id = writer.create(NewExecution(workflow_id=workflow_id))
        with pytest.raises(PayloadTooLargeError):
            writer.submit_checkpoint(
                Checkpoint(
                    execution_id, node="A", run={"data": {"main": [[{"json": {"x": "y" * 5000}}]]}}
                )
            )
        with pytest.raises(PayloadTooLargeError):
            writer.submit_checkpoint(
                Checkpoint(execution_id, state={"status": "running", "context": {"x": "y" * 5000}})
            )
        with pytest.raises(InvalidInputError):
            writer.submit_checkpoint(Checkpoint(execution_id, node="A\x00", run={}))
        with pytest.raises(InvalidInputError):
            writer.submit_checkpoint(Checkpoint(execution_id, state={"status": "sideways"}))
        with pytest.raises(InvalidInputError):
            writer.submit_create(NewExecution(workflow_id=workflow_id, trigger="\udcff"))
    with pytest.raises(StoreError, match="closed"):
        writer.submit_create(NewExecution(workflow_id=workflow_id))


def test_async_callers(engine: Engine, sessions: sessionmaker[Session], workflow_id: str) -> None:
    async def runs() -> list[int]:
        with ExecutionWriter(engine) as writer:

            async def one() -> int:
                execution_id = await writer.acreate(NewExecution(workflow_id=workflow_id))
                await writer.acheckpoint(Checkpoint(execution_id, state={"status": "success"}))
                return execution_id

            return await asyncio.gather(*(one() for _ in range(20)))

    ids = asyncio.run(runs())
    assert len(set(ids)) == 20
    with sessions() as session:
        assert {get_execution(session=session, execution_id=i).status for i in ids} == {"success"}


def test_a_finished_run_is_created_with_its_node_runs_in_one_write(
    engine: Engine, sessions: sessionmaker[Session], workflow_id: str
) -> None:
    # Given runs executed whole before they were written (a webhook's inline run), some
    # in the same batch as plain creates and checkpoints,
    runs = [
        ("Webhook", 0, NodeRun(start_time=1.0, status="success", outputs=[[{"json": {"a": 1}}]])),
        ("Set", 0, NodeRun(start_time=2.0, status="success", outputs=[[{"json": {"a": 2}}]])),
    ]
    big = NodeRun(start_time=3.0, status="success", outputs=[[{"json": {"x": "y" * 200_000}}]])
    with ExecutionWriter(engine, max_batch=64, max_delay=0.01) as writer:
        futures = []
        for n in range(6):
            state = RunState(execution_id="", status="success", last_node_executed="Set")
            node_runs = [*runs, ("Big", 0, big)] if n == 0 else runs
            futures.append(
                writer.submit_create(
                    NewExecution(
                        workflow_id=workflow_id,
                        mode="webhook",
                        status="success",
                        state=state,
                        runs=node_runs,
                    )
                )
            )
            futures.append(writer.submit_create(NewExecution(workflow_id=workflow_id)))
        wait(futures, timeout=30)
        ids = [f.result() for f in futures[::2]]
    # then each is stored finished, with its node runs, its last node and stop time,
    with sessions() as session:
        for execution_id in ids:
            row = get_execution(session=session, execution_id=execution_id)
            assert row.status == "success" and row.finished
            assert row.last_node == "Set" and row.stopped_at is not None
            stored = [(n, i, r.output()) for n, i, r in iter_node_runs(
                session=session, execution_id=execution_id)]  # fmt: skip
            assert stored[:2] == [("Webhook", 0, [{"json": {"a": 1}}]),
                                  ("Set", 0, [{"json": {"a": 2}}])]  # fmt: skip
        # and a large output went to the payload store like a checkpoint's would.
        big_runs = list(iter_node_runs(session=session, execution_id=ids[0]))
        assert big_runs[2][2].output()[0]["json"]["x"] == "y" * 200_000
        plain = get_execution(session=session, execution_id=futures[1].result())
        assert plain.status == "new"
