"""The builder's error: a workflow being written in Python is wrong, found before it runs."""

from __future__ import annotations

from n8nwork.errors import WorkflowError


class BuilderError(WorkflowError):
    """Raised when a workflow written with the builder is wrong: an unknown parameter, a value
    of the wrong kind, a connection to a missing input, a bad node setting or custom node.

    A ``WorkflowError``: ``problems`` lists every finding, each naming the node (and the
    parameter, setting or connection) it is about.
    """
