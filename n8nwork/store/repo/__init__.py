"""Repository functions: keyword-only verbs over a ``Session`` (``create_execution(*, session,
...)``). They add and flush; the caller owns the transaction and commits, except where a
function's docstring says it commits (the group-commit writer and pruning)."""
