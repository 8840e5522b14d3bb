"""n8n's ``filter`` parameter type: conditions on item values, as used by If v2, Filter v2 and
Switch v3 (n8n's ``FilterParameter.ts``).

A filter value is ``{conditions: [{leftValue, rightValue, operator: {type, operation,
rightType?, singleValue?}}], combinator: and|or, options: {caseSensitive, typeValidation:
strict|loose, version}}``. Each side is validated against the operator's type (strictly, or
converting where "loose"), then compared. Type errors raise ``FilterError`` with n8n's message
(``Wrong type: '1' is a string but was expecting a number [condition 0, item 0]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nodes.builtin._datetimes import to_millis
from nodes.builtin._field_types import validate_field_type
from nodes.builtin._jsvalues import (
    is_nan,
    is_number,
    js_typeof,
    parse_regex_value,
    strict_equals,
    to_string,
    truthy,
)

OPERATIONS: dict[str, tuple[str, ...]] = {
    "string": (
        "exists",
        "notExists",
        "empty",
        "notEmpty",
        "equals",
        "notEquals",
        "contains",
        "notContains",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
        "regex",
        "notRegex",
    ),
    "number": (
        "exists",
        "notExists",
        "empty",
        "notEmpty",
        "equals",
        "notEquals",
        "gt",
        "lt",
        "gte",
        "lte",
    ),
    "dateTime": (
        "exists",
        "notExists",
        "empty",
        "notEmpty",
        "equals",
        "notEquals",
        "after",
        "before",
        "afterOrEquals",
        "beforeOrEquals",
    ),
    "boolean": ("exists", "notExists", "empty", "notEmpty", "true", "false", "equals", "notEquals"),
    "array": (
        "exists",
        "notExists",
        "empty",
        "notEmpty",
        "contains",
        "notContains",
        "lengthEquals",
        "lengthNotEquals",
        "lengthGt",
        "lengthLt",
        "lengthGte",
        "lengthLte",
    ),
    "object": ("exists", "notExists", "empty", "notEmpty"),
    "any": ("exists", "notExists"),
}
COMBINATORS = ("and", "or")
_LENGTH_OPS = ("lengthEquals", "lengthNotEquals", "lengthGt", "lengthLt", "lengthGte", "lengthLte")
_CONVERSIONS = {"string": ".toString()", "number": ".toNumber()", "boolean": ".toBoolean()"}
ENABLE_LESS_STRICT = (
    "Try changing the type of comparison. Alternatively you can enable 'Convert types where "
    "required'."
)


class FilterError(Exception):
    """Raised when a condition's values do not fit its type; carries n8n's description."""

    def __init__(self, message: str, description: str) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


@dataclass(frozen=True)
class FilterOptions:
    """How conditions compare: case sensitivity, strict typing and the filter's version."""

    case_sensitive: bool = True
    strict: bool = True
    version: float = 1

    @classmethod
    def from_value(cls, raw: Any) -> FilterOptions:
        opts = raw if isinstance(raw, Mapping) else {}
        version = opts.get("version", 1)
        return cls(
            case_sensitive=truthy(opts.get("caseSensitive")),
            strict=opts.get("typeValidation") == "strict",
            version=version if is_number(version) else 1,
        )


def _article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _parse_single(
    value: Any, type_: str, options: FilterOptions, zone: str | None
) -> tuple[bool, Any]:
    if type_ == "any" or value is None:
        return True, value
    if type_ == "boolean" and not options.strict:
        if options.version >= 2:
            result = validate_field_type("filter", value, "boolean", zone=zone)
            if result.valid:
                return True, result.value
        return True, truthy(value)
    if type_ == "number":
        if is_nan(value):
            return True, value
        empty = (isinstance(value, str) and value.strip() == "") or value == []
        if empty and options.version >= 3:
            return True, None
    result = validate_field_type(
        "filter", value, type_, strict=options.strict, parse_strings=True, zone=zone
    )
    return result.valid, result.value


def _type_description(strict: bool) -> str:
    return ENABLE_LESS_STRICT if strict else "Try changing the type of the comparison."


def _invalid_type_description(type_: str, position: str, strict: bool) -> str:
    conversion = _CONVERSIONS.get(type_)
    if strict and conversion:
        return (
            "\n<p>Try either:</p>\n<ol>\n  <li>Enabling 'Convert types where required'</li>\n"
            f"  <li>Converting the {position} field to {_article(type_)} by adding "
            f"<code>{conversion}</code></li>\n</ol>\n\t\t\t"
        )
    return _type_description(strict)


def _invalid_type_message(type_: str, value: Any, suffix: str, strict: bool) -> str:
    from_type = js_typeof(value).lower()
    text = to_string(value)
    if strict:
        return (
            f"Wrong type: '{text}' is {_article(from_type)} but was expecting "
            f"{_article(type_)} {suffix}"
        )
    return (
        f"Conversion error: the {from_type} '{text}' can't be converted to "
        f"{_article(type_)} {suffix}"
    )


