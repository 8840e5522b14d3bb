"""What every request handler needs, built once per app (per Serve replica)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from n8nwork.cache import Cache
from n8nwork.settings import Settings
from n8nwork.store import Store
from serve.auth.tokens import TokenSigner
from serve.config import ApiConfig

if TYPE_CHECKING:
    from serve.runtime import Runtime


@dataclass
class AppContext:
    """The app's connections and configuration (``request.app.state.ctx``)."""

    settings: Settings = field(repr=False)
    config: ApiConfig
    store: Store
    cache: Cache
    runtime: Runtime
    signer: TokenSigner = field(repr=False)
    registry: Any
    write_sessions: Any = None
    """Sessions for requests that write: on SQLite they take the write lock at BEGIN (a
    read-then-write request cannot fail on a concurrent commit); plain sessions otherwise."""
    rate_batches: Any = None
    """``serve.rate_batches.BatchedBuckets`` of this replica (webhook rate limits)."""
    webhooks: Any = None
    """The replica's ``serve.webhooks.service.WebhookService`` (routes, programs, writer)."""
    node_types: dict[str, Any] = field(default_factory=dict, repr=False)
    """Every node type's JSON description by type name (computed once)."""
