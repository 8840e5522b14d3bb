"""n8n's rules for what a Code / Function / Function Item node body returned, and its error texts.

The isolate hands back the JSON of the returned value (``undefined`` is a missing key) and,
for a thrown error, its name, message, user line number and whether it is an n8n error. These
helpers turn that into output items or a ``NodeExecutionError`` with the messages n8n shows:
``ValidationError`` texts such as "Code doesn't return items properly" or
"A 'json' property isn't an object [item 0]", and runtime errors as
"<message> [line 3]" / "<message> [line 3, for item 2]" with the error type as description.
"""

from __future__ import annotations

import re
from typing import Any

from n8nwork.errors import NodeExecutionError
from n8nwork.expressions._values import js_truthy

N8N_ITEM_KEYS = ("json", "binary", "pairedItem", "error", "metadata", "index")
_DISALLOWED_EACH = re.compile(r"\$input\.(first|last|all|itemMatching)")


class CodeError(NodeExecutionError):
    """Raised when user code fails or returns something n8n does not accept."""


def validation_error(
    message: str,
    description: str,
    *,
    item_index: int | None = None,
    line: int | None = None,
) -> CodeError:
    if line is not None and item_index is not None:
        text = f"{message} [line {line}, for item {item_index}]"
    elif line is not None:
        text = f"{message} [line {line}]"
    elif item_index is not None:
        text = f"{message} [item {item_index}]"
    else:
        text = message
    return CodeError(
        text, item_index=item_index, description=description, error_name="ValidationError"
    )


def runtime_error(err: dict[str, Any], item_index: int | None) -> CodeError:
    """n8n's ExecutionError from a thrown JavaScript error."""
    name = str(err.get("name") or "Error")
    message = str(err.get("message", ""))
    line = err.get("line")
    where = ""
    if line is not None:
        where = f"[line {line}]" if item_index is None else f"[line {line}, for item {item_index}]"
    if err.get("thrown"):
        return CodeError(message or f"Unknown error {where}".strip(), item_index=item_index)
    # n8n keeps what follows the last ':' of "Name: message" and uses Name as description
    row = f"{name}: {message}"
    segments = [s.strip() for s in row.split(":")]
    details = segments[-1]
    kind = segments[-2] if len(segments) > 1 else None
    description = None if kind in (None, "Error") else kind
    text = f"{details} {where}".rstrip() if details else f"Unknown error {where}".rstrip()
    return CodeError(
        text,
        item_index=item_index,
        description=description,
        error_name=name if name != "Error" else None,
    )


def check_each_item_code(code: str) -> None:
    """n8n refuses ``$input.first()``/``last()``/``all()``/``itemMatching()`` in per-item mode."""
    m = _DISALLOWED_EACH.search(code)
    if not m:
        return
    method = m.group(1)
    for n, line in enumerate(code.split("\n"), start=1):
        if method in line and not line.startswith("//") and not line.startswith("*"):
            raise validation_error(
                f"Can't use .{method}() here",
                "This is only available in 'Run Once for All Items' mode",
                item_index=0,
                line=n,
            )


def _is_object(v: Any) -> bool:
    return isinstance(v, dict)


def normalize_items(data: Any) -> list[Any]:
    """n8n-core's ``normalizeItems``."""
    if isinstance(data, dict):
        data = [data] if js_truthy(data.get("json")) else [{"json": data}]
    if not isinstance(data, list):
        return [data]
    objs = [d for d in data if isinstance(d, dict)]
    if len(objs) == len(data) and all("json" in d for d in objs):
        return data
    if any("json" in d for d in objs):
        raise CodeError("Inconsistent item format")
    if objs and len(objs) == len(data) and all("binary" in d for d in objs):
        return [
            {"json": {k: v for k, v in d.items() if k != "binary"}, "binary": d["binary"]}
            for d in objs
        ]
    if any("binary" in d for d in objs):
        raise CodeError("Inconsistent item format")
    return [{"json": d} for d in data]


