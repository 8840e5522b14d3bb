"""DebugHelper: does nothing, throws the chosen error type, refuses OOM, generates data."""

from __future__ import annotations

from typing import Any

import pytest

from n8nwork.errors import NodeApiError, NodeExecutionError
from nodes.sdk.testing import execute_one, items, jsons
from tests.unit.nodes._param_checks import problems

DEBUG = "n8n-nodes-base.debugHelper"


def run(params: dict, data: int = 1, **kw: Any) -> list[dict]:
    out = execute_one(DEBUG, params, [items(*({} for _ in range(data)))], **kw)
    assert isinstance(out, list)
    return out[0]


def test_default_throws_node_api_error() -> None:
    with pytest.raises(NodeApiError) as exc:
        run({})
    assert exc.value.message == "Node has thrown an error"
    assert exc.value.to_dict()["name"] == "NodeApiError"


@pytest.mark.parametrize(
    ("kind", "name"), [("NodeOperationError", "NodeOperationError"), ("Error", "Error")]
)
def test_error_types(kind: str, name: str) -> None:
    with pytest.raises(NodeExecutionError) as exc:
        run({"category": "throwError", "throwErrorType": kind, "throwErrorMessage": "boom"})
    assert exc.value.message == "boom" and exc.value.error_name == name


def test_continue_on_fail_emits_error_items() -> None:
    out = run({}, 2, node_fields={"onError": "continueErrorOutput"})
    assert jsons(out) == [{"error": "Node has thrown an error"}] * 2
    assert [o["pairedItem"] for o in out] == [{"item": 0}, {"item": 1}]


def test_do_nothing_emits_nothing() -> None:
    assert run({"category": "doNothing"}) == []


def test_oom_is_refused() -> None:
    with pytest.raises(NodeExecutionError, match="Out Of Memory"):
        run({"category": "oom", "memorySizeValue": 100000})


@pytest.mark.parametrize(
    ("data_type", "keys"),
    [
        ("user", {"uid", "email", "firstname", "lastname", "password"}),
        ("email", {"email", "confirmed"}),
        ("address", {"firstname", "lastname", "street", "city", "zip", "state", "country"}),
        ("creditCard", {"type", "number", "ccv", "exp", "holder_name"}),
        ("uuid", {"uuid"}),
        ("url", {"url"}),
        ("ipv4", {"ip"}),
        ("ipv6", {"ipv6"}),
        ("macAddress", {"mac"}),
        ("latLong", {"location"}),
        ("semver", {"version"}),
        ("nanoid", {"nanoId"}),
    ],
)
def test_random_data_shapes(data_type: str, keys: set[str]) -> None:
    out = jsons(run({"category": "randomData", "randomDataType": data_type, "randomDataCount": 3}))
    assert len(out) == 3 and all(set(o) == keys for o in out)


def test_random_data_seed_single_array_and_nanoid() -> None:
    params = {"category": "randomData", "randomDataSeed": "abc", "randomDataCount": 2}
    assert jsons(run(params)) == jsons(run(params))
    single = jsons(run({**params, "randomDataSingleArray": True}, 2))
    assert len(single) == 2 and len(single[0]["generatedItems"]) == 2
    nano = jsons(
        run({**params, "randomDataType": "nanoid", "nanoidAlphabet": "ab", "nanoidLength": "5"})
    )
    assert all(len(n["nanoId"]) == 5 and set(n["nanoId"]) <= {"a", "b"} for n in nano)


def test_random_data_count_is_bounded() -> None:
    with pytest.raises(NodeExecutionError, match="randomDataCount"):
        run({"category": "randomData", "randomDataCount": 10**9})


def test_validation() -> None:
    assert problems(DEBUG, {"category": "explode"})
    assert problems(DEBUG, {"randomDataType": "names"})
