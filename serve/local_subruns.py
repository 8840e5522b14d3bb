"""Sub-workflows in ``LocalRuntime`` (the API without Ray): an executeWorkflow node runs its
children right in the run's thread, synchronously, to their end (``InlineSubworkflows``),
with the same depth limit as the Ray runtime. Workflows by id come from the store: the active
version for production runs, else the latest version (as the Ray runtime resolves them).
The children are not stored as executions of their own here; the Ray runtime stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from n8nwork.run.subworkflow import DEFAULT_MAX_DEPTH, SubworkflowError
from n8nwork.store import Store
from n8nwork.store.errors import NotFoundError
from n8nwork.store.repo.executions import get_execution
from n8nwork.store.repo.workflows import active_version, get_workflow_version
from nodes.sdk.credentials import CredentialsProvider
from nodes.sdk.runner import InlineSubworkflows


def local_subworkflows(
    store: Store,
    *,
    execution_id: int,
    mode: str,
    registry: Any,
    timezone: str,
    max_depth: int = DEFAULT_MAX_DEPTH,
    credentials_for: Callable[[str], CredentialsProvider] | None = None,
) -> InlineSubworkflows:
    """The sub-workflow runner of one local execution (children get their credentials from
    ``credentials_for(their workflow id)``)."""
    with store.sessions() as session:
        workflow_id = get_execution(session=session, execution_id=execution_id).workflow_id

    def load(wanted: str) -> Mapping[str, Any]:
        with store.sessions() as session:
            try:
                version = active_version(session=session, workflow_id=wanted)
                if version is None or mode == "manual":
                    version = get_workflow_version(session=session, workflow_id=wanted)
            except NotFoundError:
                raise SubworkflowError(
                    f"The workflow to execute does not exist: '{wanted}'"
                ) from None
            return version.document

    return InlineSubworkflows(
        workflow_id=workflow_id,
        load=load,
        max_depth=max_depth,
        registry=registry,
        timezone=timezone,
        credentials_for=credentials_for,
    )
