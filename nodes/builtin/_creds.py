"""Credentials for the nodes of this package: a node asks ``get_credentials(ctx, type)`` and
gets the decrypted fields, or a clear error naming the node and the type.

The fields come from the credentials store through the run's provider
(``ctx.get_credentials``, see ``nodes.sdk.credentials``): the credential the node references
in ``node.credentials``, checked against the workflow's project. A context given a plain
``ctx.credentials`` mapping (type -> fields, as unit tests of nodes do) is served from it.
"""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.sdk import ExecutionContext


def get_credentials(
    ctx: ExecutionContext, cred_type: str, item_index: int | None = None
) -> dict[str, Any]:
    given = getattr(ctx, "credentials", None)
    if isinstance(given, dict) and isinstance(given.get(cred_type), dict):
        return dict(given[cred_type])
    try:
        return ctx.get_credentials(cred_type)
    except NodeExecutionError as exc:
        if item_index is not None and exc.item_index is None:
            exc.item_index = item_index
            exc.context.setdefault("itemIndex", item_index)
        raise
