"""HTML for notebooks (``_repr_html_``): a workflow's nodes, and an execution's nodes with
their status, item counts, durations and errors. Every value from the server or the
workflow passes through ``html.escape`` (a node called ``<script>`` shows as text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from n8nwork.client.models import Execution, Workflow

STATUS_COLORS = {
    "success": "#2e7d32",
    "active": "#2e7d32",
    "error": "#c62828",
    "crashed": "#c62828",
    "canceled": "#6d6d6d",
    "waiting": "#ef6c00",
    "running": "#1565c0",
    "new": "#1565c0",
}
_TABLE = 'style="border-collapse:collapse;text-align:left;font-size:0.9em"'
_CELL = 'style="padding:2px 10px;border-bottom:1px solid #ddd;vertical-align:top"'


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def badge(status: str) -> str:
    color = STATUS_COLORS.get(status, "#444")
    return f'<span style="color:{color};font-weight:bold">{_e(status)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table; header texts are escaped, cells must be escaped HTML already."""
    head = "".join(f"<th {_CELL}>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table {_TABLE}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def workflow_html(workflow: Workflow) -> str:
    state = badge("active") if workflow.active else _e("inactive")
    head = (
        f"<div><b>{_e(workflow.name)}</b> · workflow {_e(workflow.id)} · "
        f"version {_e(workflow.version)} · {state}</div>"
    )
    targets: dict[str, list[str]] = {}
    for source, kinds in (workflow.connections or {}).items():
        for outputs in (kinds or {}).values() if isinstance(kinds, dict) else ():
            for fan in outputs or []:
                for target in fan or []:
                    if isinstance(target, dict) and target.get("node"):
                        targets.setdefault(str(source), []).append(str(target["node"]))
    rows = []
    for node in workflow.nodes:
        name = str(node.get("name", ""))
        rows.append(
            [
                _e(name),
                _e(node.get("type")),
                _e(node.get("typeVersion")),
                _e("disabled" if node.get("disabled") else "enabled"),
                _e(", ".join(targets.get(name, []))),
            ]
        )
    nodes = table(["node", "type", "version", "state", "connects to"], rows)
    return f'<div class="n8nwork-workflow">{head}{nodes}</div>'


def execution_html(execution: Execution) -> str:
    facts = [
        f"execution {_e(execution.id)}",
        badge(execution.status),
        f"workflow {_e(execution.workflow_id)}",
        f"mode {_e(execution.mode)}",
    ]
    if execution.started_at is not None:
        facts.append(f"started {_e(execution.started_at.isoformat(timespec='seconds'))}")
    if execution.duration_ms is not None:
        facts.append(_e(_ms(execution.duration_ms)))
    head = "<div>" + " · ".join(facts) + "</div>"
    error = ""
    if execution.error:
        message = execution.error.get("message") or execution.error
        node = execution.error.get("node")
        where = f" (node {_e(node)})" if node else ""
        error = f'<div style="color:#c62828">error{where}: {_e(message)}</div>'
    if execution.data is None:
        nodes = "<div>(fetched without data)</div>"
        return f'<div class="n8nwork-execution">{head}{error}{nodes}</div>'
    rows = [
        [
            _e(n.name),
            badge(n.status),
            _e(n.items),
            _e(_ms(n.duration_ms)),
            _e(n.runs),
            f'<span style="color:#c62828">{_e(n.error)}</span>' if n.error else "",
        ]
        for n in execution.nodes
    ]
    nodes = table(["node", "status", "items", "duration", "runs", "error"], rows)
    return f'<div class="n8nwork-execution">{head}{error}{nodes}</div>'
