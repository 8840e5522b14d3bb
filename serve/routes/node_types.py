"""Node types with their parameter schemas (what an editor needs to draw forms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from n8nwork.store.errors import NotFoundError
from serve.auth.principal import Principal
from serve.deps import CtxDep, require

router = APIRouter(prefix="/node-types", tags=["node types"])


def describe_all(registry: Any) -> list[dict[str, Any]]:
    """Every registered node type, described once per type name (all its versions)."""
    seen: dict[str, dict[str, Any]] = {}
    for node_type in registry.all():
        seen.setdefault(node_type.type_name, node_type.describe_json())
    return [seen[name] for name in sorted(seen)]


@router.get("")
def node_types_list(
    ctx: CtxDep, principal: Annotated[Principal, require("nodeType:read")]
) -> list[dict[str, Any]]:
    return list(ctx.node_types.values())


@router.get("/{name}")
def node_types_get(
    name: Annotated[str, Path(min_length=1, max_length=255)],
    ctx: CtxDep,
    principal: Annotated[Principal, require("nodeType:read")],
) -> dict[str, Any]:
    found = ctx.node_types.get(name)
    if found is None:
        raise NotFoundError(f"node type {name!r} not found")
    return found
