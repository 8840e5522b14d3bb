"""The progress display of long waits: the execution's status, its last node and the time
waited. In a terminal a rich spinner on stderr; in a Jupyter notebook one HTML line updated
in place (IPython's display handles: no widget library needed). On by default only where
someone watches (a terminal or a notebook); ``progress=False`` turns it off, ``True`` forces
it. Both displays go away when the wait ends."""

from __future__ import annotations

import sys
import time
from html import escape
from typing import Any, Protocol

from n8nwork.client.models import ExecutionSummary


class Progress(Protocol):
    def start(self, description: str) -> None: ...

    def update(self, execution: ExecutionSummary) -> None: ...

    def close(self) -> None: ...


def describe(execution: ExecutionSummary) -> str:
    text = f"execution {execution.id} · {execution.status}"
    if execution.last_node:
        text += f" · last node: {execution.last_node}"
    return text


class NoProgress:
    """Shows nothing."""

    def start(self, description: str) -> None:
        pass

    def update(self, execution: ExecutionSummary) -> None:
        pass

    def close(self) -> None:
        pass


def in_notebook() -> bool:
    """This runs in a Jupyter kernel (IPython's ZMQ shell)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None) if ipython is not None else None
    shell = get() if get is not None else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def interactive() -> bool:
    """Someone is watching: stderr is a terminal, or this runs in a notebook."""
    stream = sys.stderr
    tty = stream is not None and hasattr(stream, "isatty") and stream.isatty()
    return bool(tty) or in_notebook()


class RichProgress:
    """A transient spinner line: ``⠋ execution 12 · running · last node: Fetch 0:00:07``."""

    def __init__(self, file: Any = None) -> None:
        from rich.console import Console
        from rich.progress import Progress as _Bar
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=file or sys.stderr)
        self._bar = _Bar(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: Any = None

    def start(self, description: str) -> None:
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(description, total=None)
        else:
            self._bar.update(self._task, description=description)

    def update(self, execution: ExecutionSummary) -> None:
        self.start(describe(execution))

    def close(self) -> None:
        if self._task is not None:
            self._bar.stop()
            self._task = None


class NotebookProgress:
    """One line of HTML in the cell's output, updated at each poll, cleared at the end."""

    def __init__(self) -> None:
        from IPython.display import HTML, display

        self._html = HTML
        self._display = display
        self._handle: Any = None
        self._started = time.monotonic()

    def _show(self, text: str) -> None:
        waited = time.monotonic() - self._started
        body = self._html(f"<code>⏳ {escape(text)} · {waited:.0f} s</code>")
        if self._handle is None:
            self._handle = self._display(body, display_id=True)
        else:
            self._handle.update(body)

    def start(self, description: str) -> None:
        self._show(description)

    def update(self, execution: ExecutionSummary) -> None:
        self._show(describe(execution))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.update(self._html(""))
            self._handle = None


def make_progress(enabled: bool | None) -> Progress:
    """A display for one wait: ``None`` decides by ``interactive()``."""
    if enabled is None:
        enabled = interactive()
    if not enabled:
        return NoProgress()
    return NotebookProgress() if in_notebook() else RichProgress()
