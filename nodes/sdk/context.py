"""The context a node executes in: its parameters (expressions resolved per item), its input
items, its persistent node context, the run it belongs to, its credentials (from the run's
``CredentialsProvider``, see ``nodes.sdk.credentials``) and error helpers.

Parameters are resolved lazily and in batches: the first time a node asks for a parameter that
holds an expression, the expression is evaluated for every input item in one engine call and
cached, so a node that loops over items pays one engine round trip per parameter, not per item.
What a parameter name points at in a node's (frozen) parameters, and whether it holds an
expression, is worked out once per node and shared by all its executions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from n8nwork.credential_refs import secret_values
from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.expressions import ExpressionScope, get_engine
from n8nwork.run.data import Items, RunView
from n8nwork.workflow.frozen import thaw
from n8nwork.workflow.model import Node, Workflow
from nodes.sdk.credentials import CredentialsProvider

_MISSING: Any = object()
_NODE_PARAMS: dict[int, tuple[Node, dict[str, tuple[Any, bool]]]] = {}
_MAX_NODES = 4096


_MAPPINGS = (dict, MappingProxyType)
_SEQUENCES = (list, tuple)
_SCALARS = (str, int, float, bool, type(None))


def thaw_value(value: Any) -> Any:
    """``thaw``: plain, mutable JSON for a (possibly frozen) value; quicker for the usual
    types."""
    t = type(value)
    if t is MappingProxyType or t is dict:
        return {k: v if type(v) in _SCALARS else thaw_value(v) for k, v in value.items()}
    if t is tuple or t is list:
        return [v if type(v) in _SCALARS else thaw_value(v) for v in value]
    if t in _SCALARS:
        return value
    return thaw(value)


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


def _param_table(node: Node) -> dict[str, tuple[Any, bool]]:
    """``name -> (value or _MISSING, holds an expression)`` for ``node``'s parameters: shared
    by every execution of the node when its parameters are frozen (as a parsed workflow's are),
    private to one execution otherwise."""
    if type(node.parameters) is not MappingProxyType:
        return {}
    hit = _NODE_PARAMS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    table: dict[str, tuple[Any, bool]] = {}
    if len(_NODE_PARAMS) >= _MAX_NODES:
        _NODE_PARAMS.clear()
    _NODE_PARAMS[id(node)] = (node, table)
    return table


class ExecutionContext:
    """Everything one execution of one node may use. Built by the runtime, one per execution."""

    def __init__(
        self,
        *,
        scope: ExpressionScope,
        defaults: Mapping[str, Any] | None = None,
        node_context: dict[str, Any] | None = None,
        engine: Any = None,
        credentials: CredentialsProvider | None = None,
    ) -> None:
        self.scope = scope
        self.version = float(scope.node.type_version)
        self._defaults = defaults or {}
        self.node_context: dict[str, Any] = node_context if node_context is not None else {}
        self._engine = engine
        self._cache: dict[str, list[Any]] = {}
        self._raw = _param_table(scope.node)
        self.hints: list[str] = []
        self._credentials = credentials
        self.secrets: list[str] = []
        """The secret values of the credentials this execution got (scrubbed from its error)."""

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
            self._engine = get_engine()
        return self._engine

    def raw_param(self, name: str, default: Any = _MISSING) -> Any:
        """The parameter as written in the workflow (expressions unevaluated), thawed."""
        value = self._lookup(name)
        if value is _MISSING:
            value = self._default(name, default)
        return thaw_value(value)

    def param_source(self, name: str, default: Any = None) -> Any:
        """The parameter as written in the workflow, as stored: frozen (read-only mappings and
        tuples) and not evaluated; ``default`` when the node does not set it."""
        value = self._found(name)[0]
        return default if value is _MISSING else value

    def has_param(self, name: str) -> bool:
        return self._found(name)[0] is not _MISSING

    def is_static(self, name: str) -> bool:
        """True when parameter ``name`` holds no expression (absent counts as static): its
        value is the same for every item, so ``param(name, 0)`` may stand for all of them."""
        return not self._found(name)[1]

    def _found(self, name: str) -> tuple[Any, bool]:
        found = self._raw.get(name)
        if found is None:
            value = self._lookup(name)
            found = self._raw[name] = (
                value,
                value is not _MISSING and _contains_expression(value),
            )
        return found

    def param(self, name: str, item_index: int = 0, default: Any = _MISSING) -> Any:
        """Parameter ``name`` (dotted path, as n8n's ``getNodeParameter``) for item ``item_index``.

        Expressions anywhere inside the value are evaluated for that item; a failing
        expression raises ``ExpressionError`` naming the parameter and the item.
        """
        found = self._raw.get(name)
        if found is None:
            found = self._found(name)
        value, dynamic = found
        if value is _MISSING:
            value = self._default(name, default)
            return value if type(value) in _SCALARS else thaw_value(value)
        if not dynamic:
            return value if type(value) in _SCALARS else thaw_value(value)
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

    def evaluate_all(self, value: Any, parameter: str = "") -> list[Any]:
        """An ad-hoc value (expression or not) for every input item, in one engine call: one
        entry per item (at least one), an ``ExpressionError`` where evaluating failed. Pass a
        frozen value (as taken from the node's parameters) to let the engine reuse its plan."""
        values: list[Any] = self.engine.evaluate_all(value, self.scope, parameter=parameter)
        return values

    def evaluate_columns(self, values: tuple[str, ...], parameter: str = "") -> list[list[Any]]:
        """For each string of ``values``, its value for every input item, in one engine call:
        an expression's column (``ExpressionError`` where it failed), a plain string's value
        repeated. Columns of the same expression are the same list: copy before changing."""
        columns: list[list[Any]] = self.engine.evaluate_columns(
            values, self.scope, parameter=parameter
        )
        return columns

    def evaluate(self, value: Any, item_index: int = 0, parameter: str = "") -> Any:
        """Evaluate an ad-hoc value (expression or not) for one item."""
        if not _contains_expression(value):
            return thaw_value(value)
        return self.engine.evaluate(value, self.scope, item_index, parameter=parameter)

    def _lookup(self, name: str) -> Any:
        cur: Any = self.node.parameters
        for part in name.split("."):
            if (type(cur) in _MAPPINGS or isinstance(cur, Mapping)) and part in cur:
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

    # ------------------------------------------------------------------ credentials
    def get_credentials(self, cred_type: str) -> dict[str, Any]:
        """The decrypted fields of the node's credential of ``cred_type``; raises
        ``NodeExecutionError`` naming the node and the type when there is none to use."""
        if self._credentials is None:
            raise NodeExecutionError(
                f"Node '{self.node.name}' needs credentials of type '{cred_type}', but this "
                "execution has no credentials store",
                node=self.node.name,
                description="Run the workflow through n8nwork's runtime (or give the executor "
                "credentials=) to use stored credentials.",
                context={"credentialType": cred_type},
            )
        data = self._credentials.get(self.node, cred_type)
        self.secrets.extend(s for s in secret_values(data) if s not in self.secrets)
        return data

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
