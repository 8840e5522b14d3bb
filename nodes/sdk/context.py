"""The context a node executes in: its parameters (expressions resolved per item), its input
items, its persistent node context, the run it belongs to, and error helpers.

Parameters are resolved lazily and in batches: the first time a node asks for a parameter that
holds an expression, the expression is evaluated for every input item in one engine call and
cached, so a node that loops over items pays one engine round trip per parameter, not per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Items, RunView
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node, Workflow

_MISSING: Any = object()


_MAPPINGS = (dict, MappingProxyType)
_SEQUENCES = (list, tuple)
_SCALARS = (str, int, float, bool, type(None))


def _contains_expression(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return bool(value) and value[0] == "="
    if kind in _MAPPINGS:
        return any(_contains_expression(v) for v in value.values())
    if kind in _SEQUENCES:
        return any(_contains_expression(v) for v in value)
    if isinstance(value, Mapping):
        return any(_contains_expression(v) for v in value.values())
    return False


class ExecutionContext:
    """Everything one execution of one node may use. Built by the runtime, one per execution."""

    def __init__(
        self,
        *,
        scope: ExpressionScope,
        defaults: Mapping[str, Any] | None = None,
        node_context: dict[str, Any] | None = None,
        engine: Any = None,
    ) -> None:
        self.scope = scope
        self._defaults = defaults or {}
        self.node_context: dict[str, Any] = node_context if node_context is not None else {}
        self._engine = engine
        self._cache: dict[str, list[Any]] = {}
        self._raw: dict[str, tuple[Any, bool]] = {}
        self.hints: list[str] = []

    # ------------------------------------------------------------------ identity
    @property
    def node(self) -> Node:
        return self.scope.node

    @property
    def workflow(self) -> Workflow:
        return self.scope.workflow

    @property
    def run(self) -> RunView:
        return self.scope.run

    @property
    def run_index(self) -> int:
        return self.scope.run_index

    @property
    def version(self) -> float:
        return float(self.scope.node.type_version)

    @property
    def timezone(self) -> str:
        return self.scope.timezone

    @property
    def execution_id(self) -> str:
        return str(self.scope.execution.get("id", ""))

    @property
    def mode(self) -> str:
        return str(self.scope.execution.get("mode", "manual"))

    @property
    def idempotency_key(self) -> str:
        """(execution id, node, run index): the same for every retry of this node run."""
        return f"{self.execution_id}:{self.node.name}:{self.run_index}"

    @property
    def continue_on_fail(self) -> bool:
        """True when the node's errors go to an output instead of stopping the workflow."""
        return self.node.error_mode != "stopWorkflow"

    # ------------------------------------------------------------------ inputs
    def input(self, index: int = 0) -> Items:
        """The items of input ``index`` (empty list when that input got no data)."""
        inputs = self.scope.inputs
        return inputs[index] if index < len(inputs) and inputs[index] is not None else []

    @property
    def inputs(self) -> list[Items]:
        return self.scope.inputs

    # ------------------------------------------------------------------ parameters
    @property
    def engine(self) -> Any:
        if self._engine is None:
            from n8nwork.expressions.engine import get_engine

            self._engine = get_engine()
        return self._engine

    def raw_param(self, name: str, default: Any = _MISSING) -> Any:
        """The parameter as written in the workflow (expressions unevaluated), thawed."""
        value = self._lookup(name)
        if value is _MISSING:
            value = self._default(name, default)
        return thaw(value)

    def has_param(self, name: str) -> bool:
        return self._lookup(name) is not _MISSING

    def param(self, name: str, item_index: int = 0, default: Any = _MISSING) -> Any:
        """Parameter ``name`` (dotted path, as n8n's ``getNodeParameter``) for item ``item_index``.

        Expressions anywhere inside the value are evaluated for that item; a failing
        expression raises ``ExpressionError`` naming the parameter and the item.
        """
        found = self._raw.get(name)
        if found is None:
            value = self._lookup(name)
            found = self._raw[name] = (
                value,
                value is not _MISSING and _contains_expression(value),
            )
        value, dynamic = found
        if value is _MISSING:
            return thaw(self._default(name, default))
        if not dynamic:
            return value if type(value) in _SCALARS else thaw(value)
        values = self._cache.get(name)
        if values is None:
            values = self.engine.evaluate_all(value, self.scope, parameter=name)
            self._cache[name] = values
        if item_index >= len(values):
            result = self.engine.evaluate(value, self.scope, item_index, parameter=name)
        else:
            result = values[item_index]
        if isinstance(result, ExpressionError):
            raise result
        return result

    def evaluate(self, value: Any, item_index: int = 0, parameter: str = "") -> Any:
        """Evaluate an ad-hoc value (expression or not) for one item."""
        if not _contains_expression(value):
            return thaw(value)
        return self.engine.evaluate(value, self.scope, item_index, parameter=parameter)

    def _lookup(self, name: str) -> Any:
        cur: Any = self.node.parameters
        for part in name.split("."):
            if type(cur) in _MAPPINGS and part in cur:
                cur = cur[part]
            elif isinstance(cur, Mapping) and part in cur:
                cur = cur[part]
            else:
                return _MISSING
        return cur

    def _default(self, name: str, default: Any) -> Any:
        # As in n8n, a parameter's schema default counts as set (n8n fills defaults in when
        # it loads a node); the caller's fallback applies only where the schema has none.
        if name in self._defaults:
            return self._defaults[name]
        if default is not _MISSING:
            return default
        raise NodeExecutionError(f"Could not get parameter '{name}'", node=self.node.name)

    def add_hint(self, message: str) -> None:
        """A note for the workflow author, kept with this node run (n8n's execution hints)."""
        if message not in self.hints:
            self.hints.append(message)

    # ------------------------------------------------------------------ errors
    def error(
        self,
        message: str,
        *,
        item_index: int | None = None,
        description: str | None = None,
        **context: Any,
    ) -> NodeExecutionError:
        """A node error naming this node; ``raise ctx.error(...)``."""
        return NodeExecutionError(
            message,
            node=self.node.name,
            item_index=item_index,
            description=description,
            context=context or None,
        )
