"""Webhook routes: ``method`` + ``path`` → workflow and node, unique per route.

Paths are stored normalized (no leading or trailing slash, no empty or dot segments).
Dynamic paths (n8n's ``<webhookId>/user/:id``) are matched by segment count and literal
segments; a static route always wins over a dynamic one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from n8nwork.store.errors import ConflictError, InvalidInputError
from n8nwork.store.jsonsafe import check_text
from n8nwork.store.repo._errors import translated
from n8nwork.store.tables.triggers import Webhook

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_PATH = 2048


@dataclass(frozen=True, slots=True)
class WebhookRoute:
    """A route to register: which node of the workflow answers ``method path``."""

    method: str
    path: str
    node: str
    webhook_id: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookMatch:
    """A route found for a request, with the values of its ``:param`` segments."""

    webhook: Webhook
    params: dict[str, str]


def normalize_method(method: str) -> str:
    method = check_text(method, what="HTTP method", max_length=8).upper()
    if method not in METHODS:
        raise InvalidInputError(f"HTTP method {method!r} is not one of {', '.join(METHODS)}")
    return method


def normalize_path(path: str) -> str:
    check_text(path, what="webhook path", max_length=MAX_PATH)
    segments = [s for s in path.strip().strip("/").split("/")]
    if not segments or any(s in ("", ".", "..") for s in segments):
        raise InvalidInputError(f"webhook path {path!r} has an empty or dot segment")
    return "/".join(segments)


def register_webhooks(
    *, session: Session, workflow_id: str, routes: Sequence[WebhookRoute]
) -> list[Webhook]:
    """Replace the workflow's routes with ``routes`` (on activation). ``ConflictError`` names
    the route another workflow already holds."""
    remove_webhooks(session=session, workflow_id=workflow_id)
    rows = []
    for route in routes:
        method, path = normalize_method(route.method), normalize_path(route.path)
        taken = find_webhook(session=session, method=method, path=path)
        if taken is not None:
            raise ConflictError(
                f"webhook {method} /{path} is already used by workflow {taken.workflow_id!r}"
            )
        segments = path.split("/")
        rows.append(
            Webhook(
                method=method,
                path=path,
                workflow_id=workflow_id,
                node=check_text(route.node, what="node name"),
                webhook_id=check_text(route.webhook_id, what="webhook id", max_length=64)
                if route.webhook_id
                else None,
                dynamic=any(s.startswith(":") for s in segments),
                segments=len(segments),
            )
        )
    session.add_all(rows)
    with translated("register webhooks"):
        session.flush()
    return rows


def remove_webhooks(*, session: Session, workflow_id: str) -> int:
    result = session.execute(delete(Webhook).where(col(Webhook.workflow_id) == workflow_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


def find_webhook(*, session: Session, method: str, path: str) -> Webhook | None:
    """The route registered for exactly ``method path``."""
    query = select(Webhook).where(Webhook.method == method.upper(), Webhook.path == path)
    return session.exec(query).first()


def match_webhook(*, session: Session, method: str, path: str) -> WebhookMatch | None:
    """The route answering a request: the static one, else a dynamic one whose literal
    segments match (the one with most literal segments wins)."""
    try:
        method, path = normalize_method(method), normalize_path(path)
    except InvalidInputError:
        return None
    static = find_webhook(session=session, method=method, path=path)
    if static is not None:
        return WebhookMatch(static, {})
    parts = path.split("/")
    candidates = session.exec(
        select(Webhook).where(
            Webhook.method == method,
            col(Webhook.dynamic).is_(True),
            Webhook.segments == len(parts),
        )
    )
    best: tuple[int, WebhookMatch] | None = None
    for hook in candidates:
        params: dict[str, str] = {}
        literal = 0
        for pattern, value in zip(hook.path.split("/"), parts, strict=True):
            if pattern.startswith(":"):
                params[pattern[1:]] = value
            elif pattern == value:
                literal += 1
            else:
                break
        else:
            if best is None or literal > best[0]:
                best = (literal, WebhookMatch(hook, params))
    return best[1] if best else None


def list_webhooks(*, session: Session, workflow_id: str | None = None) -> list[Webhook]:
    query = select(Webhook).order_by(col(Webhook.method), col(Webhook.path))
    if workflow_id is not None:
        query = query.where(Webhook.workflow_id == workflow_id)
    return list(session.exec(query))
