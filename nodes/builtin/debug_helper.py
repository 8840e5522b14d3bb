"""DebugHelper (``n8n-nodes-base.debugHelper``): causes problems on purpose and generates data.

Categories: ``doNothing`` (emits nothing, as n8n's does), ``throwError`` (``throwErrorType``
NodeApiError / NodeOperationError / Error with ``throwErrorMessage``), ``oom`` (refused here
with a clear error instead of exhausting the worker's memory) and ``randomData``
(``randomDataType`` data sets, ``randomDataCount`` of them per input item, reproducible with
``randomDataSeed``, optionally as one ``generatedItems`` array). With "continue on fail" an
error becomes an item ``{"error": message}``.
"""

from __future__ import annotations

import random
from typing import Any

from n8nwork.errors import NodeApiError, NodeExecutionError
from nodes.builtin._jsvalues import is_nan, to_number, to_string, truthy
from nodes.builtin._random_data import DATA_TYPES, GENERATORS, nanoid
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param

CATEGORIES = ("doNothing", "throwError", "oom", "randomData")
ERROR_TYPES = ("NodeApiError", "NodeOperationError", "Error")
MAX_RANDOM_ITEMS = 100_000


class DebugHelper(NodeType):
    type_name = "n8n-nodes-base.debugHelper"
    display_name = "DebugHelper"
    description = "Causes problems intentionally and generates useful data for debugging."
    params = (
        Param("category", "options", "throwError", options=CATEGORIES),
        Param("throwErrorType", "options", "NodeApiError", options=ERROR_TYPES),
        Param("throwErrorMessage", "string", "Node has thrown an error"),
        Param("memorySizeValue", "number", 10),
        Param("randomDataType", "options", "user", options=DATA_TYPES),
        Param(
            "nanoidAlphabet",
            "string",
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
        Param("nanoidLength", "string", "16"),
        Param("randomDataSeed", "string", ""),
        Param("randomDataCount", "number", 10),
        Param("randomDataSingleArray", "boolean", False),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        category = ctx.param("category", 0)
        out: list[dict[str, Any]] = []
        for i, _item in enumerate(ctx.input(0)):
            try:
                if category == "doNothing":
                    continue
                if category == "throwError":
                    raise _error(ctx, i)
                if category == "oom":
                    raise ctx.error(
                        "The 'Out Of Memory' category is disabled: it would exhaust the "
                        "worker's memory",
                        item_index=i,
                        description="Use a resource limit test instead; n8nwork refuses to "
                        "allocate memory on purpose.",
                    )
                if category == "randomData":
                    out.extend(_random_items(ctx, i))
                    continue
                raise ctx.error(f"The category '{category}' is not known", item_index=i)
            except NodeExecutionError as exc:
                if ctx.continue_on_fail:
                    out.append({"json": {"error": exc.message}, "pairedItem": {"item": i}})
                    continue
                raise
        return [out]


def _error(ctx: ExecutionContext, item_index: int) -> NodeExecutionError:
    kind = ctx.param("throwErrorType", 0)
    message = to_string(ctx.param("throwErrorMessage", 0))
    if kind == "NodeApiError":
        return NodeApiError(message, node=ctx.node.name, item_index=item_index)
    if kind == "NodeOperationError":
        return NodeExecutionError(message, node=ctx.node.name, item_index=item_index)
    if kind == "Error":
        return NodeExecutionError(
            message, node=ctx.node.name, item_index=item_index, error_name="Error"
        )
    return ctx.error(f"The error type '{kind}' is not known", item_index=item_index)


def _random_items(ctx: ExecutionContext, item_index: int) -> list[dict[str, Any]]:
    data_type = ctx.param("randomDataType", 0)
    count = to_number(ctx.param("randomDataCount", 0))
    if is_nan(count) or count < 0 or count > MAX_RANDOM_ITEMS:
        raise ctx.error(
            f"'randomDataCount' must be between 0 and {MAX_RANDOM_ITEMS}",
            item_index=item_index,
        )
    seed = to_string(ctx.param("randomDataSeed", 0))
    rng = random.Random(seed) if seed != "" else random.Random()
    if data_type == "nanoid":
        alphabet = to_string(ctx.param("nanoidAlphabet", 0)) or "0123456789abcdef"
        length = to_number(ctx.param("nanoidLength", 0))
        size = 16 if is_nan(length) else max(0, int(length))
        generated = [nanoid(rng, alphabet, size) for _ in range(int(count))]
    elif data_type in GENERATORS:
        generated = [GENERATORS[data_type](rng) for _ in range(int(count))]
    else:
        raise ctx.error(f"The random data type '{data_type}' is not known", item_index=item_index)
    if truthy(ctx.param("randomDataSingleArray", 0)):
        return [{"json": {"generatedItems": generated}, "pairedItem": {"item": item_index}}]
    return [{"json": g, "pairedItem": {"item": item_index}} for g in generated]
