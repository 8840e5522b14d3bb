"""What one replica keeps to answer webhooks fast: the route table, the workflow programs of
active versions (built once: parsed workflow, state machine, node executor), whether each
may run inline (``inline_run``), the stored credentials (``StoredCredentials``: decrypted, kept
a few seconds) that both the programs' nodes and webhook authentication use, and its own
group-commit writer for inline runs. A program's nodes get the credentials of its workflow's
project only (the provider is bound to the workflow when the program is built)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
from sqlalchemy import select
from sqlmodel import col

from actors.programs import Program, ProgramCache, WorkflowRef
from n8nwork.cache import Cache
from n8nwork.credentials_provider import StoredCredentials
from n8nwork.errors import NodeExecutionError
from n8nwork.settings import Settings
from n8nwork.store import ExecutionWriter, Store
from n8nwork.store.repo.workflows import get_workflow_version
from n8nwork.store.tables.triggers import Webhook
from n8nwork.store.tables.workflows import WorkflowActivation, WorkflowRow
from n8nwork.workflow.model import Node
from serve.webhooks.inline_run import inline_eligible
from serve.webhooks.routes_table import Route, RouteTable

CREDENTIAL_TTL_S = 5.0


class WebhookService:
    """Per replica (see the module docstring)."""

    def __init__(self, store: Store, cache: Cache, registry: Any, settings: Settings) -> None:
        self.store = store
        self.cache = cache
        self.settings = settings
        self.routes = RouteTable(self._load_routes, cache)
        base = settings.public_url.rstrip("/")
        self.credentials = StoredCredentials(store, ttl_s=CREDENTIAL_TTL_S)
        self.programs = ProgramCache(
            registry=registry,
            timezone=settings.timezone,
            resume_base_url=f"{base}/webhook-waiting" if base else "",
            credentials=self.credentials.for_workflow,
        )
        self._inline: dict[str, bool] = {}
        self._writer: ExecutionWriter | None = None

    @property
    def writer(self) -> ExecutionWriter:
        if self._writer is None:
            # No waiting for company: a caller waits for this commit, and the writes that
            # arrive while it is under way share the next one (group commit by itself).
            self._writer = self.store.writer(max_delay=0.0)
        return self._writer

    # ------------------------------------------------------------------ routes
    async def _load_routes(self) -> Sequence[Route]:
        return await anyio.to_thread.run_sync(self._read_routes)

    def _read_routes(self) -> list[Route]:
        query = (
            select(
                col(Webhook.method),
                col(Webhook.path),
                col(Webhook.workflow_id),
                col(WorkflowActivation.version),
                col(Webhook.node),
                col(WorkflowRow.name),
            )
            .join(WorkflowActivation, col(WorkflowActivation.workflow_id) == Webhook.workflow_id)
            .join(WorkflowRow, col(WorkflowRow.id) == Webhook.workflow_id)
        )
        with self.store.sessions() as session:
            return [Route(*row) for row in session.execute(query)]

    # ------------------------------------------------------------------ programs
    async def program(self, workflow_id: str, version: int) -> tuple[Program, bool]:
        """The program of a saved version and whether its runs may execute inline."""
        ref = WorkflowRef(workflow_id, version)
        program = self.programs.get(ref.key)
        if program is None:
            document = await anyio.to_thread.run_sync(self._read_version, workflow_id, version)
            program = self.programs.add(ref, document)
        inline = self._inline.get(ref.key)
        if inline is None:
            inline = self._inline[ref.key] = inline_eligible(program)
        return program, inline

    def _read_version(self, workflow_id: str, version: int) -> dict[str, Any]:
        with self.store.sessions() as session:
            row = get_workflow_version(session=session, workflow_id=workflow_id, version=version)
            return dict(row.document)

    # ------------------------------------------------------------------ credentials
    async def credential(self, node: Node, kind: str, workflow_id: str) -> dict[str, Any] | None:
        """The decrypted credential of type ``kind`` the node of workflow ``workflow_id``
        names, or ``None`` (none assigned, gone, of another project or another type)."""
        provider = self.credentials.for_workflow(workflow_id)
        try:
            return await anyio.to_thread.run_sync(provider.get, node, kind)
        except NodeExecutionError:
            return None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
