"""Admission: global and per-workflow slots, the bounded priority queue, refusals."""

from __future__ import annotations

import pytest

from actors.admission import Admission, Request
from actors.errors import RunRefusedError


def test_runs_start_while_there_are_slots_then_queue() -> None:
    admission = Admission(max_active=2, max_queued=10)
    start, queued = admission.admit([Request(i, "w") for i in range(1, 5)])
    assert [r.execution_id for r in start] == [1, 2]
    assert [r.execution_id for r in queued] == [3, 4]
    assert admission.runnable() == []
    admission.release(1)
    assert [r.execution_id for r in admission.runnable()] == [3]


def test_a_call_that_does_not_fit_the_queue_is_refused_whole() -> None:
    admission = Admission(max_active=1, max_queued=2)
    admission.admit([Request(1, "w"), Request(2, "w")])
    with pytest.raises(RunRefusedError, match="max_queued_runs=2") as refused:
        admission.admit([Request(3, "w"), Request(4, "w")])
    assert refused.value.refused_ids == [3, 4]
    assert admission.queued == 1  # nothing of the refused call was kept
    start, queued = admission.admit([Request(5, "w")], force=False)
    assert (start, [r.execution_id for r in queued]) == ([], [5])


def test_forced_requests_are_never_refused() -> None:
    admission = Admission(max_active=1, max_queued=0)
    admission.admit([Request(1, "w")])
    _, queued = admission.admit([Request(2, "w")], force=True)
    assert [r.execution_id for r in queued] == [2]


def test_higher_priority_first_then_arrival() -> None:
    admission = Admission(max_active=1, max_queued=10)
    admission.admit([Request(1, "w")])
    admission.admit([Request(2, "w", priority=0), Request(3, "w", priority=5)])
    admission.admit([Request(4, "w", priority=5)])
    order = []
    for running in (1, 3, 4):
        admission.release(running)
        order += [r.execution_id for r in admission.runnable()]
    assert order == [3, 4, 2]


def test_a_workflow_at_its_limit_does_not_hold_up_others() -> None:
    admission = Admission(max_active=10, max_queued=10)
    start, _ = admission.admit([Request(i, "slow", limit=1) for i in (1, 2)])
    assert [r.execution_id for r in start] == [1]
    start, _ = admission.admit([Request(3, "fast")])
    assert [r.execution_id for r in start] == [3]
    admission.release(1)
    assert [r.execution_id for r in admission.runnable()] == [2]


def test_admission_is_idempotent_and_canceled_runs_leave_the_queue() -> None:
    admission = Admission(max_active=1, max_queued=10)
    admission.admit([Request(1, "w"), Request(2, "w"), Request(3, "w")])
    assert admission.admit([Request(1, "w"), Request(2, "w")]) == ([], [])
    assert admission.remove_queued(2)
    assert not admission.remove_queued(2)
    admission.release(1)
    assert [r.execution_id for r in admission.runnable()] == [3]
    assert admission.snapshot()["queued"] == 0
