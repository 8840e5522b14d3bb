"""Code (``n8n-nodes-base.code``): runs the user's JavaScript or Python over the input items.

typeVersion 1 runs JavaScript only; typeVersion 2 adds ``language``: ``javaScript`` (default),
``python`` and ``pythonNative`` (n8n 2.x sends both Python options to its native runner, and
so do we: ``_items`` / ``_item``, plus the Pyodide-era ``_input``, ``_json``, ``items`` /
``item``, ``_('Node')``). ``mode`` is ``runOnceForAllItems`` (default) or
``runOnceForEachItem``. JavaScript runs in the expression engine's isolate (``run_code``,
which also validates and pairs the results); Python in a sandboxed child process
(``n8nwork.sandbox``). Results are validated with n8n's rules and texts; in each-item mode
every output item is paired with its input item. With "continue on fail" a failure becomes
``{"json": {"error": message}}`` (per item in each-item mode, as n8n does).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from n8nwork.errors import ExpressionError, NodeExecutionError
from n8nwork.run.data import Item, Items
from n8nwork.sandbox import DEFAULT_LIMITS, SandboxLimits, run_python
from n8nwork.sandbox.context import sandbox_context
from n8nwork.sandbox.runner import Language, Mode
from n8nwork.workflow.model import Node
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

ALL_ITEMS = "runOnceForAllItems"
EACH_ITEM = "runOnceForEachItem"
MODES = (ALL_ITEMS, EACH_ITEM)
LANGUAGES = ("javaScript", "python", "pythonNative")

log = logging.getLogger(__name__)


class Code(NodeType):
    type_name = "n8n-nodes-base.code"
    display_name = "Code"
    description = "Run custom JavaScript or Python code"
    versions = (1, 2)
    placement = "task"
    params = (
        Param("mode", "options", ALL_ITEMS, options=MODES),
        Param("language", "options", "javaScript", options=LANGUAGES, versions=(2, 2)),
        Param("jsCode", "string", ""),
        Param("pythonCode", "string", ""),
    )
    limits: SandboxLimits = DEFAULT_LIMITS

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        if float(node.type_version) < 2 and node.parameters.get("language") not in (
            None,
            "javaScript",
        ):
            problems.append("parameter 'language' exists from typeVersion 2 on")
        return problems

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        mode = ctx.raw_param("mode", ALL_ITEMS)
        if mode not in MODES:
            raise ctx.error(f"The mode '{mode}' is not known", description=f"Use one of {MODES}")
        language = ctx.raw_param("language", "javaScript") if ctx.version >= 2 else "javaScript"
        if language not in LANGUAGES:
            raise ctx.error(
                f"The language '{language}' is not known", description=f"Use one of {LANGUAGES}"
            )
        if language == "javaScript":
            code = ctx.raw_param("jsCode", "")
            return [_javascript(ctx, str(code or ""), mode)]
        code = ctx.raw_param("pythonCode", "")
        return [self._python(ctx, str(code or ""), mode, language)]

    def _python(self, ctx: ExecutionContext, code: str, mode: str, language: str) -> Items:
        items = ctx.input(0)
        try:
            result = run_python(
                code,
                items,
                mode=cast(Mode, mode),
                limits=self.limits,
                context=sandbox_context(ctx.scope, code),
                language=cast(Language, language),
                continue_on_fail=ctx.continue_on_fail,
            )
        except Exception as exc:  # n8n turns every failure into an item when continuing
            if not ctx.continue_on_fail:
                raise _named(exc, ctx) from None
            return [{"json": {"error": _message(exc)}}]
        _log_lines(ctx, list(result.stdout))
        if mode == ALL_ITEMS:
            return result.items
        by_index = {item["pairedItem"]["item"]: item for item in result.items}
        out: Items = []
        for index in range(len(items)):
            if index in result.errors:
                out.append(_error_item(result.errors[index], index))
            elif index in by_index:
                out.append(by_index[index])
        return out


def _javascript(ctx: ExecutionContext, code: str, mode: str) -> Items:
    """The engine runs, validates and pairs (n8n's texts); one isolate call for all items."""
    engine = ctx.engine
    try:
        result = engine.run_code(
            code, ctx.scope, mode=mode, item_index=None, continue_on_fail=ctx.continue_on_fail
        )
    except Exception as exc:  # n8n turns every failure into an item when continuing
        if not ctx.continue_on_fail:
            raise _named(exc, ctx) from None
        if mode == ALL_ITEMS:
            return [{"json": {"error": _message(exc)}}]
        return _javascript_per_item(ctx, code, mode)
    _log_lines(ctx, getattr(engine, "last_logs", []))
    return list(result or [])


def _javascript_per_item(ctx: ExecutionContext, code: str, mode: str) -> Items:
    """Each-item mode item by item, so that one item's failure is that item's error item."""
    out: Items = []
    for index in range(len(ctx.input(0))):
        try:
            item = ctx.engine.run_code(
                code, ctx.scope, mode=mode, item_index=index, continue_on_fail=True
            )
        except Exception as exc:
            out.append(_error_item(exc, index))
            continue
        if item is not None:
            out.append(item)
    return out


def _log_lines(ctx: ExecutionContext, lines: list[Any]) -> None:
    for line in lines:
        log.info("[Node %r] %s", ctx.node.name, line)


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc)


def _error_item(exc: Exception, index: int) -> Item:
    return {"json": {"error": _message(exc)}, "pairedItem": {"item": index}}


def _named(exc: Exception, ctx: ExecutionContext) -> Exception:
    """The error, naming this node (an ExpressionError becomes a node error; anything else,
    not ours, is left as it is)."""
    if isinstance(exc, NodeExecutionError):
        if exc.node is None:
            exc.node = ctx.node.name
        return exc
    if not isinstance(exc, ExpressionError):
        return exc
    err = NodeExecutionError(
        _message(exc),
        node=ctx.node.name,
        item_index=getattr(exc, "item_index", None),
        description=getattr(exc, "description", None),
    )
    err.__cause__ = exc
    return err
