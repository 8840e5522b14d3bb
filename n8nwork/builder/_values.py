"""Parameter values from Python: plain JSON, and short forms of n8n's structured parameters.

``assign`` writes one field of Set's ``assignments``; ``cond`` one condition and ``where`` a
whole ``filter`` (If, Filter, Switch rules). Node constructors accept short forms and write
n8n's full shape: a list of assignments (or ``{field: value}``) for an assignment collection, a
list of conditions (or one) for a filter, a list of filters for Switch v3 ``rules``; ids and the
filter version that n8n's editor would write are filled in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from n8nwork.builder._expr import Expression

_ID_SPACE = uuid.UUID("6f1c1b0e-8a52-4c59-9d1e-6e386e776f72")

ASSIGNMENT_TYPES = ("string", "number", "boolean", "array", "object")
_OPERATOR_ALIASES = {
    "==": "equals",
    "!=": "notEquals",
    ">": "gt",
    "<": "lt",
    ">=": "gte",
    "<=": "lte",
}
_UNARY = ("exists", "notExists", "empty", "notEmpty", "true", "false")
# The filter version n8n's editor writes: 2 from these typeVersions on, else 1.
_FILTER_V2_FROM = {
    "n8n-nodes-base.if": 2.2,
    "n8n-nodes-base.filter": 2.2,
    "n8n-nodes-base.switch": 3.2,
}


class NotJson(ValueError):
    """A parameter value holds something JSON cannot (``path`` says where)."""

    def __init__(self, path: str, value: Any) -> None:
        self.path = path
        super().__init__(f"'{path}' holds a value of type {type(value).__name__}, not JSON data")


def plain(value: Any, path: str) -> Any:
    """``value`` as plain JSON data (dicts, lists, str, numbers, bools, None)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return str(value)  # an Expression becomes the plain string
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotJson(path, value)
        return value
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotJson(f"{path}[{k!r}]", k)
            out[k] = plain(v, f"{path}.{k}")
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise NotJson(path, value)


# ------------------------------------------------------------------------------ helpers
def assign(name: str, value: Any, type: str | None = None) -> dict[str, Any]:
    """One assignment of Set (Edit Fields) v3.3+: field ``name`` gets ``value``.

    ``type`` (string, number, boolean, array, object) defaults to the type of ``value``;
    an expression defaults to ``string``, so give the type of what it evaluates to.
    """
    kind = type or _type_of(value)
    return {"name": name, "value": value, "type": kind}


def cond(left: Any, op: str, right: Any = None, *, type: str | None = None) -> dict[str, Any]:
    """One filter condition: ``cond(expr("$json.total"), ">", 100)``.

    ``op`` is n8n's operation (``equals``, ``gt``, ``contains``, ``exists``, ``true``...) or
    one of ``== != > < >= <=``; ``type`` (string, number, boolean, dateTime, array, object)
    defaults to ``boolean`` for ``true``/``false``, ``number`` for comparisons, else the type
    of ``right`` (``string`` when it is an expression or absent).
    """
    operation = _OPERATOR_ALIASES.get(op, op)
    if type is None:
        if operation in ("true", "false"):
            type = "boolean"
        elif operation in ("gt", "lt", "gte", "lte"):
            type = "number"
        elif right is None or isinstance(right, Expression):
            type = "string"
        else:
            type = _type_of(right)
    operator: dict[str, Any] = {"type": type, "operation": operation}
    if operation in _UNARY:
        operator["singleValue"] = True
    return {
        "leftValue": left,
        "rightValue": "" if right is None else right,
        "operator": operator,
    }


def where(
    *conditions: Mapping[str, Any],
    combinator: str = "and",
    ignore_case: bool = False,
    loose: bool = False,
) -> dict[str, Any]:
    """A filter value (If, Filter, Switch rules) from conditions made with ``cond``:
    all of them must hold (``combinator="and"``) or any (``"or"``)."""
    return {
        "conditions": [dict(c) for c in conditions],
        "combinator": combinator,
        "options": {
            "caseSensitive": not ignore_case,
            "leftValue": "",
            "typeValidation": "loose" if loose else "strict",
        },
    }


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return "string"


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(_ID_SPACE, "/".join(str(p) for p in parts)))


# ------------------------------------------------------------------------------ short forms
def expand(type_name: str, version: float, kind: str, name: str, value: Any) -> Any:
    """The full n8n value of parameter ``name`` (of ``kind``) given a short form."""
    if isinstance(value, str):
        return value
    if kind == "assignmentCollection":
        return _assignments(value)
    if kind == "filter":
        return _filter(value, _filter_version(type_name, version), name)
    if type_name == "n8n-nodes-base.switch" and name == "rules" and version >= 3:
        return _switch_rules(value, _filter_version(type_name, version))
    return value


def _filter_version(type_name: str, version: float) -> int:
    since = _FILTER_V2_FROM.get(type_name)
    return 2 if since is not None and version >= since else 1


def _assignments(value: Any) -> Any:
    if isinstance(value, Mapping):
        entries = value.get("assignments")
        if isinstance(entries, (list, tuple)):
            return {**value, "assignments": _with_ids(entries, "assignment")}
        value = [assign(k, v) for k, v in value.items()]  # {field: value}
    if isinstance(value, (list, tuple)):
        return {"assignments": _with_ids(value, "assignment")}
    return value


def _filter(value: Any, version: int, name: str) -> Any:
    if isinstance(value, Mapping) and ("operator" in value or "leftValue" in value):
        value = [value]
    if isinstance(value, (list, tuple)):
        value = where(*value)
    if not isinstance(value, Mapping) or not isinstance(value.get("conditions"), (list, tuple)):
        return value
    options = value.get("options")
    options = dict(options) if isinstance(options, Mapping) else where()["options"]
    options.setdefault("version", version)
    return {
        **value,
        "conditions": _with_ids(value["conditions"], name),
        "options": options,
    }


def _switch_rules(value: Any, version: int) -> Any:
    if isinstance(value, (list, tuple)):
        value = {"values": list(value)}
    if not isinstance(value, Mapping) or not isinstance(value.get("values"), (list, tuple)):
        return value
    rules = []
    for i, rule in enumerate(value["values"]):
        if isinstance(rule, Mapping) and "conditions" in rule and "combinator" not in rule:
            rule = {**rule, "conditions": _filter(rule["conditions"], version, f"rule{i}")}
        else:  # a filter (where / cond / list of cond) is the rule's conditions
            rule = {"conditions": _filter(rule, version, f"rule{i}")}
        rules.append(rule)
    return {**value, "values": rules}


def _with_ids(entries: Sequence[Any], what: str) -> list[Any]:
    out = []
    for i, entry in enumerate(entries):
        if isinstance(entry, Mapping) and "id" not in entry:
            entry = {"id": _id(what, i, entry.get("name", "")), **entry}
        out.append(entry)
    return out
