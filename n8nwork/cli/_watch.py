"""``executions watch``: a run's live events turned into per-node progress.

``Progress`` is the pure part: it folds the events of the API's stream (``started /
nodeStarted / nodeFinished / nodeFailed / waiting / resumed / recovered / finished``, see
``actors/events.py``; both runtimes speak it) into one row per node, and describes each
event in one line. ``follow`` renders it: a rich live table on a terminal, plain lines otherwise, or
one JSON object per line with ``--json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

STARTED = {"started"}
RESUMED = {"resumed", "recovered"}
NODE_STARTED = {"nodeStarted"}
NODE_FINISHED = {"nodeFinished"}
NODE_FAILED = {"nodeFailed"}
WAITING = {"waiting"}
FINISHED = {"finished"}
TERMINAL = ("success", "error", "canceled", "crashed")
STYLES = {"success": "green", "error": "red", "running": "yellow", "waiting": "cyan"}


@dataclass
class NodeRow:
    """What is known of one node of the run so far."""

    name: str
    status: str = "running"
    runs: int = 0
    items: int | None = None
    ms: float = 0.0
    placement: str | None = None
    error: str | None = None


@dataclass
class Progress:
    """The run's status and its nodes, in the order they first started."""

    execution_id: Any
    status: str = "new"
    error: str | None = None
    nodes: dict[str, NodeRow] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def _row(self, name: str) -> NodeRow:
        if name not in self.nodes:
            self.nodes[name] = NodeRow(name)
        return self.nodes[name]

    def apply(self, kind: str, data: dict[str, Any]) -> str | None:
        """Fold one event in; returns its one-line description (None: nothing to say)."""
        node = str(data.get("node") or "")
        if kind in STARTED:
            self.status = "running"
            return f"execution {self.execution_id} started"
        if kind in RESUMED:
            self.status = "running"
            verb = "recovered" if kind == "recovered" else "resumed"
            return f"execution {self.execution_id} {verb}"
        if kind in NODE_STARTED and node:
            row = self._row(node)
            row.status = "running"
            row.placement = data.get("placement") or row.placement
            where = f" ({row.placement})" if row.placement else ""
            return f"{node}: running{where}"
        if kind in NODE_FINISHED and node:
            row = self._row(node)
            row.status = str(data.get("status") or "success")
            row.runs += 1
            items = data.get("items")
            count = sum(items) if isinstance(items, list) else items
            row.items = int(count) if isinstance(count, int | float) else row.items
            row.ms += float(data.get("executionTime") or 0.0)
            return f"{node}: {row.status}, {row.items or 0} item(s), {row.ms:.0f} ms"
        if kind in NODE_FAILED and node:
            row = self._row(node)
            row.error = str(data.get("error") or "failed")
            if data.get("retrying"):
                row.status = "retrying"
                return f"{node}: failed, retrying ({row.error})"
            row.status = "error"
            row.runs += 1
            return f"{node}: error ({row.error})"
        if kind in WAITING:
            self.status = "waiting"
            return f"execution {self.execution_id} waiting"
        if kind in FINISHED:
            self.status = str(data.get("status") or ("crashed" if "Crash" in kind else "success"))
            error = data.get("error")
            if isinstance(error, dict):
                where = f" (node {error['node']})" if error.get("node") else ""
                self.error = f"{error.get('message') or 'failed'}{where}"
            elif error:
                self.error = str(error)
            tail = f": {self.error}" if self.error else ""
            return f"execution {self.execution_id} finished: {self.status}{tail}"
        return None

    def table(self) -> Table:
        """The live view: one row per node (names are text, never rich markup)."""
        title = Text.assemble(
            f"execution {self.execution_id}: ", (self.status, STYLES.get(self.status, ""))
        )
        out = Table(title=title, caption=self.error)
        out.add_column("node")
        out.add_column("status")
        for column in ("runs", "items", "ms"):
            out.add_column(column, justify="right")
        for row in self.nodes.values():
            out.add_row(
                Text(row.name),
                Text(row.status, style=STYLES.get(row.status, "")),
                str(row.runs),
                "-" if row.items is None else str(row.items),
                f"{row.ms:.0f}",
            )
        return out


def follow(events: Iterable[Any], progress: Progress, *, as_json: bool,
           console: Console | None = None) -> Progress:  # fmt: skip
    """Consume ``events`` (objects with ``.type`` and ``.data``) and render them."""
    console = console or Console()
    if as_json:
        for event in events:
            progress.apply(event.type, dict(event.data or {}))
            typer.echo(json.dumps({"type": event.type, "data": event.data}, default=str))
        return progress
    if not console.is_terminal:
        for event in events:
            line = progress.apply(event.type, dict(event.data or {}))
            if line:
                typer.echo(line)
        return progress
    with Live(progress.table(), console=console, refresh_per_second=8) as live:
        for event in events:
            progress.apply(event.type, dict(event.data or {}))
            live.update(progress.table())
    return progress