def operator_of(condition: Mapping[str, Any]) -> tuple[str, str, str, bool]:
    """(type, operation, rightType, singleValue) of a condition, with n8n's defaults."""
    operator = condition.get("operator")
    operator = operator if isinstance(operator, Mapping) else {}
    type_ = str(operator.get("type") or "string")
    operation = str(operator.get("operation") or "equals")
    right_type = operator.get("rightType")
    if not right_type:
        if type_ == "array" and operation in _LENGTH_OPS:
            right_type = "number"
        elif type_ == "array" and operation in ("contains", "notContains"):
            right_type = "any"
        else:
            right_type = type_
    single = bool(operator.get("singleValue")) or operation in (
        "exists",
        "notExists",
        "empty",
        "notEmpty",
        "true",
        "false",
    )
    return type_, operation, str(right_type), single


def _parse_values(
    condition: Mapping[str, Any],
    options: FilterOptions,
    index: int,
    item_index: int,
    zone: str | None,
) -> tuple[Any, Any]:
    type_, _operation, right_type, single = operator_of(condition)
    left_raw = condition.get("leftValue")
    right_raw = condition.get("rightValue")
    left_ok, left = _parse_single(left_raw, type_, options, zone)
    right_ok, right = _parse_single(right_raw, right_type, options, zone)
    right_ok = right_ok or single
    suffix = f"[condition {index}, item {item_index}]"
    if not left_ok and not right_ok and js_typeof(left_raw) == js_typeof(right_raw):
        raise FilterError(
            f"Comparison type expects {_article(type_)} but both fields are "
            f"{_article(js_typeof(left_raw))}",
            _type_description(options.strict),
        )
    if not left_ok:
        raise FilterError(
            _invalid_type_message(type_, left_raw, suffix, options.strict),
            _invalid_type_description(type_, "first", options.strict),
        )
    if not right_ok:
        raise FilterError(
            _invalid_type_message(right_type, right_raw, suffix, options.strict),
            _invalid_type_description(right_type, "second", options.strict),
        )
    return (left if left_ok else None), (right if right_ok else None)


def _keys_len(value: Any) -> int:
    if isinstance(value, (Mapping, list, tuple, str)):
        return len(value)
    return 0


def _compare_numbers(op: str, left: Any, right: Any) -> bool:
    if op == "equals":
        return strict_equals(left, right)
    if op == "notEquals":
        return not strict_equals(left, right)
    if not is_number(left) or not is_number(right) or is_nan(left) or is_nan(right):
        return False
    return {
        "gt": left > right,
        "lt": left < right,
        "gte": left >= right,
        "lte": left <= right,
    }.get(op, False)


def _string_op(op: str, left: Any, right: Any, ignore_case: bool) -> bool | None:
    regex_op = op in ("regex", "notRegex")
    if ignore_case and not regex_op:
        left = left.lower() if isinstance(left, str) else left
        right = right.lower() if isinstance(right, str) else right
    lhs = "" if left is None else to_string(left)
    rhs = "" if right is None else to_string(right)
    ops = {
        "empty": lambda: lhs == "",
        "notEmpty": lambda: lhs != "",
        "equals": lambda: lhs == rhs,
        "notEquals": lambda: lhs != rhs,
        "contains": lambda: rhs in lhs,
        "notContains": lambda: rhs not in lhs,
        "startsWith": lambda: lhs.startswith(rhs),
        "notStartsWith": lambda: not lhs.startswith(rhs),
        "endsWith": lambda: lhs.endswith(rhs),
        "notEndsWith": lambda: not lhs.endswith(rhs),
        "regex": lambda: parse_regex_value(rhs, ignore_case).search(lhs) is not None,
        "notRegex": lambda: parse_regex_value(rhs, ignore_case).search(lhs) is None,
    }
    fn = ops.get(op)
    return fn() if fn else None


def _array_contains(array: list[Any], value: Any, ignore_case: bool) -> bool:
    if ignore_case and isinstance(value, str):
        low = value.lower()
        return any(isinstance(v, str) and v.lower() == low for v in array)
    return any(strict_equals(v, value) or (is_nan(v) and is_nan(value)) for v in array)


def _array_op(op: str, left: Any, right: Any, ignore_case: bool) -> bool | None:
    items = left if isinstance(left, list) else ([] if left is None else left)
    if op == "contains":
        return _array_contains(list(items), right, ignore_case)
    if op == "notContains":
        return not _array_contains(list(items), right, ignore_case)
    size = len(items) if isinstance(items, (list, str, tuple)) else 0
    if op == "empty":
        return size == 0
    if op == "notEmpty":
        return size != 0
    if op in _LENGTH_OPS:
        if not is_number(right) or is_nan(right):
            return op == "lengthNotEquals"
        return {
            "lengthEquals": size == right,
            "lengthNotEquals": size != right,
            "lengthGt": size > right,
            "lengthLt": size < right,
            "lengthGte": size >= right,
            "lengthLte": size <= right,
        }[op]
    return None


