"""Every route, every role, in the own project, another project, and without credentials.

Actors: ``owner`` and ``admin`` (instance roles), and three members with a role in project P:
``padmin`` (project admin), ``editor``, ``viewer``. In project Q the members have no role:
everything in Q is 404 for them (as an id that does not exist), never 403. Without
credentials every route answers 401. Each row states the expected status per actor,
written out (not derived from ``serve.rbac``), so the table is the specification.
"""

# ruff: noqa: E501  (the table reads best one case per line)
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.unit.serve.conftest import World, workflow_doc

ACTORS = ("owner", "admin", "padmin", "editor", "viewer")
OK = "ok"


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    ok: int
    own: str  # expected per actor, in ACTORS order: "ok" or a status
    other: str | None = None  # None: the route has no project
    build: Callable[[World, str, str], tuple[str, Any]] | None = None
    """(world, project, actor) -> (path, json body); default: the route as is, no body."""


def _expand(spec: str, ok: int) -> list[int]:
    return [ok if s == OK else int(s) for s in spec.split()]


R, W, ADM = "ok ok ok ok ok", "ok ok ok ok 403", "ok ok ok 403 403"
STAFF = "ok ok 403 403 403"
OTHER = "ok ok 404 404 404"


def path(template: str, **make: Callable[[World, str, str], Any]) -> Callable[..., Any]:
    def build(world: World, project: str, actor: str) -> tuple[str, Any]:
        values = {k: f(world, project, actor) for k, f in make.items()}
        return template.format(p=project, **values), None

    return build


def with_body(
    builder: Callable[[World, str, str], tuple[str, Any]], body: Callable[[World, str, str], Any]
) -> Callable[..., Any]:
    def build(world: World, project: str, actor: str) -> tuple[str, Any]:
        url, _ = builder(world, project, actor)
        return url, body(world, project, actor)

    return build


wf = lambda w, p, a: w.workflow(p)  # noqa: E731
ex = lambda w, p, a: w.execution(p)  # noqa: E731
running = lambda w, p, a: w.execution(p, status="running")  # noqa: E731
failed = lambda w, p, a: w.execution(p, status="error")  # noqa: E731
cred = lambda w, p, a: w.credential(p)  # noqa: E731
fresh_project = lambda w, p, a: w.project(with_members=p == w.p)  # noqa: E731
fresh_user = lambda w, p, a: w.user()  # noqa: E731
self_id = lambda w, p, a: w.users[a]  # noqa: E731
owner_id = lambda w, p, a: w.users["owner"]  # noqa: E731


def member_of(w: World, p: str, a: str) -> str:
    uid = w.user()
    r = w.client.put(
        f"/api/v1/projects/{p}/members/{uid}",
        json={"role": "project:viewer"},
        headers=w.headers("owner"),
    )
    assert r.status_code == 200
    return uid


def own_key(w: World, p: str, a: str) -> str:
    r = w.client.post("/api/v1/api-keys", json={"name": "k"}, headers=w.headers(a))
    assert r.status_code == 201
    return str(r.json()["id"])


def wf_body(w: World, p: str, a: str) -> dict[str, Any]:
    return {**workflow_doc(), "projectId": p}


def email_body(w: World, p: str, a: str) -> dict[str, Any]:
    import secrets

    return {"email": f"new-{secrets.token_hex(4)}@example.com"}


