"""Wait (``n8n-nodes-base.wait``, v1 and v1.1): puts the run to sleep after a time interval, until
a date and time, or until a webhook call or form submission resumes it.

The node only says what to wait for (``WaitFor``); the runtime does the waiting. Times are
computed from the run's clock (``ctx.scope.now_ms``) so waits are reproducible.
"""

from __future__ import annotations

import time
from typing import Any

from nodes.builtin._dt_parse import any_date
from nodes.builtin._ldt import ZoneError, zone
from nodes.sdk import ExecutionContext, NodeResult, NodeType, Param, WaitFor

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_V1 = (1.0, 1.0)
_V11 = (1.1, 1.1)


class Wait(NodeType):
    type_name = "n8n-nodes-base.wait"
    versions = (1, 1.1)
    display_name = "Wait"
    description = "Wait before continuing with execution"
    params = (
        Param(
            "resume", "options", "timeInterval", ("timeInterval", "specificTime", "webhook", "form")
        ),
        Param("amount", "number", 1, versions=_V1),
        Param("unit", "options", "hours", tuple(_UNIT_SECONDS), versions=_V1),
        Param("amount", "number", 5, versions=_V11),
        Param("unit", "options", "seconds", tuple(_UNIT_SECONDS), versions=_V11),
        Param("dateTime", "string", ""),
        Param("incomingAuthentication", "options", "none", ("basicAuth", "headerAuth", "none")),
        Param("httpMethod", "options", "GET", ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")),
        Param("responseCode", "number", 200),
        Param("responseMode", "options", "onReceived", ("onReceived", "lastNode", "responseNode")),
        Param("responseData", "string", "firstEntryJson"),
        Param("limitWaitTime", "boolean", False),
        Param(
            "limitType", "options", "afterTimeInterval", ("afterTimeInterval", "atSpecifiedTime")
        ),
        Param("resumeAmount", "number", 1),
        Param("resumeUnit", "options", "hours", tuple(_UNIT_SECONDS)),
        Param("maxDateAndTime", "string", ""),
        Param("formTitle", "string", ""),
        Param("formDescription", "string", ""),
        Param("formFields", "fixedCollection", {}),
        Param("options", "collection", {}),
    )

    def execute(self, ctx: ExecutionContext) -> NodeResult:
        items = ctx.input(0)
        resume = ctx.param("resume", 0, "timeInterval")
        now = _now_seconds(ctx)
        if resume in ("webhook", "form"):
            until: float | None = None
            if ctx.param("limitWaitTime", 0, False):
                if ctx.param("limitType", 0, "afterTimeInterval") == "afterTimeInterval":
                    amount = _amount(ctx, ctx.param("resumeAmount", 0, 1))
                    unit = _unit(ctx, ctx.param("resumeUnit", 0, "hours"))
                    until = now + amount * _UNIT_SECONDS[unit]
                else:
                    until = _specific_time(ctx, ctx.param("maxDateAndTime", 0, ""))
            return WaitFor(
                until=until, resume=resume, outputs=[items], options=_resume_options(ctx, resume)
            )
        if resume == "timeInterval":
            unit = _unit(ctx, ctx.param("unit", 0))
            amount = _amount(ctx, ctx.param("amount", 0))
            return WaitFor(until=now + amount * _UNIT_SECONDS[unit], outputs=[items])
        if resume == "specificTime":
            until = _specific_time(ctx, ctx.param("dateTime", 0, ""))
            return WaitFor(until=max(until, now), outputs=[items])
        raise ctx.error(f'The resume mode "{resume}" is not known!')


def _now_seconds(ctx: ExecutionContext) -> float:
    now_ms = getattr(ctx.scope, "now_ms", None)
    return float(now_ms) / 1000.0 if now_ms is not None else time.time()


def _unit(ctx: ExecutionContext, unit: Any) -> str:
    if not isinstance(unit, str) or unit not in _UNIT_SECONDS:
        raise ctx.error(
            "Invalid wait unit. Valid units are 'seconds', 'minutes', 'hours', or 'days'."
        )
    return unit


def _amount(ctx: ExecutionContext, amount: Any) -> float:
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
        raise ctx.error("Invalid wait amount. Please enter a number that is 0 or greater.")
    return float(amount)


def _specific_time(ctx: ExecutionContext, raw: Any) -> float:
    message = (
        "[Wait node] Cannot put execution to wait because `dateTime` parameter is not a valid "
        "date. Please pick a specific date and time to wait until."
    )
    try:
        tz = zone(ctx.timezone)
    except ZoneError:
        tz = zone("Etc/UTC")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw) / 1000.0
    parsed = any_date(str(raw), tz) if isinstance(raw, str) and raw.strip() else None
    if parsed is None:
        raise ctx.error(message)
    return parsed.ms / 1000.0


def _resume_options(ctx: ExecutionContext, resume: str) -> dict[str, Any]:
    """What the runtime needs to serve the resume URL (method, response, auth, form)."""
    names = ["incomingAuthentication", "responseMode", "options"]
    if resume == "webhook":
        names += ["httpMethod", "responseCode", "responseData"]
    else:
        names += ["formTitle", "formDescription", "formFields"]
    return {name: ctx.param(name, 0, None) for name in names}