def _datetime_op(op: str, left: Any, right: Any, exists: bool) -> bool | None:
    if op == "empty":
        return not exists
    if op == "notEmpty":
        return exists
    if not isinstance(left, datetime) or not isinstance(right, datetime):
        return False
    lm, rm = to_millis(left), to_millis(right)
    return {
        "equals": lm == rm,
        "notEquals": lm != rm,
        "after": lm > rm,
        "before": lm < rm,
        "afterOrEquals": lm >= rm,
        "beforeOrEquals": lm <= rm,
    }.get(op)


def _boolean_op(op: str, left: Any, right: Any, exists: bool) -> bool | None:
    ops = {
        "empty": lambda: not exists,
        "notEmpty": lambda: exists,
        "true": lambda: truthy(left),
        "false": lambda: not truthy(left),
        "equals": lambda: strict_equals(left, right),
        "notEquals": lambda: not strict_equals(left, right),
    }
    fn = ops.get(op)
    return fn() if fn else None


def execute_condition(
    condition: Mapping[str, Any],
    options: FilterOptions,
    *,
    index: int = 0,
    item_index: int = 0,
    zone: str | None = None,
) -> bool:
    """Evaluate one condition for one item; raises FilterError on a type mismatch."""
    type_, op, _right_type, _single = operator_of(condition)
    left, right = _parse_values(condition, options, index, item_index, zone)
    exists = left is not None and not is_nan(left)
    if op == "exists":
        return exists
    if op == "notExists":
        return not exists
    ignore_case = not options.case_sensitive
    result: bool | None = None
    if type_ == "string":
        result = _string_op(op, left, right, ignore_case)
    elif type_ == "number":
        if op == "empty":
            result = not exists
        elif op == "notEmpty":
            result = exists
        else:
            result = _compare_numbers(op, left, right)
    elif type_ == "dateTime":
        result = _datetime_op(op, left, right, exists)
    elif type_ == "boolean":
        result = _boolean_op(op, left, right, exists)
    elif type_ == "array":
        result = _array_op(op, left, right, ignore_case)
    elif type_ == "object":
        if op == "empty":
            result = not truthy(left) or _keys_len(left) == 0
        elif op == "notEmpty":
            result = truthy(left) and _keys_len(left) != 0
    return bool(result)


def execute_filter(value: Any, *, item_index: int = 0, zone: str | None = None) -> bool:
    """Evaluate a whole filter value (conditions joined by its combinator) for one item."""
    if not isinstance(value, Mapping):
        return False
    options = FilterOptions.from_value(value.get("options"))
    conditions = [c for c in value.get("conditions") or [] if isinstance(c, Mapping)]
    combinator = value.get("combinator", "and")
    results = (
        execute_condition(c, options, index=i, item_index=item_index, zone=zone)
        for i, c in enumerate(conditions)
    )
    if combinator == "and":
        return all(results)
    if combinator == "or":
        return any(results)
    return False


def filter_problems(value: Any, where: str) -> list[str]:
    """Static problems of a filter parameter (unknown operator types, operations, combinator)."""
    if value is None or (isinstance(value, str) and value.startswith("=")):
        return []
    if not isinstance(value, Mapping):
        return [f"parameter '{where}' must be a filter object"]
    problems = []
    combinator = value.get("combinator", "and")
    if combinator not in COMBINATORS:
        problems.append(f"parameter '{where}.combinator' is {combinator!r}; allowed: and, or")
    conditions = value.get("conditions", [])
    if not isinstance(conditions, (list, tuple)):
        return [*problems, f"parameter '{where}.conditions' must be a list"]
    for i, condition in enumerate(conditions):
        if not isinstance(condition, Mapping):
            problems.append(f"parameter '{where}.conditions[{i}]' must be an object")
            continue
        operator = condition.get("operator")
        if operator is None:
            continue
        if not isinstance(operator, Mapping):
            problems.append(f"parameter '{where}.conditions[{i}].operator' must be an object")
            continue
        type_, op = operator.get("type", "string"), operator.get("operation", "equals")
        if type_ not in OPERATIONS:
            problems.append(
                f"parameter '{where}.conditions[{i}].operator.type' is {type_!r}; "
                f"allowed: {', '.join(OPERATIONS)}"
            )
        elif op not in OPERATIONS[type_]:
            problems.append(
                f"parameter '{where}.conditions[{i}].operator.operation' is {op!r}, unknown for "
                f"type {type_}; allowed: {', '.join(OPERATIONS[type_])}"
            )
    return problems
