"""A webhook run executed whole inside the replica that received the request.

Most webhook workflows are a trigger, a few data nodes and a Respond to Webhook node: pure
work of well under a millisecond, where handing the run to a run host costs more than the
run (a Ray call there and a notification back, and a commit per node). DESIGN 3 already
runs such nodes inline in whichever process holds the run; here that process is the API
replica, holding the run actor for the whole of its short life.

A workflow qualifies when every node runs inline, none can suspend the run (Wait,
sub-workflows) or retry after a delay, it does not ask for a dedicated actor, and no
expression or code reads ``$execution`` (its id is given by the commit, after the run).
Such a run has no side effect outside its own data, so running it before it is written is
safe: it is committed in **one** transaction — the execution row, its final state and every
node run (``NewExecution.runs``) — and only then is the response sent. A crash before the
commit loses nothing anyone was told of; the caller gets no answer and may retry (with an
``Idempotency-Key``). Everything else goes through the runtime (``Runtime.submit``).
"""

from __future__ import annotations

from typing import Any

from actors.programs import PlacementError, Program
from n8nwork.observability import runs as observe
from n8nwork.run.data import NodeRun
from n8nwork.run.events import ExecuteNode, Finish, NodeWaiting, Start
from n8nwork.run.machine import new_state
from n8nwork.run.state import RunState

SUSPENDING_TYPES = frozenset(
    {
        "n8n-nodes-base.wait",
        "n8n-nodes-base.executeWorkflow",
        "n8n-nodes-base.form",
    }
)
"""Node types that may park the run (they need a run host)."""


def inline_eligible(program: Program) -> bool:
    """Whether runs of ``program`` may execute whole in the replica (module docstring)."""
    workflow = program.workflow
    if workflow.settings.get("dedicatedActor") or "$execution" in program.document:
        return False
    for node in workflow.nodes:
        if node.disabled:
            continue
        if node.type in SUSPENDING_TYPES or node.retry_on_fail:
            return False
        try:
            if program.placement(node.name).is_task:
                return False
        except PlacementError:
            return False
    return True


def run_inline(
    program: Program, *, start_node: str, items: list[dict[str, Any]], mode: str
) -> RunState | None:
    """Execute the run to its end in this thread; ``None`` when it turned out to need a run
    host after all (it is then submitted from scratch: nothing it did is visible)."""
    machine, execute = program.machine, program.executor
    state = new_state("", mode=mode)
    _, commands = machine.advance(state, Start(start_node=start_node, items=items))
    while True:
        if any(isinstance(c, Finish) for c in commands):
            return state
        command = next((c for c in commands if isinstance(c, ExecuteNode)), None)
        if command is None or command.delay_ms > 0:
            return None
        node_type = observe.node_type_of(program, command.node)
        event = observe.run_node(execute, command, state, node_type=node_type, placement="inline")
        if isinstance(event, NodeWaiting):
            return None
        _, commands = machine.advance(state, event)


def node_runs(state: RunState) -> list[tuple[str, int, NodeRun]]:
    """Every node run of the state, for ``NewExecution.runs``."""
    return [
        (name, index, run)
        for name, runs in state.run_data.items()
        for index, run in enumerate(runs)
    ]