def _validate_item(item: Any, index: int) -> None:
    if not isinstance(item, dict) or not _is_object(item.get("json")):
        raise validation_error(
            "A 'json' property isn't an object",
            "In the returned data, every key named 'json' must point to an object.",
            item_index=index,
        )
    if "binary" in item and not _is_object(item["binary"]):
        raise validation_error(
            "A 'binary' property isn't an object",
            "In the returned data, every key named 'binary' must point to an object.",
            item_index=index,
        )


def _validate_top_level_keys(item: dict[str, Any], index: int) -> None:
    reserved = next((k for k in item if k in N8N_ITEM_KEYS), None)
    unknown = [k for k in item if k not in N8N_ITEM_KEYS]
    if not unknown:
        return
    if reserved is not None:
        raise validation_error(
            "Invalid output format",
            f"An output item contains the reserved key <code>{reserved}</code>. To get around "
            "this, please wrap each item in an object, under a key called <code>json</code>.",
            item_index=index,
        )
    raise validation_error(
        f"Unknown top-level item key: {unknown[0]}",
        "Access the properties of an item under `.json`, e.g. `item.json`",
        item_index=index,
    )


_NOT_ITEMS = (
    "Code doesn't return items properly",
    "Please return an array of objects, one for each item you would like to output.",
)


def all_items_output(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Items from a 'Run Once for All Items' return value (``result`` has ``value`` or not)."""
    if "value" not in result:
        raise validation_error(*_NOT_ITEMS)
    value = result["value"]
    if value is None:
        return []
    if not isinstance(value, (dict, list)):
        raise validation_error(*_NOT_ITEMS)
    if isinstance(value, list):
        if any(not _is_object(v) for v in value):
            raise validation_error(*_NOT_ITEMS)
        if any(k in N8N_ITEM_KEYS for v in value for k in v):
            for i, v in enumerate(value):
                _validate_top_level_keys(v, i)
    items = normalize_items(value)
    for i, item in enumerate(items):
        _validate_item(item, i)
    return items


def each_item_output(result: dict[str, Any], index: int) -> dict[str, Any] | None:
    """The item for input ``index`` from a 'Run Once for Each Item' return value, or None."""
    if "ok" not in result:
        return None
    value = result["ok"]
    if not js_truthy(value):
        return None
    if isinstance(value, dict):
        if "json" in value:
            json_data = value["json"]
        elif "binary" in value:
            json_data = value.get("json", {})
        else:
            json_data = value
        binary = value.get("binary") if js_truthy(value.get("binary")) else None
    else:
        json_data, binary = value, None
    item: dict[str, Any] = {"json": json_data, "pairedItem": {"item": index}}
    if binary is not None:
        item["binary"] = binary
    _validate_item(item, index)
    return item


def function_output(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Items from the legacy Function node's return value (its own checks and texts)."""
    if "value" not in result:
        raise CodeError("No data got returned. Always return an Array of items!")
    items = normalize_items(result["value"])
    if not isinstance(items, list):
        raise CodeError("Always an Array of items has to be returned!")
    out = []
    for item in items:
        if not isinstance(item, dict) or "json" not in item:
            raise CodeError('All returned items have to contain a property named "json"!')
        if not isinstance(item["json"], (dict, list)):
            raise CodeError("The json-property has to be an object!")
        if "binary" in item and not isinstance(item["binary"], dict):
            raise CodeError("The binary-property has to be an object!")
        out.append({k: v for k, v in item.items() if k != "index"})
    return out


def function_error(err: dict[str, Any], item_index: int | None) -> CodeError:
    """The legacy Function / Function Item error text: ``msg [Line 3 | Item Index: 0]``."""
    message = str(err.get("message", ""))
    line = err.get("line")
    if item_index is None:
        text = f"{message} [Line {line}]" if line is not None else message
    elif line is not None:
        text = f"{message} [Line {line} | Item Index: {item_index}]"
    else:
        text = f"{message} [Item Index: {item_index}]"
    return CodeError(text, item_index=item_index)