CASES = [
    # ---- instance routes
    Case("GET", "/api/v1/auth/me", 200, R),
    Case("GET", "/api/v1/users", 200, STAFF),
    Case("POST", "/api/v1/users", 201, STAFF, build=with_body(path("/api/v1/users"), email_body)),
    Case("GET", "/api/v1/users/{user_id}", 200, R, build=path("/api/v1/users/{u}", u=self_id)),
    Case("PATCH", "/api/v1/users/{user_id}", 200, STAFF,
         build=with_body(path("/api/v1/users/{u}", u=fresh_user), lambda w, p, a: {"disabled": True})),
    Case("GET", "/api/v1/projects", 200, R),
    Case("POST", "/api/v1/projects", 201, R,
         build=with_body(path("/api/v1/projects"), lambda w, p, a: {"name": "New"})),
    Case("GET", "/api/v1/api-keys", 200, R),
    Case("POST", "/api/v1/api-keys", 201, R,
         build=with_body(path("/api/v1/api-keys"), lambda w, p, a: {"name": "ci"})),
    Case("DELETE", "/api/v1/api-keys/{key_id}", 204, R, build=path("/api/v1/api-keys/{k}", k=own_key)),
    Case("GET", "/api/v1/audit", 200, STAFF),
    Case("GET", "/api/v1/node-types", 200, R),
    Case("GET", "/api/v1/node-types/{name}", 200, R,
         build=path("/api/v1/node-types/n8n-nodes-base.set")),
    Case("GET", "/api/v1/workflows", 200, R),
    Case("GET", "/api/v1/executions", 200, R),
    Case("GET", "/api/v1/credentials", 200, R),
    # ---- project routes: own project P, other project Q
    Case("GET", "/api/v1/projects/{project_id}", 200, R, OTHER, path("/api/v1/projects/{p}")),
    Case("PATCH", "/api/v1/projects/{project_id}", 200, ADM, OTHER,
         with_body(path("/api/v1/projects/{p}"), lambda w, p, a: {"name": "Renamed"})),
    Case("DELETE", "/api/v1/projects/{project_id}", 204, ADM, OTHER,
         path("/api/v1/projects/{f}", f=fresh_project)),
    Case("GET", "/api/v1/projects/{project_id}/members", 200, R, OTHER,
         path("/api/v1/projects/{p}/members")),
    Case("PUT", "/api/v1/projects/{project_id}/members/{user_id}", 200, ADM, OTHER,
         with_body(path("/api/v1/projects/{p}/members/{u}", u=fresh_user),
                   lambda w, p, a: {"role": "project:editor"})),
    Case("DELETE", "/api/v1/projects/{project_id}/members/{user_id}", 204, ADM, OTHER,
         path("/api/v1/projects/{p}/members/{u}", u=member_of)),
    Case("POST", "/api/v1/workflows", 201, W, OTHER, with_body(path("/api/v1/workflows"), wf_body)),
    Case("GET", "/api/v1/workflows?projectId", 200, R, OTHER, path("/api/v1/workflows?projectId={p}")),
    Case("POST", "/api/v1/workflows/import", 201, W, OTHER,
         with_body(path("/api/v1/workflows/import?projectId={p}"), lambda w, p, a: [workflow_doc()])),
    Case("GET", "/api/v1/workflows/{workflow_id}", 200, R, OTHER, path("/api/v1/workflows/{w}", w=wf)),
    Case("PUT", "/api/v1/workflows/{workflow_id}", 200, W, OTHER,
         with_body(path("/api/v1/workflows/{w}", w=wf), lambda w, p, a: workflow_doc("Saved"))),
    Case("DELETE", "/api/v1/workflows/{workflow_id}", 204, W, OTHER,
         path("/api/v1/workflows/{w}", w=wf)),
    Case("GET", "/api/v1/workflows/{workflow_id}/export", 200, R, OTHER,
         path("/api/v1/workflows/{w}/export", w=wf)),
    Case("GET", "/api/v1/workflows/{workflow_id}/versions", 200, R, OTHER,
         path("/api/v1/workflows/{w}/versions", w=wf)),
    Case("GET", "/api/v1/workflows/{workflow_id}/versions/{version}", 200, R, OTHER,
         path("/api/v1/workflows/{w}/versions/1", w=wf)),
    Case("POST", "/api/v1/workflows/{workflow_id}/versions/{version}/restore", 200, W, OTHER,
         path("/api/v1/workflows/{w}/versions/1/restore", w=wf)),
    Case("POST", "/api/v1/workflows/{workflow_id}/activate", 200, W, OTHER,
         path("/api/v1/workflows/{w}/activate", w=wf)),
    Case("POST", "/api/v1/workflows/{workflow_id}/deactivate", 200, W, OTHER,
         path("/api/v1/workflows/{w}/deactivate", w=wf)),
    Case("POST", "/api/v1/workflows/{workflow_id}/run", 202, W, OTHER,
         path("/api/v1/workflows/{w}/run", w=wf)),
    Case("POST", "/api/v1/workflows/{workflow_id}/webhook-test", 422, W, OTHER,
         path("/api/v1/workflows/{w}/webhook-test", w=wf)),
    Case("GET", "/api/v1/executions?workflowId", 200, R, OTHER,
         path("/api/v1/executions?workflowId={w}", w=wf)),
    Case("GET", "/api/v1/executions/{execution_id}", 200, R, OTHER,
         path("/api/v1/executions/{e}", e=ex)),
    Case("POST", "/api/v1/executions/{execution_id}/cancel", 202, W, OTHER,
         path("/api/v1/executions/{e}/cancel", e=running)),
    Case("POST", "/api/v1/executions/{execution_id}/retry", 202, W, OTHER,
         path("/api/v1/executions/{e}/retry", e=failed)),
    Case("DELETE", "/api/v1/executions/{execution_id}", 204, W, OTHER,
         path("/api/v1/executions/{e}", e=ex)),
    Case("GET", "/api/v1/executions/{execution_id}/events", 200, R, OTHER,
         path("/api/v1/executions/{e}/events", e=ex)),
    Case("POST", "/api/v1/credentials", 201, W, OTHER,
         with_body(path("/api/v1/credentials"),
                   lambda w, p, a: {"name": "c", "type": "httpBasicAuth",
                                    "data": {"user": "u", "password": "pw"}, "projectId": p})),
    Case("GET", "/api/v1/credentials?projectId", 200, R, OTHER,
         path("/api/v1/credentials?projectId={p}")),
    Case("GET", "/api/v1/credentials/{credential_id}", 200, R, OTHER,
         path("/api/v1/credentials/{c}", c=cred)),
    Case("PATCH", "/api/v1/credentials/{credential_id}", 200, W, OTHER,
         with_body(path("/api/v1/credentials/{c}", c=cred), lambda w, p, a: {"name": "renamed"})),
    Case("DELETE", "/api/v1/credentials/{credential_id}", 204, W, OTHER,
         path("/api/v1/credentials/{c}", c=cred)),
    Case("POST", "/api/v1/credentials/{credential_id}/test", 200, W, OTHER,
         path("/api/v1/credentials/{c}/test", c=cred)),
]  # fmt: skip

