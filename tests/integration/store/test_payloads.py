"""Large payloads: stored once per execution, compressed, referenced from run data and state;
reading streams them one at a time."""

from __future__ import annotations

import zlib

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, func, select

from n8nwork.run.data import NodeRun
from n8nwork.run.state import RunState
from n8nwork.store.checkpoint import Checkpoint
from n8nwork.store.limits import StoreLimits
from n8nwork.store.payloads import REF_KEY
from n8nwork.store.repo.executions import (
    create_execution,
    iter_node_runs,
    load_run_state,
    write_checkpoints,
)
from n8nwork.store.tables.executions import ExecutionData, NodeRunRow, Payload

LIMITS = StoreLimits(inline_payload_bytes=4096)


def _items(n: int, tag: str) -> list[dict[str, object]]:
    return [{"json": {"i": i, "tag": tag, "text": "lorem ipsum " * 10}} for i in range(n)]


def test_a_large_output_is_stored_once_and_referenced(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    big = _items(500, "big")
    with sessions() as session, session.begin():
        execution_id = create_execution(
            session=session, workflow_id=workflow_id, status="running"
        ).id
    assert execution_id is not None
    # Given node A outputs a large list that becomes B's input (in the state's stack),
    # and B passes the same list through,
    state = RunState(execution_id=str(execution_id), status="running")
    state.stack = [{"node": "B", "data": [big], "source": None}]
    run_a = NodeRun(start_time=1.0, status="success", outputs=[big])
    with sessions() as session, session.begin():
        write_checkpoints(
            session=session,
            checkpoints=[Checkpoint(execution_id, node="A", run=run_a, state=state)],
            limits=LIMITS,
        )
    state.stack = []
    state.status = "success"
    run_b = NodeRun(start_time=2.0, status="success", outputs=[big, _items(2, "small")])
    with sessions() as session, session.begin():
        write_checkpoints(
            session=session,
            checkpoints=[Checkpoint(execution_id, node="B", run=run_b, state=state)],
            limits=LIMITS,
        )
    with sessions() as session:
        # then the list is stored once, compressed,
        payloads = session.exec(select(Payload)).all()
        assert len(payloads) == 1
        raw_size = payloads[0].size
        assert len(payloads[0].data) < raw_size / 5
        assert len(zlib.decompress(payloads[0].data)) == raw_size
        # and the rows hold references, not copies,
        rows = session.exec(select(NodeRunRow).order_by(NodeRunRow.id)).all()  # type: ignore[arg-type]
        for row in rows:
            assert row.data["data"]["main"][0][REF_KEY] == payloads[0].digest
        assert rows[1].data["data"]["main"][1][0]["json"]["tag"] == "small"
        # and reading resolves them.
        runs = list(iter_node_runs(session=session, execution_id=execution_id))
        assert runs[0][2].outputs == [big] and runs[1][2].outputs == [big, _items(2, "small")]
        unresolved = list(iter_node_runs(session=session, execution_id=execution_id, resolve=False))
        assert REF_KEY in unresolved[0][2].outputs[0]  # type: ignore[index, operator]


def test_large_inputs_in_the_state_are_references(
    sessions: sessionmaker[Session], workflow_id: str
) -> None:
    big = _items(300, "input")
    state = RunState(execution_id="", status="running")
    state.stack = [{"node": "Start", "data": [big], "source": None}]
    state.waiting = {"Merge": {"0": {"main": [big, None], "source": [None, None]}}}
    with sessions() as session, session.begin():
        execution_id = create_execution(
            session=session, workflow_id=workflow_id, state=state, limits=LIMITS
        ).id
    assert execution_id is not None
    with sessions() as session:
        data = session.get(ExecutionData, execution_id)
        assert data is not None
        assert REF_KEY in data.state["stack"][0]["data"][0]
        assert REF_KEY in data.state["waiting"]["Merge"]["0"]["main"][0]
        assert session.exec(select(func.count()).select_from(Payload)).one() == 1
        loaded = load_run_state(session=session, execution_id=execution_id)
        assert loaded.stack[0]["data"][0] == big
        assert loaded.waiting["Merge"]["0"]["main"] == [big, None]


def test_reading_streams_many_node_runs(sessions: sessionmaker[Session], workflow_id: str) -> None:
    with sessions() as session, session.begin():
        execution_id = create_execution(session=session, workflow_id=workflow_id).id
        assert execution_id is not None
        write_checkpoints(
            session=session,
            checkpoints=[
                Checkpoint(
                    execution_id,
                    node="Loop",
                    run_index=i,
                    run=NodeRun(
                        start_time=float(i), status="success", outputs=[_items(50, str(i))]
                    ),
                )
                for i in range(200)
            ],
            limits=LIMITS,
        )
    with sessions() as session:
        stream = iter_node_runs(session=session, execution_id=execution_id)
        first = next(stream)
        assert first[:2] == ("Loop", 0)
        rest = list(stream)
        assert [i for _, i, _ in rest] == list(range(1, 200))
        assert rest[-1][2].outputs[0][0]["json"]["tag"] == "199"  # type: ignore[index]
