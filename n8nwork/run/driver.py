"""Driving a run in one process: feed the state machine, carry out its commands, repeat.

The driver owns no node code: ``execute`` (given by the caller) turns an ``ExecuteNode``
command into the event that reports how the node went. Time comes from a ``Clock``; the
``VirtualClock`` lets waits and retry delays pass instantly (conformance runs, tests), while
``$now`` still moves forward by the waited time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from n8nwork.run.events import Cancel, Command, Event, ExecuteNode, Finish, Resume, Suspend
from n8nwork.run.machine import RunMachine
from n8nwork.run.state import RunState

Executor = Callable[[ExecuteNode, RunState], Event]


class Clock(Protocol):
    """Where a run gets its time from."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        ...


class RealClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """Time that passes only when slept: waits cost nothing but are still observed."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._real_start = time.perf_counter()

    def now(self) -> float:
        return self._now + (time.perf_counter() - self._real_start)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._now += seconds


def drive(
    machine: RunMachine,
    state: RunState,
    event: Event,
    execute: Executor,
    *,
    clock: Clock | None = None,
    timeout_s: float | None = None,
    on_command: Callable[[Command], None] | None = None,
    wait_for_resume: bool = False,
) -> RunState:
    """Advance ``state`` from ``event`` until the run finishes or waits for an outside resume.

    Timed waits are slept through on ``clock``. ``timeout_s`` cancels the run (status
    ``canceled``) when exceeded between two node executions.
    """
    clock = clock or RealClock()
    deadline = clock.now() + timeout_s if timeout_s and timeout_s > 0 else None
    _, commands = machine.advance(state, event)
    while commands:
        command = commands.pop(0)
        if on_command is not None:
            on_command(command)
        if isinstance(command, Finish):
            return state
        if deadline is not None and clock.now() >= deadline:
            _, commands = machine.advance(state, Cancel("timeout"))
            continue
        if isinstance(command, ExecuteNode):
            if command.delay_ms:
                clock.sleep(command.delay_ms / 1000.0)
            result = execute(command, state)
            _, more = machine.advance(state, result)
            commands = more + commands
        elif isinstance(command, Suspend):
            if command.until is None and not wait_for_resume:
                return state
            if command.until is not None:
                clock.sleep(command.until - clock.now())
            _, more = machine.advance(state, Resume())
            commands = more + commands
    return state