# Routes outside the table, each with its own tests (test_auth.py): they change the caller's
# own session or are the way in.
SEPARATE = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/change-password"),
}


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for where in ("own", "other") if case.other else ("own",):
            spec = case.own if where == "own" else case.other
            assert spec is not None
            for actor, status in zip(ACTORS, _expand(spec, case.ok), strict=True):
                out.append(
                    pytest.param(
                        case, where, actor, status, id=f"{case.method} {case.route} {where} {actor}"
                    )
                )
            out.append(
                pytest.param(
                    case, where, None, 401, id=f"{case.method} {case.route} {where} anonymous"
                )
            )
    return out


def _call(world: World, case: Case, where: str, actor: str | None) -> Any:
    project = world.p if where == "own" else world.q
    if case.build is not None:
        url, body = case.build(world, project, actor or "owner")
    else:
        url, body = case.route, None
    return world.client.request(case.method, url, json=body, headers=world.headers(actor))


@pytest.mark.parametrize(("case", "where", "actor", "status"), _params())
def test_route_role_project(
    world: World, case: Case, where: str, actor: str | None, status: int
) -> None:
    response = _call(world, case, where, actor)
    assert response.status_code == status, f"{response.status_code}: {response.text[:300]}"
    if status >= 400:
        assert response.json()["error"]["status"] == status


def test_table_covers_every_route(world: World) -> None:
    schema = world.client.get("/openapi.json").json()
    routes = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    }
    covered = {(c.method, c.route.split("?")[0]) for c in CASES} | SEPARATE
    assert routes - covered == set()
    assert covered - routes == set()
