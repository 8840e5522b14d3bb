"""Stored credentials for node executions: ``StoredCredentials`` loads a node's credential
from the store, checks it may be used, decrypts it, and keeps it a few seconds.

``StoredCredentials(store).for_workflow(workflow_id)`` is the credentials provider of the runs
of one workflow (``nodes.sdk.credentials.CredentialsProvider``): ``get(node, type)`` returns
the decrypted fields of the credential of ``type`` the node references, or raises a
``NodeExecutionError`` naming the node and the type when the node references none, the
credential does not exist, it belongs to another project than the workflow (a credential is
usable only by workflows of its own project: the store has no sharing of credentials across
projects), or it is of another type.

The rows (still encrypted) and their clear data are cached per process for ``ttl_s`` seconds
(default 5), shared by every workflow of the store, so a hot webhook does not read and
decrypt per call; a workflow's project is cached the same way. Every decrypted secret is
registered with the log redaction (``n8nwork.observability.redaction``).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from n8nwork.credential_refs import credential_ref, secret_values
from n8nwork.crypto import CryptoError
from n8nwork.errors import NodeExecutionError
from n8nwork.observability import redaction
from n8nwork.store import Store
from n8nwork.store.repo.credentials import decrypt_credential
from n8nwork.store.tables.credentials import Credential
from n8nwork.store.tables.workflows import WorkflowRow
from n8nwork.workflow.model import Node

DEFAULT_TTL_S = 5.0
MAX_ENTRIES = 4096


@dataclass(frozen=True, slots=True)
class _Loaded:
    expires: float
    project_id: str
    type: str
    name: str
    data: Mapping[str, Any] = field(repr=False)


class StoredCredentials:
    """The credentials of one store, for the workflows of this process (module docstring)."""

    def __init__(self, store: Store, *, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._credentials: dict[str, _Loaded] = {}
        self._projects: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many times a credential was read from the database (tests, metrics)."""

    def __repr__(self) -> str:
        return f"StoredCredentials(ttl_s={self.ttl_s})"

    def for_workflow(self, workflow_id: str) -> WorkflowCredentials:
        """The credentials provider of the runs of workflow ``workflow_id``."""
        return WorkflowCredentials(self, workflow_id)

    def clear(self) -> None:
        with self._lock:
            self._credentials.clear()
            self._projects.clear()

    # ------------------------------------------------------------------ loading
    def project_of(self, workflow_id: str) -> str | None:
        """The project of a stored workflow (``None``: no such workflow)."""
        now = time.monotonic()
        hit = self._projects.get(workflow_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        with self.store.sessions() as session:
            row = session.get(WorkflowRow, workflow_id) if workflow_id else None
            project = row.project_id if row is not None else None
        with self._lock:
            if len(self._projects) >= MAX_ENTRIES:
                self._projects.clear()
            self._projects[workflow_id] = (now + self.ttl_s, project)
        return project

    def load(self, credential_id: str) -> _Loaded | None:
        """The credential (decrypted), from the cache when fresh; ``None``: it does not
        exist. Raises ``CryptoError`` when it does not decrypt."""
        now = time.monotonic()
        hit = self._credentials.get(credential_id)
        if hit is not None and hit.expires > now:
            return hit
        with self.store.sessions() as session:
            row = session.get(Credential, credential_id)
            if row is None:
                return None
            data = decrypt_credential(key_ring=self.store.key_ring, credential=row)
            loaded = _Loaded(now + self.ttl_s, row.project_id, row.type, row.name, data)
        self.loads += 1
        redaction.remember(*secret_values(data))
        with self._lock:
            if len(self._credentials) >= MAX_ENTRIES:
                self._credentials.clear()
            self._credentials[credential_id] = loaded
        return loaded


class WorkflowCredentials:
    """The credentials provider of one workflow's runs: ``get(node, type)``."""

    def __init__(self, source: StoredCredentials, workflow_id: str) -> None:
        self.source = source
        self.workflow_id = workflow_id

    def __repr__(self) -> str:
        return f"WorkflowCredentials(workflow_id={self.workflow_id!r})"

    def get(self, node: Node, cred_type: str) -> dict[str, Any]:
        ref = credential_ref(node, cred_type)
        label = f"'{ref.name}' ({ref.id})" if ref.name else f"'{ref.id}'"
        where = {"credentialType": cred_type, "credentialId": ref.id}

        def fail(message: str, description: str | None = None) -> NodeExecutionError:
            return NodeExecutionError(
                message, node=node.name, description=description, context=dict(where)
            )

        try:
            project = self.source.project_of(self.workflow_id)
            loaded = self.source.load(ref.id)
        except CryptoError:
            raise fail(
                f"Credential {label} of type '{cred_type}' used by node '{node.name}' could "
                "not be decrypted",
                "The encryption key it was stored under is not available.",
            ) from None
        except Exception as exc:  # the database: never leak its error text into run data
            raise fail(
                f"Credential {label} of type '{cred_type}' used by node '{node.name}' could "
                f"not be loaded ({type(exc).__name__})"
            ) from None
        if loaded is None:
            raise fail(
                f"Credential {label} of type '{cred_type}' used by node '{node.name}' does "
                "not exist",
                "It may have been deleted: select another credential for this node.",
            )
        if project is None or loaded.project_id != project:
            raise fail(
                f"Credential {label} of type '{cred_type}' used by node '{node.name}' is not "
                "usable by this workflow",
                "A workflow can use only the credentials of its own project.",
            )
        if loaded.type != cred_type:
            raise fail(
                f"Credential {label} used by node '{node.name}' is of type '{loaded.type}', "
                f"not '{cred_type}'"
            )
        return copy.deepcopy(dict(loaded.data))
