"""Output of the API commands: rich tables for people, JSON for programs (``--json``).

JSON goes to stdout alone (one document; listings are a JSON array), so it can be piped.
Values are turned into JSON by ``plain`` (pydantic models, dataclasses, datetimes).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text


def plain(value: Any) -> Any:
    """``value`` as JSON-able data."""
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="json", by_alias=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(plain(value), indent=2, ensure_ascii=False, default=str))


def field(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` found on ``obj`` (attribute or key), else ``default``."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj and obj[name] is not None:
                return obj[name]
        else:
            value = getattr(obj, name, None)
            if value is not None:
                return value
    return default


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value) or "-"
    return str(value)


def console() -> Console:
    """stdout's console; piped output is not folded to 80 columns (rows stay greppable)."""
    out = Console()
    return out if out.is_terminal else Console(width=max(out.width, 240))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table (stdout)."""
    out = Table(title=Text(title) if title else None)
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*(Text(cell(v)) for v in row))  # text, never rich markup
    console().print(out)


def listing(
    items: Iterable[Any],
    columns: Sequence[tuple[str, Sequence[str]]],
    *,
    as_json: bool,
    title: str | None = None,
) -> None:
    """A listing: a JSON array of the items, or a table of ``columns`` (header, field names)."""
    if as_json:
        echo_json([plain(i) for i in items])
        return
    rows = [[field(item, *names) for _header, names in columns] for item in items]
    table(title, [header for header, _names in columns], rows)


def record(obj: Any, fields: Sequence[tuple[str, Sequence[str]]], *, as_json: bool) -> None:
    """One object: JSON, or ``label: value`` lines."""
    if as_json:
        echo_json(obj)
        return
    width = max(len(label) for label, _ in fields)
    for label, names in fields:
        typer.echo(f"{label.ljust(width)}  {cell(field(obj, *names))}")
