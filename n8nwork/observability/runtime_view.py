"""The runtime gauges (``metrics.RUNTIME_GAUGES``) as the directory sees them: active and
queued runs (admission), live run hosts and each one's load (its last heartbeat stats),
and waiting runs (a count of the store's ``waiting`` executions, refreshed at most every
``WAITING_REFRESH_S``: every scrape must not be a query)."""

from __future__ import annotations

import threading
import time
from typing import Any

from n8nwork.observability import metrics

WAITING_REFRESH_S = 15.0


class DirectoryView:
    """``snapshot()`` for ``metrics.watch_runtime``; reads the directory's fields (``hosts``,
    ``admission``, ``store``) without changing anything."""

    def __init__(self, directory: Any) -> None:
        self.directory = directory
        self._waiting = 0
        self._waiting_at = -WAITING_REFRESH_S
        self._lock = threading.Lock()

    def snapshot(self) -> dict[str, Any]:
        d = self.directory
        admission = d.admission.snapshot()
        hosts = {
            name: {
                "active": info.stats.get("active", 0),
                "loop_lag_ms": info.stats.get("loop_lag_ms", 0.0),
                "rss": info.stats.get("rss_bytes", 0),
            }
            for name, info in list(d.hosts.items())
        }
        return {
            "runs_active": admission.get("active", 0),
            "runs_queued": admission.get("queued", 0),
            "runs_waiting": self._count_waiting(),
            "run_hosts": len(hosts),
            "hosts": hosts,
        }

    def _count_waiting(self) -> int:
        now = time.monotonic()
        with self._lock:
            if now - self._waiting_at >= WAITING_REFRESH_S and self.directory.store is not None:
                self._waiting_at = now
                try:
                    self._waiting = count_waiting(self.directory.store)
                except Exception:
                    metrics.database_error("metrics")
            return self._waiting


def count_waiting(store: Any) -> int:
    from sqlmodel import func, select

    from n8nwork.store.tables.executions import Execution

    with store.sessions() as session:
        query = select(func.count()).select_from(Execution).where(Execution.status == "waiting")
        return int(session.exec(query).one())


def watch_directory(directory: Any) -> None:
    """Collect the runtime gauges from ``directory`` in this process."""
    metrics.watch_runtime(DirectoryView(directory).snapshot)
