"""``@node`` functions defined in an importable module (they pickle by reference)."""

from __future__ import annotations

from typing import Any

from n8nwork.builder import node


@node(name="testPkg.double", placement="task", num_cpus=1)
def double(items: list[dict[str, Any]], factor: float = 2) -> list[dict[str, Any]]:
    """Multiply ``x`` by ``factor``."""
    return [{**item, "x": item["x"] * factor} for item in items]
