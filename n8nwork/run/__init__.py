"""The run core: the pure state machine (``machine``), its events and commands (``events``),
the run's state (``state``), run data (``data``) and the in-process driver (``driver``).

This package is also what ``n8nwork.run`` names, and the issue's notebook API calls it:
``n8nwork.run(workflow, items=..., wait=True)`` runs a workflow on the connected Ray runtime.
A package cannot be a function too, so the package's module object is made callable; the
call imports the runtime lazily (the core never imports ``actors`` at import time).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _RunPackage(types.ModuleType):
    """``n8nwork.run``: the run core's package, callable as the runtime's ``run``."""

    def __call__(self, workflow: Any = None, **kwargs: Any) -> Any:
        """Run ``workflow`` on the connected runtime; see ``actors.client.run``."""
        # Imported here, not at the top: the core library does not depend on the Ray runtime
        # (``actors`` imports ``n8nwork``, never the other way round).
        from actors.client import run

        return run(workflow, **kwargs)


sys.modules[__name__].__class__ = _RunPackage
