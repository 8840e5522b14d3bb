"""Node settings of the builder: n8n's per-node fields (retries, error handling, notes...) and
n8nwork's placement and resources, checked and turned into workflow JSON.

n8n's settings become the node's own fields (``retryOnFail``, ``maxTries``, ``onError``...);
placement and resources go into the node's extra field ``"n8nwork"`` (``placement``,
``numCpus``, ``numGpus``, ``memory`` in bytes, ``timeout`` in seconds, ``maxRetries``), which
n8n ignores and the workflow model round-trips; the Ray runtime reads it
(``actors.programs.placement_of``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from n8nwork.workflow.model import ON_ERROR_VALUES

SETTINGS_KEY = "n8nwork"


class NodeSettingsArgs(TypedDict, total=False):
    """The keyword arguments every node constructor takes besides its parameters."""

    credentials: Mapping[str, Any]
    retry_on_fail: bool
    max_tries: int
    wait_between_tries: int
    on_error: str
    always_output_data: bool
    execute_once: bool
    disabled: bool
    notes: str
    placement: str
    num_cpus: float
    num_gpus: float
    memory: int | str
    timeout: float
    max_retries: int
    position: tuple[float, float]
    id: str


SETTING_NAMES: tuple[str, ...] = tuple(NodeSettingsArgs.__annotations__)
RESERVED = ("name", "version", "parameters", *SETTING_NAMES)
"""Constructor keywords that are never node parameters (pass such a parameter in
``parameters={...}``)."""

_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_BINARY = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


@dataclass(frozen=True)
class NodeSettings:
    """A node's checked settings; absent ones are None and are not written."""

    credentials: Mapping[str, Any] | None = None
    retry_on_fail: bool | None = None
    max_tries: int | None = None
    wait_between_tries: int | None = None
    on_error: str | None = None
    always_output_data: bool | None = None
    execute_once: bool | None = None
    disabled: bool | None = None
    notes: str | None = None
    placement: str | None = None
    num_cpus: float | None = None
    num_gpus: float | None = None
    memory: int | None = None
    timeout: float | None = None
    max_retries: int | None = None
    position: tuple[float, float] | None = None
    id: str | None = None

    def node_fields(self) -> dict[str, Any]:
        """The node's JSON fields for these settings (n8n's own, then ``n8nwork``)."""
        out: dict[str, Any] = {}
        if self.credentials is not None:
            out["credentials"] = _plain_mapping(self.credentials)
        n8n = {
            "disabled": self.disabled,
            "retryOnFail": self.retry_on_fail,
            "maxTries": self.max_tries,
            "waitBetweenTries": self.wait_between_tries,
            "onError": self.on_error,
            "alwaysOutputData": self.always_output_data,
            "executeOnce": self.execute_once,
            "notes": self.notes,
        }
        out.update({k: v for k, v in n8n.items() if v is not None})
        ours = {
            "placement": self.placement,
            "numCpus": self.num_cpus,
            "numGpus": self.num_gpus,
            "memory": self.memory,
            "timeout": self.timeout,
            "maxRetries": self.max_retries,
        }
        ours = {k: v for k, v in ours.items() if v is not None}
        if ours:
            out[SETTINGS_KEY] = ours
        return out


def parse_settings(raw: Mapping[str, Any], where: str) -> tuple[NodeSettings, list[str]]:
    """Check the settings given to a node constructor; returns them and every problem found."""
    problems: list[str] = []
    values: dict[str, Any] = {}

    def bad(key: str, wanted: str) -> None:
        problems.append(f"{where}: setting '{key}' must be {wanted}, got {raw[key]!r}")

    for key, value in raw.items():
        if value is None:
            continue
        if key in ("retry_on_fail", "always_output_data", "execute_once", "disabled"):
            if not isinstance(value, bool):
                bad(key, "True or False")
                continue
        elif key in ("max_tries", "wait_between_tries", "max_retries"):
            least = 1 if key == "max_tries" else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                bad(key, f"a whole number >= {least}")
                continue
        elif key in ("num_cpus", "num_gpus", "timeout"):
            if not _is_number(value) or value < 0 or (key == "timeout" and value == 0):
                bad(key, "a number > 0" if key == "timeout" else "a number >= 0")
                continue
            value = float(value)
        elif key == "memory":
            parsed = parse_memory(value)
            if parsed is None:
                bad(key, "bytes (an int) or a size such as '512MiB' or '2GB'")
                continue
            value = parsed
        elif key == "on_error":
            if value not in ON_ERROR_VALUES:
                bad(key, f"one of {', '.join(ON_ERROR_VALUES)}")
                continue
        elif key == "placement":
            if value not in ("inline", "task"):
                bad(key, "'inline' (in the run host) or 'task' (a Ray task)")
                continue
        elif key == "notes" or key == "id":
            if not isinstance(value, str) or (key == "id" and not value):
                bad(key, "a string" if key == "notes" else "a non-empty string")
                continue
        elif key == "credentials":
            if not isinstance(value, Mapping) or not all(
                isinstance(v, Mapping) for v in value.values()
            ):
                bad(key, "{credential type: {'id': ..., 'name': ...}}")
                continue
        elif key == "position" and not (
            isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_number, value))
        ):
            bad(key, "(x, y)")
            continue
        values[key] = value
    if "position" in values:
        values["position"] = (values["position"][0], values["position"][1])
    if "retry_on_fail" not in values and ("max_tries" in values or "wait_between_tries" in values):
        values["retry_on_fail"] = True  # n8n ignores maxTries unless retryOnFail is on
    return NodeSettings(**values), problems


def parse_memory(value: Any) -> int | None:
    """Bytes from an int or a size text (``"512MiB"``, ``"2GB"``, ``"1.5 GiB"``); None if
    invalid. Units: B, K/KB (1000), KiB (1024), and so on up to T."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    match = _MEMORY.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    scale = _BINARY[unit[0]] if "i" in unit else _UNITS[unit[:1]]
    size = int(number * scale)
    return size if size > 0 else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _plain_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain_mapping(v) if isinstance(v, Mapping) else v for k, v in value.items()}
