"""Where a node's credentials come from: a ``CredentialsProvider`` handed to the executor.

``ctx.get_credentials(type)`` asks the provider of the run for the decrypted fields of the
credential of ``type`` the node references (``node.credentials``). Providers:

- ``n8nwork.credentials_provider.StoredCredentials(store).for_workflow(id)``: from the store,
  checked against the workflow's project (run hosts, the in-process runtime, webhooks);
- ``StaticCredentials``: fields already resolved, by node name and type (a task worker gets
  them from its run host; tests and notebooks pass them directly).

A provider raises ``NodeExecutionError`` naming the node and the type when it cannot give the
credential. Decrypted values stay in the node's execution: the executor scrubs them from the
node's error (``n8nwork.credential_refs.scrub``) and never puts them in run data.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from n8nwork.credential_refs import credential_ref
from n8nwork.errors import NodeExecutionError
from n8nwork.workflow.model import Node


@runtime_checkable
class CredentialsProvider(Protocol):
    """Gives a node the decrypted fields of its credential of a type (raises
    ``NodeExecutionError`` naming the node and the type when it cannot)."""

    def get(self, node: Node, cred_type: str) -> dict[str, Any]: ...


class StaticCredentials:
    """Credentials resolved beforehand: ``{node name: {type: fields}}``; ``errors`` holds
    ``{node name: {type: message}}`` for those that could not be resolved (the message is
    raised as the node's error). A node's type found in neither: none assigned."""

    def __init__(
        self,
        by_node: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
        *,
        errors: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._by_node = {k: dict(v) for k, v in (by_node or {}).items()}
        self._errors = {k: dict(v) for k, v in (errors or {}).items()}

    def __repr__(self) -> str:  # never the values
        return f"StaticCredentials(nodes={sorted(self._by_node)!r})"

    def get(self, node: Node, cred_type: str) -> dict[str, Any]:
        found = self._by_node.get(node.name, {}).get(cred_type)
        if found is not None:
            return copy.deepcopy(dict(found))
        message = self._errors.get(node.name, {}).get(cred_type)
        if message is not None:
            raise NodeExecutionError(message, node=node.name, context={"credentialType": cred_type})
        credential_ref(node, cred_type)  # raises when none is assigned
        raise NodeExecutionError(
            f"Credential of type '{cred_type}' of node '{node.name}' was not resolved for "
            "this execution",
            node=node.name,
            context={"credentialType": cred_type},
        )


def resolve_node_credentials(
    provider: CredentialsProvider, node: Node
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every credential ``node`` references, through ``provider``: ``(fields by type,
    error message by type)`` (what a run host sends a task worker)."""
    found: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for cred_type in node.credentials or {}:
        try:
            found[str(cred_type)] = provider.get(node, str(cred_type))
        except NodeExecutionError as exc:
            errors[str(cred_type)] = exc.message
    return found, errors
