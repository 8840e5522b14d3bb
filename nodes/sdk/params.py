"""Parameter schemas: what parameters a node type takes, their kinds, defaults and options.

The schema is deliberately light: it checks what it can check statically (the kind of a value
that is not an expression, membership of ``options``) and supplies defaults. Parameters a node
does not declare are tolerated, as n8n keeps parameters of other modes and versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from n8nwork.expressions import is_expression

KINDS = (
    "string",
    "number",
    "boolean",
    "options",
    "multiOptions",
    "collection",
    "fixedCollection",
    "json",
    "filter",
    "assignmentCollection",
    "any",
)


@dataclass(frozen=True)
class Param:
    """One parameter of a node type.

    ``versions`` limits the parameter to typeVersions ``(min, max)`` inclusive; ``options``
    lists the allowed values for ``options`` / ``multiOptions`` kinds.
    """

    name: str
    kind: str = "any"
    default: Any = None
    options: tuple[Any, ...] = ()
    versions: tuple[float, float] | None = None
    required: bool = False
    description: str = ""

    def applies_to(self, version: float) -> bool:
        return self.versions is None or self.versions[0] <= version <= self.versions[1]

    def check(self, value: Any) -> str | None:
        """A problem with ``value`` for this parameter, or None when it is acceptable."""
        if value is None or is_expression(value):
            return None
        kind = self.kind
        ok = True
        if kind == "string":
            ok = isinstance(value, str)
        elif kind == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind in ("collection", "fixedCollection", "filter", "assignmentCollection"):
            ok = isinstance(value, Mapping)
        elif kind == "multiOptions":
            ok = isinstance(value, (list, tuple))
            if ok and self.options:
                bad = [v for v in value if v not in self.options]
                if bad:
                    allowed = list(self.options)
                    return f"'{self.name}' has unknown option(s) {bad!r}; allowed: {allowed}"
        elif kind == "options" and self.options and value not in self.options:
            return f"'{self.name}' is {value!r}; allowed: {list(self.options)}"
        if not ok:
            return f"'{self.name}' must be of kind {kind}, got {type(value).__name__}"
        return None

    def to_json(self) -> dict[str, Any]:
        """A JSON description, for API clients and editors."""
        out: dict[str, Any] = {"name": self.name, "type": self.kind, "default": self.default}
        if self.options:
            out["options"] = list(self.options)
        if self.versions:
            out["typeVersions"] = list(self.versions)
        if self.required:
            out["required"] = True
        if self.description:
            out["description"] = self.description
        return out


def validate_params(
    schema: tuple[Param, ...], params: Mapping[str, Any], version: float
) -> list[str]:
    """Every problem of ``params`` against ``schema`` for ``version``."""
    problems = []
    for p in schema:
        if not p.applies_to(version):
            continue
        if p.name not in params:
            if p.required:
                problems.append(f"parameter '{p.name}' is required")
            continue
        problem = p.check(params[p.name])
        if problem:
            problems.append(f"parameter {problem}")
    return problems
