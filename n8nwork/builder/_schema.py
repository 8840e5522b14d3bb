"""What a node constructor knows of its node type: type name, typeVersions, parameter schema.

Built-in and installed node types come from the node registry (``nodes.sdk``), which is
imported only when a constructor is first used: the core library does not depend on ``nodes``
(see ``n8nwork/CONTRACTS.md``), the builder is one of its edges, like the CLI.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from n8nwork.builder._errors import BuilderError

if TYPE_CHECKING:
    from nodes.sdk.base import NodeType
    from nodes.sdk.params import Param
    from nodes.sdk.registry import Registry


def fmt_version(version: float) -> str:
    return str(int(version)) if float(version).is_integer() else str(version)


def declared(version: float) -> float:
    """A typeVersion as n8n writes it: ``1`` rather than ``1.0``."""
    return int(version) if float(version).is_integer() else float(version)


@dataclass(frozen=True)
class TypeRef:
    """A node type as the builder sees it; ``lookup(version)`` gives the NodeType."""

    type_name: str
    versions: tuple[float, ...]
    display_name: str
    description: str
    lookup: Callable[[float], NodeType | None]

    @property
    def latest(self) -> float:
        return self.versions[-1]

    @property
    def default_name(self) -> str:
        """n8n's default node name: the display name without a trailing ``(...)``."""
        name = self.display_name or self.type_name.rsplit(".", 1)[-1]
        if name.endswith(")") and " (" in name:
            name = name[: name.rindex(" (")]
        return name

    def resolve(self, version: Any, label: str) -> float:
        """The typeVersion to use: ``version`` if the type declares it, else the latest."""
        if version is None:
            return self.latest
        if isinstance(version, (int, float)) and not isinstance(version, bool):
            for known in self.versions:
                if float(known) == float(version):
                    return known
        known_text = ", ".join(fmt_version(v) for v in self.versions)
        raise BuilderError(
            [f"{label}: {self.type_name} has no typeVersion {version!r} (known: {known_text})"]
        )

    def impl(self, version: float) -> NodeType:
        found = self.lookup(version)
        if found is None:  # resolve() only gives declared versions
            raise BuilderError([f"{self.type_name} v{fmt_version(version)} is not registered"])
        return found

    def params_at(self, version: float) -> dict[str, Param]:
        """The parameters this type takes at ``version`` (first declaration of a name wins)."""
        out: dict[str, Param] = {}
        for p in self.impl(version).params:
            if p.applies_to(float(version)):
                out.setdefault(p.name, p)
        return out

    def all_params(self) -> list[Param]:
        """Every parameter declaration across all typeVersions."""
        seen: list[Param] = []
        for version in self.versions:
            for p in self.impl(version).params:
                if p not in seen:
                    seen.append(p)
        return seen


def registry_ref(registry: Registry, type_name: str) -> TypeRef | None:
    """The TypeRef of ``type_name`` in ``registry``, or None when it is not registered."""
    versions = registry.versions_of(type_name)
    if not versions:
        return None
    newest = registry.get(type_name, versions[-1])
    return TypeRef(
        type_name=type_name,
        versions=tuple(declared(v) for v in versions),
        display_name=getattr(newest, "display_name", "") or "",
        description=getattr(newest, "description", "") or "",
        lookup=lambda version: registry.get(type_name, version),
    )


def name_problems(
    ref: TypeRef, version: float, names: Iterable[str], where: str, reserved: Iterable[str] = ()
) -> list[str]:
    """Problems of parameter names given as keywords: unknown, or not of this typeVersion."""
    here = ref.params_at(version)
    problems = []
    for name in names:
        if name in here:
            continue
        versions = [v for v in ref.versions if name in ref.params_at(v)]
        if versions:
            where_known = ", ".join(fmt_version(v) for v in versions)
            problems.append(
                f"{where}: parameter '{name}' is not one of typeVersion {fmt_version(version)} "
                f"(it is in typeVersions {where_known}; pass version=... to use one)"
            )
            continue
        candidates = [*here, *reserved]
        close = difflib.get_close_matches(name, candidates, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        known = ", ".join(sorted(here)) or "none"
        problems.append(f"{where}: unknown parameter '{name}'{hint} (parameters: {known})")
    return problems


def kinds_at(ref: TypeRef, version: float) -> Mapping[str, str]:
    return {name: p.kind for name, p in ref.params_at(version).items()}
