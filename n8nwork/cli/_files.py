"""n8n JSON files of workflows: reading what ``import`` is given, writing what ``export`` makes.

Input: files and folders (every ``*.json`` directly in a folder, by name). A file holds one
workflow object or a list of them (n8n's ``export:workflow --all`` writes a list, ``--separate``
one file per workflow). Everything is read and checked before anything is sent, so a bad
file imports nothing; errors name the file (and the list index).

Output: one file per workflow, ``<id>.json`` in a folder (as n8n's ``--separate``), or one
named file. The bytes are a function of the document alone: the server's key order, two-space
indent, UTF-8 without escaping, a final newline. Exporting a workflow, importing the file and
exporting again gives the same bytes for n8n's fields (only ``id``, ``active`` and
``versionId`` differ: an import makes a new workflow).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from n8nwork.cli._errors import CliError

SERVER_FIELDS = ("id", "active", "versionId")
"""Fields an export adds that are the server's, not the workflow's."""


@dataclass(frozen=True)
class WorkflowFile:
    """One workflow read from a file (``index`` when the file holds a list)."""

    path: Path
    index: int | None
    document: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.path}[{self.index}]" if self.index is not None else str(self.path)

    @property
    def name(self) -> str:
        name = self.document.get("name")
        return name if isinstance(name, str) and name.strip() else "(unnamed)"


def _check(document: Any, where: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise CliError(f"{where}: a workflow must be a JSON object")
    nodes = document.get("nodes")
    if not isinstance(nodes, list):
        raise CliError(f"{where}: not an n8n workflow ('nodes' must be a list)")
    connections = document.get("connections", {})
    if not isinstance(connections, dict):
        raise CliError(f"{where}: 'connections' must be an object")
    return document


def read_file(path: Path) -> list[WorkflowFile]:
    """The workflows in one JSON file (an object or a list of objects)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CliError(f"{path}: cannot read ({reason})") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(data, list):
        if not data:
            raise CliError(f"{path}: the list holds no workflow")
        return [WorkflowFile(path, i, _check(doc, f"{path}[{i}]")) for i, doc in enumerate(data)]
    return [WorkflowFile(path, None, _check(data, str(path)))]


def read_paths(paths: list[Path]) -> list[WorkflowFile]:
    """Every workflow in ``paths`` (files, and the ``*.json`` files of folders)."""
    found: list[WorkflowFile] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.glob("*.json") if p.is_file())
            if not files:
                raise CliError(f"{path}: no .json files in this folder")
            for file in files:
                found.extend(read_file(file))
        elif path.exists():
            found.extend(read_file(path))
        else:
            raise CliError(f"no such file or folder: {path}")
    return found


def dump(document: dict[str, Any]) -> str:
    """The exported text of a workflow (stable bytes, see the module docstring)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def file_name(document: dict[str, Any]) -> str:
    """``<id>.json`` (n8n's name for a separate export)."""
    wid = str(document.get("id") or "workflow")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in wid).strip(".") or "workflow"
    return f"{safe}.json"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # as a plain open() would have made it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_items(path: Path) -> list[dict[str, Any]]:
    """Input items from a JSON file: an object or a list of objects, each wrapped as
    ``{"json": ...}`` unless it already is."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read input items ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise CliError(f"{path}: input items must be a JSON object or a list of objects")
    return [i if isinstance(i.get("json"), dict) else {"json": i} for i in data]
