"""Stop and Error (``n8n-nodes-base.stopAndError``): fails the workflow on purpose.

``errorType`` ``errorMessage`` raises with ``errorMessage``; ``errorObject`` raises with the
JSON object in ``errorObject`` (its ``message``, ``description`` or ``error`` becomes the
message, ``description`` the description, and the whole object the error's metadata).
The node has no outputs.
"""

from __future__ import annotations

from typing import Any

from n8nwork.errors import NodeExecutionError
from nodes.builtin._jsvalues import json_parse_lenient, stringify, to_string
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param


def _text(value: Any) -> str:
    return value if isinstance(value, str) and value else ""


class StopAndError(NodeType):
    type_name = "n8n-nodes-base.stopAndError"
    display_name = "Stop and Error"
    description = "Throw an error in the workflow."
    outputs = 0
    params = (
        Param("errorType", "options", "errorMessage", options=("errorMessage", "errorObject")),
        Param("errorMessage", "string", ""),
        Param("errorObject", "json", ""),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        error_type = ctx.param("errorType", 0, "errorMessage")
        if error_type == "errorObject":
            raw = ctx.param("errorObject", 0, "")
            if isinstance(raw, dict):
                obj: Any = raw
            else:
                try:
                    obj = json_parse_lenient(to_string(raw))
                except ValueError as exc:
                    raise ctx.error(
                        "The 'Error Object' parameter is not valid JSON",
                        description=to_string(raw),
                    ) from exc
            if not isinstance(obj, dict):
                obj = {"error": obj}
            message = (
                _text(obj.get("message"))
                or _text(obj.get("description"))
                or _text(obj.get("error"))
                or f"Error: {stringify(obj)}"
            )
            description = _text(obj.get("description")) or None
            context: dict[str, Any] = {"metadata": obj}
            if _text(obj.get("type")):
                context["type"] = obj["type"]
            raise NodeExecutionError(
                message, node=ctx.node.name, description=description, context=context
            )
        raise NodeExecutionError(to_string(ctx.param("errorMessage", 0, "")), node=ctx.node.name)
