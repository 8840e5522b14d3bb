"""Edit Fields (Set v3+) building blocks: validating one field against its type, parsing JSON
written by users, resolving ``{{ }}`` inside raw JSON text, and composing the output item from
the input item (all / selected / all-except / no input fields) plus the new fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from n8nwork.errors import ExpressionError
from nodes.builtin._field_types import validate_field_type, value_description
from nodes.builtin._fields import MISSING, FieldAccess, deep_copy, split_field_list
from nodes.builtin._jsvalues import json_parse, stringify, to_string
from nodes.sdk import ExecutionContext

INCLUDE_MODES = ("all", "none", "selected", "except")
_RESOLVABLE = re.compile(r"(\{\{[\s\S]*?\}\})")


class SetFieldError(Exception):
    """Raised when a field cannot be set; carries n8n's message and description."""

    def __init__(self, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


def parse_json_parameter(
    data: Any, item_index: int, entry_name: str | None = None
) -> dict[str, Any]:
    """Parse user JSON (repairing quotes, bare keys and trailing commas like n8n does)."""
    location = f"entry \"{entry_name}\" inside 'Fields to Set'" if entry_name else "'JSON Output'"
    result: Any = data
    if isinstance(data, str):
        try:
            result = json_parse(data)
        except ValueError:
            recovered = data.replace("'", '"')
            recovered = re.sub(r"(['\"])?([a-zA-Z0-9_]+)(['\"])?:", r'"\2":', recovered)
            recovered = re.sub(r",\s*([\]}])", r"\1", recovered)
            recovered = re.sub(r",+$", "", recovered)
            try:
                result = json_parse(recovered)
            except ValueError:
                description = (
                    data if recovered == data else f"{recovered};\n Original input: {data}"
                )
                raise SetFieldError(
                    f"The {location} in item {item_index} contains invalid JSON", description
                ) from None
    if not isinstance(result, dict):
        raise SetFieldError(
            f"The {location} in item {item_index} does not contain a valid JSON object"
        )
    return result


def resolve_raw_data(ctx: ExecutionContext, raw: str, item_index: int) -> str:
    """Replace each ``{{ ... }}`` in raw text by its value (objects as JSON)."""
    out = raw
    for resolvable in _RESOLVABLE.findall(raw):
        value = ctx.evaluate(f"={resolvable}", item_index, parameter="jsonOutput")
        if isinstance(value, ExpressionError):
            raise value
        text = stringify(value) if isinstance(value, (Mapping, list)) else to_string(value)
        out = out.replace(resolvable, text, 1)
    return out


def validate_entry(
    name: str,
    type_: str,
    value: Any,
    item_index: int,
    *,
    ignore_errors: bool,
    version: float,
) -> Any:
    """The value of one field, converted to ``type_`` (n8n's ``validateEntry``)."""
    if version >= 3.2 and value is None:
        return None
    # values that already are of their type stay as they are
    kind = type(value)
    if kind is str:
        if type_ == "string":
            return value
    elif kind is int or kind is float:
        if type_ == "number" and value == value:
            return value
    elif kind is bool and type_ == "boolean":
        return value
    description = (
        f'To fix the error try to change the type for the field "{name}" or activate the option '
        "“Ignore Type Conversion Errors” to apply a less strict type validation"
    )
    if type_ == "string":
        if version > 3 and value is None:
            if ignore_errors:
                return None
            raise SetFieldError(
                f"'{name}' expects a {type_} but we got {value_description(value)} "
                f"[item {item_index}]",
                description,
            )
        value = (
            stringify(value)
            if isinstance(value, (Mapping, list)) or value is None
            else to_string(value)
        )
    result = validate_field_type(name, value, type_)
    if not result.valid:
        if ignore_errors:
            return value
        raise SetFieldError(f"{result.error} [item {item_index}]", description)
    return result.value


def compose_return_item(
    ctx: ExecutionContext,
    item_index: int,
    item: Mapping[str, Any],
    new_fields: Mapping[str, Any],
    options: Mapping[str, Any],
) -> dict[str, Any]:
    """The output item: the chosen input fields, then the new fields written over them."""
    return Composer(ctx, options).compose(item_index, item, new_fields, ctx)


class Composer:
    """Composes output items for one node and set of options (see ``compose_return_item``):
    what the options decide is worked out once."""

    def __init__(self, ctx: ExecutionContext, options: Mapping[str, Any]) -> None:
        include = options.get("include", "all")
        self.include = include
        if ctx.version >= 3.4:
            self.include_binary = not options.get("stripBinary") and include != "none"
        else:
            self.include_binary = bool(options.get("includeBinary"))
        self.fields = FieldAccess(options.get("dotNotation") is not False)

    def compose(
        self,
        item_index: int,
        item: Mapping[str, Any],
        new_fields: Mapping[str, Any],
        ctx: ExecutionContext,
    ) -> dict[str, Any]:
        include = self.include
        fields = self.fields
        new_item: dict[str, Any] = {"json": {}, "pairedItem": {"item": item_index}}
        if self.include_binary and item.get("binary") is not None:
            new_item["binary"] = dict(item["binary"])
        source = item.get("json") or {}
        if include == "all":
            new_item["json"] = deep_copy(source)
        elif include == "selected":
            for key in split_field_list(ctx.param("includeFields", item_index, "")):
                value = fields.get(source, key)
                if value is MISSING:
                    continue
                target = key.split(".")[-1] if fields.dot_notation and "." in key else key
                fields.set(new_item["json"], target, deep_copy(value))
        elif include == "except":
            data = deep_copy(source)
            for key in split_field_list(ctx.param("excludeFields", item_index, "")):
                fields.unset(data, key)
            new_item["json"] = data
        elif include != "none":
            raise SetFieldError(f'The include option "{include}" is not known!')
        target_json = new_item["json"]
        for key, value in new_fields.items():
            fields.set(target_json, key, value)
        return new_item


def binary_of(item: Mapping[str, Any], value: Any, name: str, item_index: int) -> dict[str, Any]:
    """The binary data an assignment of type ``binary`` names (a property or the data itself)."""
    if isinstance(value, Mapping) and "mimeType" in value:
        return dict(value)
    binary = item.get("binary")
    if not binary:
        raise SetFieldError("No binary data exists on item!")
    key = to_string(value)
    data = binary.get(key)
    if not isinstance(data, Mapping):
        raise SetFieldError(
            f"This operation expects the node's input data to contain a binary file '{key}', "
            f"but none was found [item {item_index}]",
            f"Could not find binary data specified in field {name}",
        )
    return dict(data)
