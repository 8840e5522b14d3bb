"""JavaScript's view of JSON values, shared by the expression host and webhook answers:
``JSON.stringify`` writes NaN and the infinities as ``null``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``None`` (mappings and sequences
    copied as dicts and lists)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value
