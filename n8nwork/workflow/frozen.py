"""Deep freezing of JSON values: dicts become read-only mappings, lists become tuples.

A parsed workflow holds its parameters frozen so that nothing downstream can mutate the
description it was given; ``thaw`` turns a frozen value back into plain JSON (fresh objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


def freeze(value: Any) -> Any:
    """Return a deeply immutable copy of a JSON value."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Return plain, mutable JSON for a (possibly) frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [thaw(v) for v in value]
    return value
