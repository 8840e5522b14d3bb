"""How a node names its stored credentials, and how their values are kept out of what a run
records.

A workflow node references credentials as n8n does: ``node.credentials = {"<type>": {"id":
"...", "name": "..."}}``. ``credential_ref`` reads the reference of one type (a clear
``NodeExecutionError`` naming the node and the type when there is none). ``secret_values``
lists the strings of a decrypted credential that are secret, and ``scrub`` replaces them with
``**hidden**`` anywhere in a JSON value (a node's error and output items before the run
records them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.workflow.model import Node

HIDDEN = "**hidden**"
MIN_SECRET_LENGTH = 3
"""Shorter strings are not scrubbed (masking every ``"1"`` would garble errors)."""
NOT_SECRET = frozenset({"name", "allowedDomains", "allowedHttpRequestDomains"})
"""Fields of credential data that name things rather than hold secrets (the header name of
``httpHeaderAuth``, a query parameter's name, ...)."""


@dataclass(frozen=True, slots=True)
class CredentialRef:
    """A node's reference to a stored credential of ``type``."""

    type: str
    id: str
    name: str


def credential_ref(node: Node, cred_type: str) -> CredentialRef:
    """The reference of ``node`` to its credential of ``cred_type``; raises
    ``NodeExecutionError`` when the node has none of that type."""
    refs: Mapping[str, Any] = node.credentials or {}
    ref = refs.get(cred_type)
    credential_id = ref.get("id") if isinstance(ref, Mapping) else None
    if not isinstance(credential_id, str) or not credential_id:
        assigned = ", ".join(sorted(str(k) for k in refs)) or "none"
        raise NodeExecutionError(
            f"Node '{node.name}' needs credentials of type '{cred_type}', but none are "
            "assigned to it",
            node=node.name,
            description=f"Select a credential of type '{cred_type}' for this node "
            f"(assigned types: {assigned}).",
            context={"credentialType": cred_type},
        )
    name = ref.get("name") if isinstance(ref, Mapping) else None
    return CredentialRef(cred_type, credential_id, name if isinstance(name, str) else "")


def secret_values(data: Mapping[str, Any]) -> list[str]:
    """The secret strings of decrypted credential data (every string field but the few that
    only name things; a field holding a JSON object, as ``httpCustomAuth`` does, also gives
    its inner strings), longest first."""
    found: set[str] = set()
    _collect(data, found, 0)
    return sorted(found, key=len, reverse=True)


def _collect(value: Any, out: set[str], depth: int) -> None:
    if depth > 8:
        return
    if isinstance(value, str):
        if len(value) >= MIN_SECRET_LENGTH:
            out.add(value)
            if value[:1] in "{[":
                try:
                    inner = json.loads(value)
                except ValueError:
                    return
                if isinstance(inner, dict | list):
                    _collect(inner, out, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in NOT_SECRET or depth > 0:
                _collect(item, out, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, out, depth + 1)


def contains_secret(value: Any, secrets: list[str], depth: int = 0) -> bool:
    """Whether any string or key in ``value`` (JSON) contains one of ``secrets``."""
    if isinstance(value, str):
        return any(secret in value for secret in secrets)
    if depth > 64:
        return True  # too deep to be sure: scrub it
    if isinstance(value, Mapping):
        return any(
            contains_secret(k, secrets) or contains_secret(v, secrets, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(contains_secret(v, secrets, depth + 1) for v in value)
    return False


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (JSON) with every occurrence of each of ``secrets`` replaced by
    ``**hidden**``, in keys and strings at any depth; unchanged when there are none."""
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not ordered:
        return value
    return _scrub(value, ordered)


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, HIDDEN)
        return value
    if isinstance(value, Mapping):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, secrets) for v in value]
    return value
