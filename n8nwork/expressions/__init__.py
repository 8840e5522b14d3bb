"""n8n expressions, evaluated as JavaScript in an embedded QuickJS isolate.

Public surface:

- ``is_expression(value)``: True for strings starting with ``=`` (n8n's expression marker).
- ``ExpressionScope``: everything the expressions of one node execution may see.
- ``get_engine()``: the engine of the current thread (isolates are not shared across threads).
- ``ExpressionEngine.evaluate(value, scope, item_index, parameter=...)``: one value for one item.
- ``ExpressionEngine.evaluate_all(value, scope, parameter=...)``: the value for every input
  item in one engine call (compiled once); failures come back per item as ``ExpressionError``.
- ``ExpressionEngine.evaluate_columns(strings, scope, parameter=...)``: each string's value
  for every input item (one column per string), all in one engine call.
- ``ExpressionEngine.run_code(code, scope, mode=..., item_index=...)``: the JavaScript Code /
  Function node body, in the same isolate kind.
"""

from n8nwork.expressions.engine import ExpressionEngine, get_engine
from n8nwork.expressions.scope import ExpressionScope, is_expression

__all__ = ["ExpressionEngine", "ExpressionScope", "get_engine", "is_expression"]
