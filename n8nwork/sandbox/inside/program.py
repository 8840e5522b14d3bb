"""What user code sees inside the sandbox, and how it is run: ``Program`` compiles the code
wrapped in a function, builds n8n's globals (``_items``/``_item``, ``_input``, ``_json``,
``_('Node')``, ...), calls it per mode and describes any failure with the user's line number.
Imports nothing from n8nwork (it runs inside the sandbox)."""

from __future__ import annotations

import traceback
from typing import Any

from .guard import SandboxImportError, SandboxViolation, safe_builtins

TZ_KEEP: dict[str, Any] = {}  # every time zone, loaded by the zygote before any fork


class JsObject(dict[str, Any]):
    """A JSON object readable both as a dict and by attribute (``item.json.name``), like the
    proxies of n8n's Pyodide runtime. Dict methods win over keys of the same name."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self) -> dict[str, Any]:
        """A plain-dict deep copy (Pyodide's ``JsProxy.to_py``)."""
        plain: dict[str, Any] = _plain(self)
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Input:
    """``_input``: the node's input items."""

    def __init__(self, items: list[Any], index: int | None) -> None:
        self._all = items
        self._index = index

    def all(self) -> list[Any]:
        return self._all

    def first(self) -> Any:
        return self._all[0] if self._all else None

    def last(self) -> Any:
        return self._all[-1] if self._all else None

    @property
    def item(self) -> Any:
        index = self._index if self._index is not None else 0
        return self._all[index] if index < len(self._all) else None


class _NodeData:
    """``_('Node')``: another node's output as the parent sent it."""

    def __init__(self, name: str, data: dict[str, Any] | None, index: int) -> None:
        self._name = name
        self._data = data
        self._index = index

    def _items(self) -> list[Any]:
        if self._data is None:
            raise ValueError(f"Referenced node '{self._name}' is unexecuted or unknown")
        return self._data.get("items") or []

    def all(self, branch_index: int = 0, run_index: int = -1) -> list[Any]:
        return self._items()

    def first(self, branch_index: int = 0, run_index: int = -1) -> Any:
        items = self._items()
        return items[0] if items else None

    def last(self, branch_index: int = 0, run_index: int = -1) -> Any:
        items = self._items()
        return items[-1] if items else None

    @property
    def item(self) -> Any:
        """The item of that node the current input item derives from (``pairedItem``)."""
        self._items()
        paired = (self._data or {}).get("paired") or []
        found = paired[self._index] if self._index < len(paired) else None
        if found is None:
            raise ValueError(f"Can't get data for expression under '{self._name}' field")
        return found

    @property
    def isExecuted(self) -> bool:
        return self._data is not None

    @property
    def params(self) -> Any:
        return (self._data or {}).get("params") or JsObject()


class Program:
    """The compiled user code plus everything it may see."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.mode = request["mode"]
        self.language = request.get("language", "python")
        self.items: list[Any] = request.get("items") or []
        self.context: dict[str, Any] = request.get("context") or {}
        self.stop_on_error = not request.get("continue_on_fail", False)
        self.source = str(request["code"])
        self.lines = self.source.splitlines()
        header = "async def __n8n_user_code__():\n"
        if self.language == "pythonNative":
            header = "def __n8n_user_code__():\n"
        body = "".join("    " + line + "\n" for line in self.lines) or "    pass\n"
        self.code = compile(header + body + "    pass\n", "<code>", "exec", dont_inherit=True)
        self.builtins = safe_builtins()
        self.now, self.today = self._clock(self.context.get("timezone") or "UTC")

    def _clock(self, timezone: str) -> tuple[Any, Any]:
        import datetime

        tz = TZ_KEEP.get(timezone) or TZ_KEEP.get("UTC") or datetime.UTC
        now = datetime.datetime.now(tz)
        return now, now.replace(hour=0, minute=0, second=0, microsecond=0)

    def run(self) -> dict[str, Any]:
        if self.mode == "runOnceForEachItem":
            results: list[Any] = []
            for index in range(len(self.items)):
                outcome = self._call(index)
                results.append(outcome)
                failed = outcome.get("error")
                if failed and (self.stop_on_error or failed["kind"] not in ("user", "refused")):
                    return {"ok": False, "error": failed, "results": results}
            return {"ok": True, "results": results}
        outcome = self._call(None)
        if "error" in outcome:
            return {"ok": False, "error": outcome["error"]}
        return {"ok": True, "result": outcome.get("value")}

    def _globals(self, index: int | None) -> dict[str, Any]:
        ctx = self.context
        items = self.items
        current = items[index] if index is not None and index < len(items) else None
        first = items[0] if items else None
        g: dict[str, Any] = {
            "__builtins__": self.builtins,
            "__name__": "__n8n_code__",
            "_input": _Input(items, index),
            "_json": (current or first or JsObject()).get("json"),
            "_binary": (current or first or JsObject()).get("binary"),
            "_runIndex": ctx.get("runIndex", 0),
            "_itemIndex": index if index is not None else 0,
            "_workflow": ctx.get("workflow") or JsObject(),
            "_execution": ctx.get("execution") or JsObject(),
            "_prevNode": ctx.get("prevNode") or JsObject(),
            "_vars": ctx.get("vars") or JsObject(),
            "_parameter": ctx.get("parameter") or JsObject(),
            "_now": self.now,
            "_today": self.today,
            "_": self._node_accessor(index),
            "_query": None,
        }
        # n8n 2.x (native runner): _items / _item. Pyodide-era names: items / item.
        if index is None:
            g["_items"] = g["items"] = items
        else:
            g["_item"] = g["item"] = current
        return g

    def _node_accessor(self, index: int | None) -> Any:
        nodes = self.context.get("nodes") or {}

        def node(name: str) -> _NodeData:
            return _NodeData(name, nodes.get(name), index or 0)

        return node

    def _call(self, index: int | None) -> dict[str, Any]:
        g = self._globals(index)
        try:
            exec(self.code, g)
            result = g["__n8n_user_code__"]()
            if self.language != "pythonNative":
                result = _drive(result)
            return {"value": result}
        except BaseException as exc:  # every failure of user code becomes a result
            return {"error": self._describe(exc, index)}

    def _describe(self, exc: BaseException, index: int | None) -> dict[str, Any]:
        line = None
        tb = exc.__traceback__
        frames = []
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename == "<code>":
                line = tb.tb_lineno - 1
                name = code.co_name
                name = "<module>" if name == "__n8n_user_code__" else name
                text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
                frames.append(f'  File "<code>", line {line}, in {name}\n    {text}')
            tb = tb.tb_next
        if isinstance(exc, MemoryError):
            kind, message = "memory", "MemoryError"
        elif isinstance(exc, (SandboxViolation, SandboxImportError)):
            kind, message = "refused", str(exc)
        elif isinstance(exc, SystemExit):
            kind, message = "user", f"Process exited with code {exc.code}"
        else:
            detail = str(exc)
            kind = "user"
            message = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        stack = "Traceback (most recent call last):\n" + "\n".join(frames)
        stack += "\n" + "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
        return {
            "kind": kind,
            "message": message,
            "type": type(exc).__name__,
            "line": line,
            "item": index,
            "stack": stack,
        }


def _drive(result: Any) -> Any:
    """Run the coroutine of ``async def`` user code (n8n's Pyodide wraps code the same way)."""
    try:
        result.send(None)
    except StopIteration as stop:
        return stop.value
    result.close()
    raise RuntimeError("awaiting real asynchronous operations is not supported")


def fail(kind: str, message: str) -> dict[str, Any]:
    return {"kind": kind, "message": message, "type": kind, "line": None, "item": None}


def syntax_error(exc: SyntaxError) -> dict[str, Any]:
    line = (exc.lineno or 1) - 1
    return {
        "kind": "user",
        "message": f"{type(exc).__name__}: {exc.msg}",
        "type": type(exc).__name__,
        "line": max(line, 1),
        "item": None,
        "stack": "".join(traceback.format_exception_only(type(exc), exc)).rstrip(),
    }
