"""n8n's rules for what Code nodes return: ``normalizeItems`` and the result validation of the
Code node (``result-validation.ts``), with n8n's error texts.

JavaScript results are spoken of as objects, Python results as dictionaries (``JS_TEXT`` and
``PYTHON_TEXT``). Errors are ``CodeValidationError`` whose message carries n8n's
``[item N]`` suffix where n8n's does.
"""

from __future__ import annotations

import math
from typing import Any

from n8nwork.run.data import Item
from n8nwork.sandbox.limits import CodeValidationError

JS_TEXT = ("object", "objects")
PYTHON_TEXT = ("dictionary", "dictionaries")

N8N_ITEM_KEYS = frozenset({"json", "binary", "pairedItem", "error", "metadata", "index"})


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _error(message: str, description: str, item_index: int | None = None) -> CodeValidationError:
    if item_index is not None:
        message = f"{message} [item {item_index}]"
    return CodeValidationError(message, item_index=item_index, description=description)


def is_object(value: Any) -> bool:
    """n8n's ``isObject``: a plain object, not an array, not null."""
    return isinstance(value, dict)


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (empty objects and arrays are truthy)."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def js_typeof(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def _js_string(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def normalize_items(data: Any) -> list[Item]:
    """n8n's ``normalizeItems``: wrap plain objects under ``json``; refuse mixed shapes."""
    if isinstance(data, dict):
        data = [data] if js_truthy(data.get("json")) else [{"json": data}]
    if not isinstance(data, list):
        return []
    if all(isinstance(i, dict) and "json" in i for i in data):
        return data
    if any(isinstance(i, dict) and "json" in i for i in data):
        raise CodeValidationError("Inconsistent item format")
    if data and all(isinstance(i, dict) and "binary" in i for i in data):
        return [
            {"json": {k: v for k, v in i.items() if k != "binary"}, "binary": i["binary"]}
            for i in data
        ]
    if any(isinstance(i, dict) and "binary" in i for i in data):
        raise CodeValidationError("Inconsistent item format")
    return [{"json": i} for i in data]


def validate_item(item: Item, index: int, text: tuple[str, str]) -> None:
    """``json`` must be an object; ``binary``, when present, too."""
    singular = _article(text[0])
    if not is_object(item.get("json")):
        raise _error(
            f"A 'json' property isn't {singular}",
            f"In the returned data, every key named 'json' must point to {singular}.",
            index,
        )
    if "binary" in item and item["binary"] is not None and not is_object(item["binary"]):
        raise _error(
            f"A 'binary' property isn't {singular}",
            f"In the returned data, every key named 'binary' must point to {singular}.",
            index,
        )


def validate_top_level_keys(item: Item, index: int) -> None:
    reserved = next((k for k in item if k in N8N_ITEM_KEYS), None)
    unknown = [k for k in item if k not in N8N_ITEM_KEYS]
    if not unknown:
        return
    if reserved is not None:
        raise _error(
            "Invalid output format",
            f"An output item contains the reserved key <code>{reserved}</code>. To get around "
            "this, please wrap each item in an object, under a key called <code>json</code>. "
            '<a href="https://docs.n8n.io/data/data-structure/#data-structure" '
            'target="_blank">Example</a>',
            index,
        )
    raise _error(
        f"Unknown top-level item key: {unknown[0]}",
        "Access the properties of an item under `.json`, e.g. `item.json`",
        index,
    )


def validate_all_items(result: Any, text: tuple[str, str] = JS_TEXT) -> list[Item]:
    """Validate and normalise what run-once-for-all-items code returned."""
    not_items = CodeValidationError(
        "Code doesn't return items properly",
        description=f"Please return an array of {text[1]}, one for each item you would like "
        "to output.",
    )
    if not isinstance(result, (dict, list)):
        raise not_items
    if isinstance(result, list):
        if not all(is_object(i) for i in result):
            raise not_items
        if any(k in N8N_ITEM_KEYS for i in result for k in i):
            for index, item in enumerate(result):
                validate_top_level_keys(item, index)
    items = normalize_items(result)
    for index, item in enumerate(items):
        validate_item(item, index, text)
    return items


def validate_each_item(result: Any, index: int, text: tuple[str, str] = JS_TEXT) -> Item:
    """Validate and normalise what run-once-for-each-item code returned for item ``index``."""
    if not isinstance(result, (dict, list)):
        raise _error(
            f"Code doesn't return {_article(text[0])}",
            f"Please return {_article(text[0])} representing the output item. "
            f"('{_js_string(result)}' was returned instead.)",
            index,
        )
    if isinstance(result, list):
        first = (
            f"An array of {js_typeof(result[0])}s was returned."
            if result
            else "An empty array was returned."
        )
        raise _error(
            f"Code doesn't return a single {text[0]}",
            f"{first} If you need to output multiple items, please use the 'Run Once for All "
            "Items' mode instead.",
            index,
        )
    item = normalize_items([result])[0]
    validate_item(item, index, text)
    validate_top_level_keys(item, index)
    return item
