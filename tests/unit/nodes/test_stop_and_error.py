"""Stop and Error: fails with a message, or with an error object's message and description."""

from __future__ import annotations

import pytest

from n8nwork.errors import NodeExecutionError
from nodes.sdk.registry import default_registry
from nodes.sdk.testing import execute_one, items
from tests.unit.nodes._param_checks import node_of, problems

STOP = "n8n-nodes-base.stopAndError"


def test_has_no_outputs() -> None:
    impl = default_registry().get(STOP, 1)
    assert impl is not None and impl.output_count(node_of(STOP, {})) == 0


def test_error_message() -> None:
    with pytest.raises(NodeExecutionError) as exc:
        execute_one(STOP, {"errorMessage": "Something broke"}, [items({})])
    assert exc.value.message == "Something broke"
    assert exc.value.node == "Node"


@pytest.mark.parametrize(
    ("obj", "message", "description"),
    [
        ('{"code": "404", "description": "Not found"}', "Not found", "Not found"),
        ('{"message": "Boom", "description": "Details"}', "Boom", "Details"),
        ('{"error": "Bad"}', "Bad", None),
        ('{"code": 1}', 'Error: {"code":1}', None),
    ],
)
def test_error_object(obj: str, message: str, description: str | None) -> None:
    with pytest.raises(NodeExecutionError) as exc:
        execute_one(STOP, {"errorType": "errorObject", "errorObject": obj}, [items({})])
    assert exc.value.message == message
    assert exc.value.description == description
    assert "metadata" in exc.value.context


def test_invalid_error_object() -> None:
    with pytest.raises(NodeExecutionError, match="not valid JSON"):
        execute_one(STOP, {"errorType": "errorObject", "errorObject": "{nope"}, [items({})])


def test_validation() -> None:
    assert problems(STOP, {"errorType": "warning"})
