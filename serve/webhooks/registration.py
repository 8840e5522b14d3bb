"""Which routes a workflow's Webhook nodes serve, and registering them on activation.

n8n's rules: the route of a Webhook node is its ``path`` parameter without surrounding
slashes; a path with ``:param`` segments is dynamic and is served under the node's
``webhookId`` (``<webhookId>/user/:id``); an empty path is the ``webhookId``. The method is
``httpMethod`` (a list when ``options``/v2's ``multipleMethods`` is on). Disabled nodes
serve nothing. A route held by another workflow refuses the activation, naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from n8nwork.store.errors import ConflictError, InvalidInputError
from n8nwork.store.repo.webhooks import (
    METHODS,
    WebhookRoute,
    find_webhook,
    normalize_method,
    normalize_path,
    register_webhooks,
    remove_webhooks,
)
from n8nwork.store.tables.workflows import WorkflowRow
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node, Workflow

WEBHOOK_TYPE = "n8n-nodes-base.webhook"


def _methods(node: Node) -> list[str]:
    params = node.parameters
    raw: Any = params.get("httpMethod", "GET")
    if params.get("multipleMethods") is True:
        values = thaw(raw) if not isinstance(raw, str) else [raw]
        methods = values if isinstance(values, list) and values else ["GET", "POST"]
    else:
        methods = [raw if isinstance(raw, str) else "GET"]
    out = []
    for method in methods:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise InvalidInputError(
                f"node '{node.name}': httpMethod {method!r} is not one of {', '.join(METHODS)}"
            )
        out.append(method.upper())
    return out


def node_path(node: Node) -> str:
    """The route path of a Webhook node (n8n's: dynamic paths under the ``webhookId``)."""
    raw = node.parameters.get("path", "")
    webhook_id = node.extras.get("webhookId")
    if not isinstance(raw, str):
        raise InvalidInputError(f"node '{node.name}': the webhook path must be text")
    if raw.startswith("="):
        raise InvalidInputError(
            f"node '{node.name}': the webhook path cannot be an expression ({raw[1:]!r})"
        )
    path = raw.strip().strip("/")
    if not path or ":" in path:
        if not isinstance(webhook_id, str) or not webhook_id.strip():
            if not path:
                raise InvalidInputError(f"node '{node.name}': the webhook has no path")
            raise InvalidInputError(
                f"node '{node.name}': the path {raw!r} has parameters and needs the node's "
                "webhookId (n8n serves such paths under it)"
            )
        path = f"{webhook_id.strip()}/{path}" if path else webhook_id.strip()
    try:
        return normalize_path(path)
    except InvalidInputError as exc:
        raise InvalidInputError(f"node '{node.name}': {exc}") from exc


def webhook_routes(workflow: Workflow) -> list[WebhookRoute]:
    """Every route the workflow's enabled Webhook nodes serve (raises for a bad node, or a
    route used twice in the workflow)."""
    routes: list[WebhookRoute] = []
    seen: dict[tuple[str, str], str] = {}
    for node in workflow.nodes:
        if node.type != WEBHOOK_TYPE or node.disabled:
            continue
        path = node_path(node)
        webhook_id = node.extras.get("webhookId")
        for method in _methods(node):
            key = (normalize_method(method), path)
            if key in seen:
                raise InvalidInputError(
                    f"nodes '{seen[key]}' and '{node.name}' both answer {method} /{path}"
                )
            seen[key] = node.name
            routes.append(
                WebhookRoute(
                    method=method,
                    path=path,
                    node=node.name,
                    webhook_id=webhook_id if isinstance(webhook_id, str) else None,
                )
            )
    return routes


def register(session: Session, workflow_id: str, workflow: Workflow) -> list[WebhookRoute]:
    """Replace the workflow's routes by those of ``workflow`` (in the caller's transaction).
    ``ConflictError`` names the workflow already holding a route."""
    routes = webhook_routes(workflow)
    remove_webhooks(session=session, workflow_id=workflow_id)
    for route in routes:
        taken = find_webhook(session=session, method=route.method, path=route.path)
        if taken is not None and taken.workflow_id != workflow_id:
            other = session.get(WorkflowRow, taken.workflow_id)
            name = f"'{other.name}' ({taken.workflow_id})" if other else repr(taken.workflow_id)
            raise ConflictError(
                f"the webhook {route.method} /{route.path} of node '{route.node}' is already "
                f"used by workflow {name}; change the path or deactivate that workflow"
            )
    register_webhooks(session=session, workflow_id=workflow_id, routes=routes)
    return routes


def unregister(session: Session, workflow_id: str) -> int:
    return remove_webhooks(session=session, workflow_id=workflow_id)


def describe(routes: Iterable[WebhookRoute], base_url: str = "") -> list[dict[str, str]]:
    """Routes as the API shows them: method, path, node and the production URL."""
    return [
        {"method": r.method, "path": r.path, "node": r.node, "url": f"{base_url}/webhook/{r.path}"}
        for r in routes
    ]
