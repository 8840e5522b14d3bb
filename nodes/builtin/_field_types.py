"""n8n's field type validation (``validateFieldType``): checks that a value is of a type
(string, number, boolean, dateTime, time, array, object, url, jwt, options) and converts it
when that is allowed, with n8n's error messages. Used by Edit Fields and the filter conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nodes.builtin._datetimes import parse_datetime
from nodes.builtin._jsvalues import (
    is_nan,
    is_number,
    json_parse,
    json_parse_lenient,
    stringify,
    to_number,
    to_string,
)

_LUXON_DOCS = "https://moment.github.io/luxon/api-docs/index.html#datetimefromformat"
_TIME_RE = re.compile(r"^\d{2}:\d{2}(:\d{2})?((\-|\+)\d{4})?((\-|\+)\d{1,2}(:\d{2})?)?$", re.S)
_URL_RE = re.compile(r"^(https?|ftp|file):\/\/\S+|www\.\S+")
_JWT_RE = re.compile(r"^[A-Za-z0-9-_]+\.[A-Za-z0-9-_]+\.[A-Za-z0-9-_.+/=]*$")


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one value: valid with ``value``, or invalid with ``error``."""

    valid: bool
    value: Any = None
    error: str = ""


class _Invalid(Exception):
    pass


def value_description(value: Any) -> str:
    """n8n's ``getValueDescription``: ``'text'``, ``'null'``, ``array`` or ``object``."""
    if value is None:
        return "'null'"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return f"'{to_string(value)}'"


def parse_string(value: Any) -> str:
    """n8n's ``tryToParseString``: objects and arrays as JSON, the rest as ``String()``."""
    if isinstance(value, (Mapping, list, tuple)) or value is None:
        return stringify(value)
    return to_string(value)


def parse_number(value: Any) -> float:
    number = to_number(value)
    if is_nan(number):
        raise _Invalid
    return number


def parse_boolean(value: Any) -> bool:
    """n8n's ``tryToParseBoolean``: true/false (any case), 1/0 and their string forms."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not (isinstance(value, str) and value.strip() == ""):
        number = to_number(value)
        if number == 0 and not is_nan(number):
            return False
        if number == 1:
            return True
    raise _Invalid


def parse_array(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    text = to_string(value)
    try:
        parsed = json_parse(text)
    except ValueError:
        try:
            parsed = json_parse(text.replace("'", '"'))
        except ValueError as exc:
            raise _Invalid from exc
    if not isinstance(parsed, list):
        raise _Invalid
    return parsed


def parse_object(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = json_parse_lenient(to_string(value))
    except ValueError as exc:
        raise _Invalid from exc
    if not isinstance(parsed, dict):
        raise _Invalid
    return parsed


def validate_field_type(
    field_name: str,
    value: Any,
    type_: str,
    *,
    strict: bool = False,
    parse_strings: bool = False,
    zone: str | None = None,
    options: tuple[Any, ...] = (),
) -> Validation:
    """Validate (and convert) ``value`` as ``type_``; None is always valid and unchanged."""
    if value is None:
        return Validation(True, None)
    default_error = f"'{field_name}' expects a {type_} but we got {value_description(value)}"
    kind = type_.lower()
    try:
        if kind == "string":
            if not parse_strings:
                return Validation(True, value)
            if strict and not isinstance(value, str):
                raise _Invalid
            return Validation(True, parse_string(value))
        if kind == "number":
            if strict and not is_number(value):
                raise _Invalid
            return Validation(True, parse_number(value))
        if kind == "boolean":
            if strict and not isinstance(value, bool):
                raise _Invalid
            return Validation(True, parse_boolean(value))
        if kind == "datetime":
            parsed = parse_datetime(value, zone)
            if parsed is None:
                return Validation(
                    False,
                    error=f'{default_error} <br/><br/> Consider using <a href="{_LUXON_DOCS}" '
                    'target="_blank"><code>DateTime.fromFormat</code></a> to work with custom '
                    "date formats.",
                )
            return Validation(True, parsed)
        if kind == "time":
            if not _TIME_RE.match(to_string(value)):
                return Validation(
                    False,
                    error=f"'{field_name}' expects time (hh:mm:(:ss)) but we got "
                    f"{value_description(value)}.",
                )
            return Validation(True, to_string(value))
        if kind == "object":
            if strict and not isinstance(value, (Mapping, list, tuple)):
                raise _Invalid
            return Validation(True, parse_object(value))
        if kind == "array":
            if strict and not isinstance(value, (list, tuple)):
                raise _Invalid
            return Validation(True, parse_array(value))
        if kind == "options":
            if value not in options:
                allowed = ", ".join(to_string(o) for o in options)
                return Validation(
                    False,
                    error=f"'{field_name}' expects one of the following values: [{allowed}] "
                    f"but we got {value_description(value)}",
                )
            return Validation(True, value)
        if kind == "url":
            text = value if not isinstance(value, str) or "://" in value else f"http://{value}"
            if not _URL_RE.match(to_string(text)):
                raise _Invalid
            return Validation(True, to_string(text))
        if kind == "jwt":
            if not value or not _JWT_RE.match(to_string(value)):
                return Validation(False, error="Value is not a valid JWT token")
            return Validation(True, to_string(value))
    except _Invalid:
        return Validation(False, error=default_error)
    return Validation(True, value)


def is_datetime(value: Any) -> bool:
    return isinstance(value, datetime)
