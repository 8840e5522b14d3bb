"""Bad input is refused with a status that says why, never a 500: every validation failure
is a 422 naming the field and the problem; request values are never echoed back."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serve import ApiConfig
from tests.unit.serve.conftest import World, build_world, workflow_doc

SECRET = "hunter2-very-secret-value"


def fields(response: Any) -> list[tuple[str, str]]:
    return [(f["field"], f["problem"]) for f in response.json()["error"]["fields"]]


def raw(world: World, method: str, url: str, body: bytes, ctype: str = "application/json") -> Any:
    headers = {**world.headers("owner"), "content-type": ctype}
    return world.client.request(method, url, content=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{bad", "not valid JSON"),
        (b'{"name": "\xff"}', "not valid UTF-8"),
        (b'{"name": "\\ud800"}', "not valid UTF-8"),
        (b'{"name": 1' + b"9" * 5000 + b"}", "a number is too large"),
        (b'{"name": NaN}', "not a JSON value"),
        (b'{"name": 1e999}', "not storable as JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_bodies_are_422(world: World, body: bytes, problem: str) -> None:
    r = raw(world, "POST", "/api/v1/workflows", body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"][0]["field"] == "body"
    assert problem in r.json()["error"]["fields"][0]["problem"]


def test_wrong_content_type_is_415(world: World) -> None:
    for ctype in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ):
        r = raw(world, "POST", "/api/v1/workflows", b'{"name": "x"}', ctype)
        assert r.status_code == 415, ctype
    assert (
        raw(
            world, "POST", "/api/v1/workflows", b'{"name":"x"}', "application/vnd.x+json"
        ).status_code
        != 415
    )


def test_body_size_limit(tmp_path: Path) -> None:
    for world in build_world(
        tmp_path,
        ApiConfig(ip_limit=None, principal_limit=None, login_limit=None, max_body_bytes=1000),
    ):
        r = raw(world, "POST", "/api/v1/workflows", b'{"name": "' + b"x" * 2000 + b'"}')
        assert r.status_code == 413
        assert raw(world, "POST", "/api/v1/workflows", b'{"name": 1}').status_code == 422


def test_unknown_and_missing_fields(world: World) -> None:
    r = world.client.post(
        "/api/v1/workflows", json={**workflow_doc(), "bogus": 1}, headers=world.headers("owner")
    )
    assert r.status_code == 422 and fields(r) == [("bogus", "Extra inputs are not permitted")]
    r = world.client.post("/api/v1/workflows", json={"nodes": []}, headers=world.headers("owner"))
    assert r.status_code == 422 and fields(r) == [("name", "Field required")]
    r = world.client.post(
        "/api/v1/workflows", json={"name": "x", "nodes": "no"}, headers=world.headers("owner")
    )
    assert r.status_code == 422 and fields(r)[0][0] == "nodes"


def test_numbers_out_of_range(world: World) -> None:
    owner = world.headers("owner")
    r = world.client.get("/api/v1/executions/99999999999999999999999", headers=owner)
    assert r.status_code == 422 and fields(r)[0][0] == "path.execution_id"
    r = world.client.get("/api/v1/executions?limit=100000", headers=owner)
    assert r.status_code == 422 and fields(r)[0][0] == "query.limit"
    r = world.client.get("/api/v1/executions?cursor=abc", headers=owner)
    assert r.status_code == 422 and "cursor" in fields(r)[0][0]
    wid = world.workflow(world.p)
    r = world.client.post(f"/api/v1/workflows/{wid}/run", json={"version": 10**30}, headers=owner)
    assert r.status_code == 422 and fields(r)[0][0] == "version"
    r = world.client.get("/api/v1/executions?startedAfter=2024-01-01T00:00:00", headers=owner)
    assert r.status_code == 422 and fields(r)[0][0] == "startedAfter"


def test_invalid_workflows_name_the_node(world: World) -> None:
    doc = workflow_doc()
    doc["nodes"][1]["type"] = "n8n-nodes-base.doesNotExist"
    r = world.client.post("/api/v1/workflows", json=doc, headers=world.headers("owner"))
    assert r.status_code == 422
    (field, problem), *_ = fields(r)
    assert field == "nodes" and "A" in problem and "doesNotExist" in problem
    doc = workflow_doc()
    doc["connections"]["B"] = {"main": [[{"node": "Nowhere", "type": "main", "index": 0}]]}
    r = world.client.post("/api/v1/workflows", json=doc, headers=world.headers("owner"))
    assert r.status_code == 422 and "Nowhere" in json.dumps(r.json())
    wid = world.workflow(world.p)
    r = world.client.post(
        f"/api/v1/workflows/{wid}/run",
        json={"startNode": "Nope", "pinData": {"Ghost": [{"json": {}}]}},
        headers=world.headers("owner"),
    )
    assert r.status_code == 422 and [f for f, _ in fields(r)] == ["startNode", "pinData.Ghost"]


def test_secrets_are_never_returned_or_echoed(world: World) -> None:
    owner = world.headers("owner")
    made = world.client.post(
        "/api/v1/credentials",
        json={"name": "api", "type": "httpHeaderAuth", "data": {"name": "X-Key", "value": SECRET}},
        headers=owner,
    )
    assert made.status_code == 201
    cid = made.json()["id"]
    seen = [made.text]
    seen.append(world.client.get(f"/api/v1/credentials/{cid}", headers=owner).text)
    seen.append(world.client.get("/api/v1/credentials", headers=owner).text)
    seen.append(
        world.client.patch(
            f"/api/v1/credentials/{cid}", json={"data": {"value": SECRET + "2"}}, headers=owner
        ).text
    )
    seen.append(world.client.post(f"/api/v1/credentials/{cid}/test", headers=owner).text)
    bad = world.client.post(
        "/api/v1/credentials", json={"type": "x", "data": {"password": SECRET}}, headers=owner
    )
    assert bad.status_code == 422
    seen.append(bad.text)
    bad = world.client.post(
        "/api/v1/credentials",
        json={"name": "x", "type": "x", "data": SECRET},
        headers=owner,
    )
    assert bad.status_code == 422
    seen.append(bad.text)
    bad = world.client.post(
        "/api/v1/auth/login", json={"email": "owner@example.com", "password": SECRET}
    )
    seen.append(bad.text)
    seen.append(world.client.get("/api/v1/audit?limit=250", headers=owner).text)
    for text in seen:
        assert SECRET not in text
    test = world.client.post(f"/api/v1/credentials/{cid}/test", headers=owner).json()
    assert test == {"status": "OK", "message": "has every field its type needs"}
    # PATCH merged: 'name' kept, 'value' replaced; a null removes a field
    world.client.patch(f"/api/v1/credentials/{cid}", json={"data": {"name": None}}, headers=owner)
    test = world.client.post(f"/api/v1/credentials/{cid}/test", headers=owner).json()
    assert test == {"status": "Error", "message": "missing fields: name"}


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("fuzz"))


JUNK: list[Any] = [
    None, 0, -1, 2**70, 1.5, "", "x" * 300, "\u0000", "🙂", [], [1, "a"], {}, {"a": {"b": []}},
    True, {"name": None}, {"name": 5}, {"nodes": [{}]}, {"data": []}, {"role": "god"},
]  # fmt: skip


def test_fuzzed_bodies_and_ids_never_500(fuzz_world: World) -> None:
    world = fuzz_world
    schema = world.client.get("/openapi.json").json()
    rng = random.Random(5)
    wid = world.workflow(world.p)
    eid = world.execution(world.p)
    cid = world.credential(world.p)
    values = {
        "workflow_id": [wid, "nope", "%00", "x" * 40],
        "execution_id": [str(eid), "0", "-5", "1e3", "abc"],
        "credential_id": [cid, "nope"],
        "project_id": [world.p, "nope"],
        "user_id": [world.users["viewer"], "nope"],
        "key_id": ["nope"],
        "version": ["1", "0", "99999999999"],
        "name": ["n8n-nodes-base.set", "nope"],
    }
    failures = []
    for path, operations in schema["paths"].items():
        if path in ("/api/v1/auth/logout", "/api/v1/auth/change-password"):
            continue  # would end the session the fuzzing uses
        for method in operations:
            for _ in range(6):
                url = path
                for key, options in values.items():
                    url = url.replace("{" + key + "}", rng.choice(options))
                kind = rng.random()
                headers = world.headers("owner")
                if kind < 0.5:
                    r = world.client.request(
                        method.upper(), url, json=rng.choice(JUNK), headers=headers
                    )
                else:
                    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
                    r = world.client.request(
                        method.upper(),
                        url,
                        content=body,
                        headers={**headers, "content-type": "application/json"},
                    )
                if r.status_code >= 500:
                    failures.append((method, url, r.status_code, r.text[:200]))
    assert failures == []
