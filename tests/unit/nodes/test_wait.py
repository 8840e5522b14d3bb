"""Wait node: time interval, specific time, webhook and form resumes as WaitFor requests."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeExecutionError
from n8nwork.expressions import ExpressionScope
from n8nwork.run.data import Source
from n8nwork.workflow.model import Workflow
from nodes.sdk import WaitFor
from nodes.sdk.context import ExecutionContext
from nodes.sdk.execute import run_node
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import StaticRun, items

WAIT = "n8n-nodes-base.wait"
NOW_MS = 1_700_000_000_000.0


def wait(
    params: dict[str, Any],
    version: float = 1.1,
    data: list[dict[str, Any]] | None = None,
    timezone: str = "UTC",
) -> WaitFor:
    # Given a run whose clock says NOW_MS
    impl = default_registry().get(WAIT, version)
    assert impl is not None
    raw = {
        "name": "Wait",
        "type": WAIT,
        "typeVersion": version,
        "parameters": params,
        "position": [0, 0],
    }
    wf = Workflow.from_json({"name": "t", "nodes": [raw], "connections": {}})
    inputs = [items(*(data or [{"a": 1}]))]
    scope = ExpressionScope(
        workflow=wf,
        node=wf.node("Wait"),
        run=StaticRun(),
        inputs=inputs,
        source=[Source("Previous")],
        timezone=timezone,
        now_ms=NOW_MS,
    )
    defaults = {p.name: p.default for p in impl.params if p.applies_to(version)}
    result = run_node(impl, ExecutionContext(scope=scope, defaults=defaults))
    assert isinstance(result, WaitFor)
    return result


def test_time_interval_v1_fixture() -> None:
    result = wait({"amount": 42, "unit": "seconds"}, version=1)
    assert result.until == NOW_MS / 1000 + 42
    assert result.resume is None
    assert [i["json"] for i in result.outputs[0]] == [{"a": 1}]


@pytest.mark.parametrize(
    ("version", "params", "seconds"),
    [
        (1, {}, 3600),
        (1.1, {}, 5),
        (1.1, {"amount": 2, "unit": "minutes"}, 120),
        (1, {"amount": 1.5, "unit": "days"}, 129600),
        (1.1, {"amount": 0}, 0),
    ],
)
def test_time_interval_defaults_per_version(
    version: float, params: dict[str, Any], seconds: float
) -> None:
    assert wait(params, version=version).until == NOW_MS / 1000 + seconds


def test_invalid_amount_and_unit_are_refused() -> None:
    with pytest.raises(NodeExecutionError, match="Invalid wait amount"):
        wait({"amount": -1})
    with pytest.raises(NodeExecutionError, match="Invalid wait amount"):
        wait({"amount": "ten"})
    with pytest.raises(NodeExecutionError, match="Invalid wait unit"):
        wait({"unit": "weeks"})


def test_specific_time_in_workflow_zone() -> None:
    result = wait(
        {"resume": "specificTime", "dateTime": "2030-01-01T09:00:00"}, timezone="America/New_York"
    )
    assert result.until == 1893506400.0  # 14:00 UTC
    past = wait({"resume": "specificTime", "dateTime": "2001-01-01T00:00:00Z"})
    assert past.until == NOW_MS / 1000
    with pytest.raises(NodeExecutionError, match="not a valid date"):
        wait({"resume": "specificTime", "dateTime": "soon"})


def test_webhook_and_form_resumes() -> None:
    hook = wait({"resume": "webhook", "httpMethod": "POST"})
    assert hook.resume == "webhook" and hook.until is None
    assert hook.options["httpMethod"] == "POST"
    limited = wait(
        {"resume": "webhook", "limitWaitTime": True, "resumeAmount": 2, "resumeUnit": "minutes"}
    )
    assert limited.until == NOW_MS / 1000 + 120
    at = wait(
        {
            "resume": "form",
            "limitWaitTime": True,
            "limitType": "atSpecifiedTime",
            "maxDateAndTime": "2030-01-01T00:00:00Z",
            "formTitle": "Approve",
        }
    )
    assert at.resume == "form" and at.until == 1893456000.0
    assert at.options["formTitle"] == "Approve"
