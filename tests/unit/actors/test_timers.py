"""The index of timed waits."""

from __future__ import annotations

from actors.timers import WaitIndex


def test_due_waits_come_out_earliest_first_once() -> None:
    index = WaitIndex()
    index.add(1, 30.0)
    index.add(2, 10.0)
    index.add(3, 20.0)
    assert index.next_due() == 10.0
    assert index.pop_due(25.0) == [2, 3]
    assert index.pop_due(25.0) == []
    assert len(index) == 1 and 1 in index


def test_discard_and_reschedule() -> None:
    index = WaitIndex()
    index.add(1, 10.0)
    index.add(2, 11.0)
    index.discard(1)
    index.add(2, 50.0)  # moved later
    assert index.pop_due(20.0) == []
    assert index.next_due() == 50.0
    assert index.pop_due(60.0) == [2]
    assert index.next_due() is None
