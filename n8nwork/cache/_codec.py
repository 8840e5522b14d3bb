"""Argument checks and JSON encoding shared by both backends, so both refuse the same input.

Everything here runs before a backend touches its state: a refused call changes nothing.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from n8nwork.cache.base import CacheLimits

_STREAM_ID = re.compile(r"([0-9]{1,20})(?:-([0-9]{1,20}))?")
_U64 = (1 << 64) - 1


def check_name(name: object, limits: CacheLimits, what: str = "key") -> str:
    """Return ``name`` if it is a usable key: a non-empty str, not too long, valid UTF-8."""
    if not isinstance(name, str):
        raise TypeError(f"cache {what} must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError(f"cache {what} must not be empty")
    if len(name) > limits.max_key_chars:
        raise ValueError(
            f"cache {what} is {len(name)} characters long; the limit is {limits.max_key_chars}"
        )
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"cache {what} is not valid UTF-8 (lone surrogate)") from exc
    return name


def encode(value: object, limits: CacheLimits, what: str = "value") -> str:
    """Encode a JSON value to text, refusing ``None``, non-JSON types, NaN and oversize."""
    if value is None:
        raise ValueError(f"cache {what} must not be None (None means absent)")
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"cache {what} is not JSON: {exc}") from exc
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ValueError(f"cache {what} is not valid UTF-8 (lone surrogate)") from exc
    if size > limits.max_value_bytes:
        raise ValueError(
            f"cache {what} is {size} bytes as JSON; the limit is {limits.max_value_bytes}"
        )
    return text


def decode(text: str | bytes) -> Any:
    """Decode a value written by ``encode`` (a fresh object on every call)."""
    return json.loads(text)


def check_event(event: object, limits: CacheLimits) -> str:
    """Encode a stream event: it must be a JSON object (dict with str keys)."""
    if not isinstance(event, dict):
        raise TypeError(f"stream event must be a dict, not {type(event).__name__}")
    return encode(event, limits, "stream event")


def ttl_ms(ttl: object) -> int:
    """A TTL in seconds as whole milliseconds (at least 1); refuses <= 0, NaN, inf, bool."""
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise TypeError(f"ttl must be a number of seconds, not {type(ttl).__name__}")
    if not math.isfinite(ttl) or ttl <= 0:
        raise ValueError(f"ttl must be a positive finite number of seconds, not {ttl!r}")
    if ttl > 10 * 365 * 86_400:
        raise ValueError("ttl must be at most ten years")
    return max(1, round(ttl * 1000))


def check_rate(rate: object, burst: object, cost: object) -> tuple[float, float, float]:
    """Validate token-bucket parameters: positive finite numbers with ``cost <= burst``."""
    out = []
    for label, v in (("rate", rate), ("burst", burst), ("cost", cost)):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise TypeError(f"{label} must be a number, not {type(v).__name__}")
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{label} must be a positive finite number, not {v!r}")
        out.append(float(v))
    if out[2] > out[1]:
        raise ValueError(f"cost {cost!r} exceeds burst {burst!r}: it could never be granted")
    return out[0], out[1], out[2]


def parse_stream_id(stream_id: object) -> tuple[int, int]:
    """Parse ``"<ms>-<seq>"`` (or ``"<ms>"``, seq 0) as sent in ``Last-Event-ID``."""
    if not isinstance(stream_id, str):
        raise TypeError(f"stream id must be a str, not {type(stream_id).__name__}")
    m = _STREAM_ID.fullmatch(stream_id)
    if m is None:
        raise ValueError(f"invalid stream id {stream_id[:64]!r}: expected '<ms>-<seq>'")
    ms, seq = int(m.group(1)), int(m.group(2) or 0)
    if ms > _U64 or seq > _U64:
        raise ValueError(f"invalid stream id {stream_id[:64]!r}: out of range")
    return ms, seq


def check_read(count: object, block_ms: object, limits: CacheLimits) -> tuple[int, int]:
    """Validate ``read``'s count and block time."""
    for label, v, top in (
        ("count", count, limits.max_read_count),
        ("block_ms", block_ms, limits.max_block_ms),
    ):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{label} must be an int, not {type(v).__name__}")
        if v < (1 if label == "count" else 0) or v > top:
            raise ValueError(f"{label} must be between {int(label == 'count')} and {top}")
    assert isinstance(count, int) and isinstance(block_ms, int)
    return count, block_ms


def check_owner(owner: object, limits: CacheLimits) -> str:
    """A lease owner is named like a key."""
    return check_name(owner, limits, "lease owner")
