"""The comparisons of n8n's first-generation conditions: If v1, Filter v1 and Switch v1/v2.

Conditions there are grouped by data type (boolean, dateTime, number, string), each with
``value1``, ``operation`` and ``value2``; values are compared with JavaScript's loose rules
(``(value1 || 0) > (value2 || 0)``, ``===``, ``String.includes``), and dates are converted
with ``new Date(value).getTime()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from nodes.builtin._datetimes import js_date_millis
from nodes.builtin._jsvalues import (
    is_nan,
    is_number,
    parse_regex_value,
    strict_equals,
    to_number,
    to_string,
    truthy,
)

DATA_TYPES = ("boolean", "dateTime", "number", "string")
OPERATIONS: dict[str, tuple[str, ...]] = {
    "boolean": ("equal", "notEqual"),
    "dateTime": ("after", "before"),
    "number": (
        "smaller",
        "smallerEqual",
        "equal",
        "notEqual",
        "larger",
        "largerEqual",
        "isEmpty",
        "isNotEmpty",
    ),
    "string": (
        "contains",
        "notContains",
        "endsWith",
        "notEndsWith",
        "equal",
        "notEqual",
        "regex",
        "notRegex",
        "startsWith",
        "notStartsWith",
        "isEmpty",
        "isNotEmpty",
    ),
}
# Switch v1/v2 rules offer fewer operations than If v1 conditions.
SWITCH_OPERATIONS: dict[str, tuple[str, ...]] = {
    "boolean": ("equal", "notEqual"),
    "dateTime": ("after", "before"),
    "number": ("smaller", "smallerEqual", "equal", "notEqual", "larger", "largerEqual"),
    "string": (
        "contains",
        "notContains",
        "endsWith",
        "notEndsWith",
        "equal",
        "notEqual",
        "regex",
        "notRegex",
        "startsWith",
        "notStartsWith",
    ),
}
DEFAULT_OPERATION = {
    "boolean": "equal",
    "dateTime": "after",
    "number": "smaller",
    "string": "equal",
}
DEFAULT_VALUE = {"boolean": False, "dateTime": "", "number": 0, "string": ""}


class CompareError(Exception):
    """Raised when a comparison fails the way the JavaScript original throws."""


def _relational(a: Any, b: Any, op: str) -> bool:
    a = a if truthy(a) else 0
    b = b if truthy(b) else 0
    if isinstance(a, str) and isinstance(b, str):
        left: Any = a
        right: Any = b
    else:
        left = to_number(a if not isinstance(a, (Mapping, list)) else to_string(a))
        right = to_number(b if not isinstance(b, (Mapping, list)) else to_string(b))
        if is_nan(left) or is_nan(right):
            return False
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


def _or_empty(value: Any) -> str:
    return to_string(value) if truthy(value) else ""


def _string_method(value1: Any, value2: Any, method: str) -> bool:
    if value1 is None:
        raise CompareError(f"Cannot read properties of null (reading '{method}')")
    if not isinstance(value1, str):
        raise CompareError(f"value1.{method} is not a function")
    needle = "undefined" if value2 is None else to_string(value2)
    return value1.startswith(needle) if method == "startsWith" else value1.endswith(needle)


def is_empty(value: Any) -> bool:
    if value is None or value == "" or is_nan(value):
        return True
    if isinstance(value, (Mapping, list, tuple)):
        return len(value) == 0
    return False


def _regex(value1: Any, value2: Any) -> bool:
    return parse_regex_value(_or_empty(value2)).search(_or_empty(value1)) is not None


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "after": lambda a, b: _relational(a, b, ">"),
    "before": lambda a, b: _relational(a, b, "<"),
    "contains": lambda a, b: _or_empty(b) in _or_empty(a),
    "notContains": lambda a, b: _or_empty(b) not in _or_empty(a),
    "endsWith": lambda a, b: _string_method(a, b, "endsWith"),
    "notEndsWith": lambda a, b: not _string_method(a, b, "endsWith"),
    "equal": strict_equals,
    "notEqual": lambda a, b: not strict_equals(a, b),
    "larger": lambda a, b: _relational(a, b, ">"),
    "largerEqual": lambda a, b: _relational(a, b, ">="),
    "smaller": lambda a, b: _relational(a, b, "<"),
    "smallerEqual": lambda a, b: _relational(a, b, "<="),
    "startsWith": lambda a, b: _string_method(a, b, "startsWith"),
    "notStartsWith": lambda a, b: not _string_method(a, b, "startsWith"),
    "isEmpty": lambda a, _b: is_empty(a),
    "isNotEmpty": lambda a, _b: not is_empty(a),
    "regex": _regex,
    "notRegex": lambda a, b: not _regex(a, b),
}


def convert_datetime(value: Any, zone: str | None = None) -> float:
    """``new Date(value).getTime()`` as n8n's ``convertDateTime``; raises on invalid dates."""
    millis: float | None = None
    if isinstance(value, (str, datetime)):
        millis = js_date_millis(value, zone)
    elif is_number(value):
        millis = value
    if millis is None or is_nan(millis):
        text = "undefined" if value is None else to_string(value)
        raise CompareError(f'The value "{text}" is not a valid DateTime.')
    return millis


