"""The workflow model: n8n's workflow JSON as immutable values, parsed and exported losslessly.

``Workflow.from_json`` accepts an n8n workflow document (dict) and ``to_json`` gives the same
document back: known fields become typed attributes, everything else is kept verbatim in
``extras`` so that nothing n8n writes is lost on a round trip. Parsing checks only shape;
``n8nwork.workflow.validate`` checks meaning against the node types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from n8nwork.errors import WorkflowError
from n8nwork.workflow.frozen import freeze, thaw

MAIN = "main"

_NODE_FIELDS = (
    "id",
    "name",
    "type",
    "typeVersion",
    "parameters",
    "position",
    "credentials",
    "disabled",
    "retryOnFail",
    "maxTries",
    "waitBetweenTries",
    "onError",
    "continueOnFail",
    "alwaysOutputData",
    "executeOnce",
    "notes",
)
ON_ERROR_VALUES = ("stopWorkflow", "continueRegularOutput", "continueErrorOutput")


@dataclass(frozen=True, slots=True)
class Connection:
    """One edge: output ``source_output`` of ``source`` feeds input ``target_input``."""

    source: str
    source_output: int
    target: str
    target_input: int
    type: str = MAIN


@dataclass(frozen=True)
class Node:
    """One node of a workflow, as n8n describes it. Absent optional fields are ``None``."""

    name: str
    type: str
    type_version: float
    parameters: Mapping[str, Any]
    position: tuple[float, float] | None = None
    id: str | None = None
    credentials: Mapping[str, Any] | None = None
    disabled: bool | None = None
    retry_on_fail: bool | None = None
    max_tries: int | None = None
    wait_between_tries: int | None = None
    on_error: str | None = None
    continue_on_fail: bool | None = None
    always_output_data: bool | None = None
    execute_once: bool | None = None
    notes: str | None = None
    extras: Mapping[str, Any] = field(default_factory=lambda: freeze({}))

    @property
    def xy(self) -> tuple[float, float]:
        """The canvas position, (0, 0) when the document gives none."""
        return self.position or (0.0, 0.0)

    @property
    def is_disabled(self) -> bool:
        return bool(self.disabled)

    @property
    def error_mode(self) -> str:
        """n8n's effective ``onError`` (legacy ``continueOnFail`` means the regular output)."""
        if self.on_error:
            return self.on_error
        return "continueRegularOutput" if self.continue_on_fail else "stopWorkflow"

    @classmethod
    def from_json(cls, raw: Any, index: int) -> Node:
        where = f"nodes[{index}]"
        if not isinstance(raw, Mapping):
            raise WorkflowError([f"{where}: a node must be an object"])
        name = raw.get("name")
        problems = []
        if not isinstance(name, str) or not name:
            problems.append(f"{where}: 'name' must be a non-empty string")
            name = where
        else:
            where = f"node '{name}'"
        ntype = raw.get("type")
        if not isinstance(ntype, str) or not ntype:
            problems.append(f"{where}: 'type' must be a non-empty string")
        version = raw.get("typeVersion", 1)
        if isinstance(version, bool) or not isinstance(version, (int, float)):
            problems.append(f"{where}: 'typeVersion' must be a number")
        params = raw.get("parameters", {})
        if not isinstance(params, Mapping):
            problems.append(f"{where}: 'parameters' must be an object")
        position = raw.get("position")
        if position is not None and (
            not isinstance(position, (list, tuple))
            or len(position) != 2
            or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in position)
        ):
            problems.append(f"{where}: 'position' must be [x, y]")
        on_error = raw.get("onError")
        if on_error is not None and on_error not in ON_ERROR_VALUES:
            problems.append(f"{where}: 'onError' must be one of {', '.join(ON_ERROR_VALUES)}")
        for key, kind in (
            ("disabled", bool),
            ("retryOnFail", bool),
            ("alwaysOutputData", bool),
            ("executeOnce", bool),
            ("continueOnFail", bool),
        ):
            if raw.get(key) is not None and not isinstance(raw.get(key), kind):
                problems.append(f"{where}: '{key}' must be a boolean")
        for key in ("maxTries", "waitBetweenTries"):
            val = raw.get(key)
            if val is not None and (isinstance(val, bool) or not isinstance(val, (int, float))):
                problems.append(f"{where}: '{key}' must be a number")
        if problems:
            raise WorkflowError(problems)
        extras = {k: v for k, v in raw.items() if k not in _NODE_FIELDS}
        # A known field written as null is kept verbatim so the export is identical.
        extras.update({k: None for k in _NODE_FIELDS if k in raw and raw[k] is None})
        return cls(
            name=name,
            type=str(ntype),
            type_version=version,
            parameters=freeze(dict(params)),
            position=(position[0], position[1]) if position is not None else None,
            id=raw.get("id"),
            credentials=freeze(raw["credentials"]) if raw.get("credentials") else None,
            disabled=raw.get("disabled"),
            retry_on_fail=raw.get("retryOnFail"),
            max_tries=raw.get("maxTries"),
            wait_between_tries=raw.get("waitBetweenTries"),
            on_error=on_error,
            continue_on_fail=raw.get("continueOnFail"),
            always_output_data=raw.get("alwaysOutputData"),
            execute_once=raw.get("executeOnce"),
            notes=raw.get("notes"),
            extras=freeze(extras),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["name"] = self.name
        out["type"] = self.type
        out["typeVersion"] = self.type_version
        out["parameters"] = thaw(self.parameters)
        if self.position is not None:
            out["position"] = list(self.position)
        optional = {
            "credentials": thaw(self.credentials) if self.credentials is not None else None,
            "disabled": self.disabled,
            "retryOnFail": self.retry_on_fail,
            "maxTries": self.max_tries,
            "waitBetweenTries": self.wait_between_tries,
            "onError": self.on_error,
            "continueOnFail": self.continue_on_fail,
            "alwaysOutputData": self.always_output_data,
            "executeOnce": self.execute_once,
            "notes": self.notes,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        out.update(thaw(self.extras))
        return out


@dataclass(frozen=True, eq=False)
class Workflow:
    """An immutable n8n workflow. Derive changed copies with ``dataclasses.replace``."""

    name: str
    nodes: tuple[Node, ...]
    connections: Mapping[str, Any]
    settings: Mapping[str, Any] = field(default_factory=lambda: freeze({}))
    pin_data: Mapping[str, Any] | None = None
    static_data: Any = None
    extras: Mapping[str, Any] = field(default_factory=lambda: freeze({}))

    # ----------------------------------------------------------------- parse / export
    @classmethod
    def from_json(cls, raw: Any) -> Workflow:
        """Parse an n8n workflow document; raises ``WorkflowError`` naming every shape problem."""
        if not isinstance(raw, Mapping):
            raise WorkflowError(["a workflow must be a JSON object"])
        raw_nodes = raw.get("nodes")
        if not isinstance(raw_nodes, list):
            raise WorkflowError(["'nodes' must be a list"])
        problems: list[str] = []
        nodes: list[Node] = []
        for i, rn in enumerate(raw_nodes):
            try:
                nodes.append(Node.from_json(rn, i))
            except WorkflowError as exc:
                problems.extend(exc.problems)
        conns = raw.get("connections", {})
        if not isinstance(conns, Mapping):
            problems.append("'connections' must be an object")
            conns = {}
        problems.extend(_check_connection_shape(conns))
        settings = raw.get("settings")
        if settings is not None and not isinstance(settings, Mapping):
            problems.append("'settings' must be an object")
        pin = raw.get("pinData")
        if pin is not None and not isinstance(pin, Mapping):
            problems.append("'pinData' must be an object")
        if problems:
            raise WorkflowError(problems)
        known = ("name", "nodes", "connections", "settings", "pinData", "staticData")
        extras = {k: v for k, v in raw.items() if k not in known}
        for key in ("name", "settings", "staticData"):
            if key in raw and raw[key] is None:
                extras[key] = None
        if "pinData" in raw and raw["pinData"] is None:
            extras["pinData"] = None
        has = {k for k in known if k in raw and raw[k] is not None}
        extras["__present__"] = sorted(has)
        return cls(
            name=str(raw.get("name") or ""),
            nodes=tuple(nodes),
            connections=freeze(dict(conns)),
            settings=freeze(dict(settings or {})),
            pin_data=freeze(dict(pin)) if isinstance(pin, Mapping) else None,
            static_data=freeze(raw.get("staticData")),
            extras=freeze(extras),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Workflow:
        """Read and parse a workflow file; unreadable or non-JSON files raise ``WorkflowError``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkflowError([f"{path}: cannot read file ({exc})"]) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WorkflowError(
                [f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
            ) from exc
        return cls.from_json(data)

    def to_json(self) -> dict[str, Any]:
        """Export as n8n workflow JSON (the document this was parsed from, if unchanged)."""
        extras = thaw(self.extras)
        present = set(extras.pop("__present__", ["name", "nodes", "connections", "settings"]))
        out: dict[str, Any] = {}
        if "name" in present or self.name:
            out["name"] = self.name
        out["nodes"] = [n.to_json() for n in self.nodes]
        out["connections"] = thaw(self.connections)
        if "settings" in present or self.settings:
            out["settings"] = thaw(self.settings)
        if self.pin_data is not None:
            out["pinData"] = thaw(self.pin_data)
        if "staticData" in present or self.static_data is not None:
            out["staticData"] = thaw(self.static_data)
        out.update(extras)
        return out

    # ----------------------------------------------------------------- derived views
    @cached_property
    def by_name(self) -> Mapping[str, Node]:
        return {n.name: n for n in self.nodes}

    def node(self, name: str) -> Node:
        try:
            return self.by_name[name]
        except KeyError:
            raise WorkflowError([f"no node named {name!r}"]) from None

    @cached_property
    def edges(self) -> tuple[Connection, ...]:
        """Every connection, in document order (source, type, output, then fan-out order)."""
        out: list[Connection] = []
        for source, by_type in self.connections.items():
            for ctype, outputs in by_type.items():
                for out_index, targets in enumerate(outputs or ()):
                    for t in targets or ():
                        out.append(
                            Connection(
                                source=source,
                                source_output=out_index,
                                target=t["node"],
                                target_input=int(t.get("index", 0)),
                                type=t.get("type", ctype),
                            )
                        )
        return tuple(out)

    @cached_property
    def children(self) -> Mapping[str, tuple[Connection, ...]]:
        """Main connections leaving each node."""
        res: dict[str, list[Connection]] = {}
        for e in self.edges:
            if e.type == MAIN:
                res.setdefault(e.source, []).append(e)
        return {k: tuple(v) for k, v in res.items()}

    @cached_property
    def parents(self) -> Mapping[str, tuple[Connection, ...]]:
        """Main connections arriving at each node."""
        res: dict[str, list[Connection]] = {}
        for e in self.edges:
            if e.type == MAIN:
                res.setdefault(e.target, []).append(e)
        return {k: tuple(v) for k, v in res.items()}

    @cached_property
    def graph(self) -> Any:
        """Main-connection indexes (``n8nwork.run.graph.Graph``), built once per workflow."""
        from n8nwork.run.graph import Graph

        return Graph(self)

    @property
    def execution_order(self) -> str:
        """``v1`` or the legacy ``v0`` (n8n's default for workflows that don't say)."""
        return "v1" if self.settings.get("executionOrder") == "v1" else "v0"


def _check_connection_shape(conns: Mapping[str, Any]) -> list[str]:
    problems = []
    for source, by_type in conns.items():
        if not isinstance(by_type, Mapping):
            problems.append(f"connections of '{source}': must be an object keyed by type")
            continue
        for ctype, outputs in by_type.items():
            if not isinstance(outputs, list):
                problems.append(f"connections of '{source}'.{ctype}: must be a list of outputs")
                continue
            for oi, targets in enumerate(outputs):
                if targets is None:
                    continue
                if not isinstance(targets, list):
                    problems.append(f"connections of '{source}'.{ctype}[{oi}]: must be a list")
                    continue
                for t in targets:
                    if not isinstance(t, Mapping) or not isinstance(t.get("node"), str):
                        problems.append(
                            f"connections of '{source}'.{ctype}[{oi}]: each target needs 'node'"
                        )
                    elif not isinstance(t.get("index", 0), int) or t.get("index", 0) < 0:
                        problems.append(
                            f"connection '{source}' -> '{t['node']}': "
                            "'index' must be an integer >= 0"
                        )
    return problems
