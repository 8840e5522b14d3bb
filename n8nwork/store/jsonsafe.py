"""JSON in and out of the database, refusing what would be corrupt or hostile.

Every document the store writes goes through ``dump_json``: it refuses NaN and infinities,
values that are not JSON, strings that are not valid Unicode (lone surrogates, as produced by
decoding invalid UTF-8 with ``surrogateescape``), and documents above a size limit. The result
is a ``RawJSON`` string that the engine's serializer passes through unchanged, so a document is
serialized once. Text columns go through ``check_text`` (no NUL, valid Unicode, bounded length).
Bytes from outside (files, request bodies) go through ``load_json_bytes`` (strict UTF-8).
"""

from __future__ import annotations

import json
from typing import Any

from n8nwork.store.errors import InvalidInputError, PayloadTooLargeError


class RawJSON(str):
    """JSON text that ``dump_json`` produced and checked; stored as is."""

    __slots__ = ()


def _serialize(value: Any, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:  # NaN / Infinity, circular reference
        raise InvalidInputError(f"{what}: not storable as JSON ({exc})") from exc
    except TypeError as exc:
        raise InvalidInputError(f"{what}: not storable as JSON ({exc})") from exc
    except RecursionError as exc:
        raise InvalidInputError(f"{what}: JSON nested too deeply") from exc


def encode_json(value: Any, *, what: str = "document") -> bytes:
    """Serialize ``value`` to UTF-8 JSON bytes, refusing what the database would not store."""
    text = _serialize(value, what)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{what}: contains text that is not valid UTF-8 (position {exc.start})"
        ) from exc


def serialize(value: Any, *, what: str = "document") -> tuple[RawJSON, int]:
    """Serialize and check ``value`` with no size limit: the text and its size in bytes."""
    text = _serialize(value, what)
    try:
        return RawJSON(text), len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{what}: contains text that is not valid UTF-8 (position {exc.start})"
        ) from exc


def check_size(text: RawJSON, size: int, *, max_bytes: int, what: str) -> RawJSON:
    if size > max_bytes:
        raise PayloadTooLargeError(
            f"{what}: {size:,} bytes of JSON is over the limit of {max_bytes:,} bytes "
            "(N8NWORK_DATABASE__MAX_DOCUMENT_BYTES)"
        )
    return text


def dump_json(value: Any, *, max_bytes: int, what: str = "document") -> RawJSON:
    """Serialize and check ``value``; refuse it above ``max_bytes`` (UTF-8 bytes)."""
    if isinstance(value, RawJSON):
        text, size = value, len(value.encode("utf-8"))
    else:
        text, size = serialize(value, what=what)
    return check_size(text, size, max_bytes=max_bytes, what=what)


def _refuse_constant(name: str) -> Any:
    raise InvalidInputError(f"JSON: {name} is not a JSON value")


def load_json_bytes(raw: bytes | str, *, max_bytes: int, what: str = "document") -> Any:
    """Parse JSON from outside: size first, then strict UTF-8, then no NaN/Infinity."""
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(
            f"{what}: {len(raw):,} bytes is over the limit of {max_bytes:,} bytes"
        )
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"{what}: not valid UTF-8 (byte {exc.start}: {exc.reason})"
            ) from exc
    else:
        text = raw
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{what}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise InvalidInputError(f"{what}: JSON nested too deeply") from exc
    encode_json(value, what=what)  # lone surrogates from \ud800 escapes
    return value


def check_text(value: str, *, what: str, max_length: int = 255, allow_empty: bool = False) -> str:
    """Refuse text a database column must not hold: NUL, invalid Unicode, too long, empty."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what}: expected text, got {type(value).__name__}")
    if not value and not allow_empty:
        raise InvalidInputError(f"{what}: must not be empty")
    if len(value) > max_length:
        raise InvalidInputError(f"{what}: {len(value)} characters is over {max_length}")
    if "\x00" in value:
        raise InvalidInputError(f"{what}: must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(f"{what}: not valid UTF-8 (position {exc.start})") from exc
    return value


def engine_json_serializer(value: Any) -> str:
    """The engine's JSON serializer: ``RawJSON`` passes through, anything else is checked."""
    if isinstance(value, RawJSON):
        return value
    return encode_json(value).decode("utf-8")


def engine_json_deserializer(text: str | bytes) -> Any:
    """The engine's JSON deserializer."""
    return json.loads(text)