def compare(operation: str, value1: Any, value2: Any) -> bool:
    """Apply one legacy compare operation; unknown operations raise CompareError."""
    fn = COMPARE.get(operation)
    if fn is None:
        raise CompareError(f"The operation '{operation}' is not known")
    return fn(value1, value2)


def evaluate_typed(data_type: str, condition: Mapping[str, Any], zone: str | None = None) -> bool:
    """One condition of a data type group (``value1``, ``operation``, ``value2``)."""
    value1 = condition.get("value1", DEFAULT_VALUE[data_type])
    value2 = condition.get("value2", DEFAULT_VALUE[data_type])
    operation = condition.get("operation", DEFAULT_OPERATION[data_type])
    if data_type == "dateTime":
        value1 = convert_datetime(value1, zone)
        value2 = convert_datetime(value2, zone)
    return compare(str(operation), value1, value2)


def evaluate_groups(conditions: Any, combine_all: bool, zone: str | None = None) -> bool:
    """All (or any) conditions of all data type groups, in n8n's order, short-circuiting."""
    groups = conditions if isinstance(conditions, Mapping) else {}
    for data_type in DATA_TYPES:
        for condition in groups.get(data_type) or []:
            if not isinstance(condition, Mapping):
                continue
            result = evaluate_typed(data_type, condition, zone)
            if result and not combine_all:
                return True
            if not result and combine_all:
                return False
    return combine_all


def groups_problems(conditions: Any, where: str = "conditions") -> list[str]:
    """Static problems of first-generation conditions (unknown data types or operations)."""
    if conditions is None or isinstance(conditions, str):
        return []
    if not isinstance(conditions, Mapping):
        return [f"parameter '{where}' must be an object keyed by data type"]
    problems = []
    for data_type, entries in conditions.items():
        if data_type not in OPERATIONS:
            problems.append(
                f"parameter '{where}.{data_type}': unknown data type; allowed: "
                f"{', '.join(DATA_TYPES)}"
            )
            continue
        if not isinstance(entries, (list, tuple)):
            problems.append(f"parameter '{where}.{data_type}' must be a list")
            continue
        for i, entry in enumerate(entries):
            op = entry.get("operation") if isinstance(entry, Mapping) else None
            if isinstance(op, str) and not op.startswith("=") and op not in OPERATIONS[data_type]:
                problems.append(
                    f"parameter '{where}.{data_type}[{i}].operation' is {op!r}; allowed: "
                    f"{', '.join(OPERATIONS[data_type])}"
                )
    return problems
