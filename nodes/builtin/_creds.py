"""Credentials for the nodes of this package, until the credentials store lands: a node asks
``get_credentials(ctx, type)`` and gets the decrypted fields, or a clear error naming the type.

The store is expected to reach nodes as ``ctx.get_credentials(type)`` (a method) or as
``ctx.credentials`` (a mapping from credential type to fields); both are looked for.
"""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.sdk import ExecutionContext


def get_credentials(
    ctx: ExecutionContext, cred_type: str, item_index: int | None = None
) -> dict[str, Any]:
    getter = getattr(ctx, "get_credentials", None)
    if callable(getter):
        found = getter(cred_type)
        if isinstance(found, dict):
            return dict(found)
    store = getattr(ctx, "credentials", None)
    if isinstance(store, dict) and isinstance(store.get(cred_type), dict):
        return dict(store[cred_type])
    raise NodeExecutionError(
        f"Node needs credentials of type '{cred_type}', but none are available",
        node=ctx.node.name,
        item_index=item_index,
        description="n8nwork has no credentials store yet; nodes that need credentials "
        "cannot run until one is configured for this node.",
    )
