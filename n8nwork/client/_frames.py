"""Execution outputs as pandas DataFrames (the optional ``pandas`` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas


def to_frame(rows: list[dict[str, Any]]) -> pandas.DataFrame:
    """One row per item, one column per top-level JSON key (nested values stay objects)."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("to_pandas needs pandas: pip install 'n8nwork[pandas]'") from exc
    return pandas.DataFrame.from_records(rows) if rows else pandas.DataFrame()
