"""Schemathesis walks every operation of the OpenAPI document, as each role, on SQLite and on
PostgreSQL: no answer may be a 5xx, every answer must match the document (status, content
type, body schema), and no answer may contain a seeded secret.

Generation is derandomized (the same requests on every run) and bounded: ``FUZZ_EXAMPLES``
valid and half as many invalid cases per operation (``N8NWORK_FUZZ_EXAMPLES`` overrides),
each sent to both backends, the roles taking turns. Every other turn of valid cases has its
path ids replaced by real resources visible to the role, so the handlers' own logic runs,
not only the 404 path. Logout is called with a fresh login's token. The test prints how
many requests each backend answered and asserts a floor.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from n8nwork.store.repo.credentials import create_credential
from n8nwork.store.repo.executions import create_execution, set_execution_status
from n8nwork.store.repo.projects import create_project, set_member_role
from n8nwork.store.repo.workflows import create_workflow
from tests.conftest import IN_CI
from tests.security.api.conftest import ROLES, Seeded, seeded_world
from tests.unit.serve.conftest import PASSWORD, workflow_doc

pytestmark = pytest.mark.integration

FUZZ_EXAMPLES = int(os.environ.get("N8NWORK_FUZZ_EXAMPLES", "10"))
NEGATIVE_EXAMPLES = max(1, FUZZ_EXAMPLES // 2)
ACTORS = ("owner", "admin", "member")
REVOKES_TOKEN = {("POST", "/api/v1/auth/logout")}
"""Called with a fresh login's token, not the role's shared one."""
AUTH = frozenset({"authorization", "x-n8n-api-key"})
MIN_REQUESTS = 40 * FUZZ_EXAMPLES
"""The floor of requests each backend must have answered."""


@dataclass
class Resources:
    """Real ids for path parameters, made in the store on first use and again after a
    successful DELETE consumed them."""

    seeded: Seeded
    project: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        world = self.seeded.world
        with world.sessions() as s, s.begin():
            self.project = create_project(session=s, name="Fuzzed").id
            set_member_role(
                session=s,
                project_id=self.project,
                user_id=world.users["member"],
                role="project:editor",
            )

    def get(self, name: str) -> str | None:
        if name not in self.ids:
            made = self._make(name)
            if made is None:
                return None
            self.ids[name] = made
        return self.ids[name]

    def consumed(self, name: str) -> None:
        self.ids.pop(name, None)

    def _make(self, name: str) -> str | None:
        world = self.seeded.world
        with world.sessions() as s, s.begin():
            if name == "project_id":
                pid = create_project(session=s, name="Fuzzed too").id
                set_member_role(
                    session=s, project_id=pid, user_id=world.users["member"], role="project:admin"
                )
                return pid
            if name == "workflow_id":
                row, _ = create_workflow(
                    session=s, project_id=self.project, document=workflow_doc()
                )
                return row.id
            if name == "execution_id":
                row, _ = create_workflow(
                    session=s, project_id=self.project, document=workflow_doc()
                )
                eid = create_execution(session=s, workflow_id=row.id, workflow_version=1).id
                assert eid is not None
                set_execution_status(session=s, execution_id=eid, status="success")
                return str(eid)
            if name == "credential_id":
                return create_credential(
                    session=s,
                    key_ring=world.store.key_ring,
                    project_id=self.project,
                    name="Fuzzed credential",
                    type="httpHeaderAuth",
                    data={
                        "name": "X-Key",
                        "value": self.seeded.secrets["credential value of member"],
                    },
                ).id
            if name == "user_id":
                return world.users["victim"]
            if name == "version":
                return "1"
            if name == "name":
                return "n8n-nodes-base.set"
        return None


def no_secret_leak(seeded: Seeded) -> Any:
    """A schemathesis check: the response's headers and body contain no seeded secret."""

    def no_secret_leak(ctx: Any, response: Any, case: Any) -> bool:
        text = response.content.decode("utf-8", "replace") + "\n" + repr(dict(response.headers))
        leaked = seeded.leaks(text)
        if leaked:
            raise AssertionError(f"the response contains secrets: {', '.join(leaked)}")
        return True

    return no_secret_leak


def send(seeded: Seeded, kwargs: dict[str, Any]) -> Any:
    """The case's request through the app (``httpx`` over ASGI)."""
    options: dict[str, Any] = {
        "headers": kwargs.get("headers") or {},
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        options["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        options["content"] = data.encode() if isinstance(data, str) else data
    url = kwargs["url"].removeprefix("http://testserver")
    return seeded.world.client.request(kwargs["method"], url, **options)


@dataclass
class Target:
    """One backend's app under fuzzing."""

    seeded: Seeded
    resources: Resources
    checks: list[Any]
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)

    def fresh_token(self, actor: str) -> str:
        email = ROLES[actor][0]
        r = self.seeded.world.client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        return str(r.json()["accessToken"])

    def call(self, case: Any, actor: str, real_ids: bool) -> None:
        original = dict(case.path_parameters or {})
        if real_ids:
            for name in original:
                real = self.resources.get(name)
                if real is not None:
                    case.path_parameters[name] = real
        try:
            token = self.seeded.world.tokens[actor]
            if (case.method.upper(), case.path) in REVOKES_TOKEN:
                token = self.fresh_token(actor)
            headers = {"Authorization": f"Bearer {token}"}
            kwargs = case.as_transport_kwargs(base_url="http://testserver")
            # The document's security schemes make schemathesis invent credentials: replace
            # them by the role's own.
            kwargs["headers"] = {
                k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in AUTH
            } | headers
            response = send(self.seeded, kwargs)
            self.sent[actor] += 1
            self.statuses[response.status_code] += 1
            if case.method.upper() == "DELETE" and response.status_code == 204:
                for name in original:
                    self.resources.consumed(name)
            case.validate_response(response, checks=self.checks, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:
            raise AssertionError(f"[{self.seeded.backend}] {exc}") from None
        finally:
            if case.path_parameters:
                case.path_parameters.update(original)


def fuzz(operation: Any, mode: GenerationMode, targets: list[Target], examples: int) -> None:
    """``examples`` cases, each sent to every target; the roles take turns, and every
    second turn of valid cases uses real path ids."""
    number = 0

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        nonlocal number
        actor = ACTORS[number % len(ACTORS)]
        real_ids = mode is GenerationMode.POSITIVE and (number // len(ACTORS)) % 2 == 0
        number += 1
        for target in targets:
            target.call(case, actor, real_ids)

    probe()


def takes_input(operation: Any) -> bool:
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


@pytest.fixture
def targets(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[list[Seeded]]:
    """The seeded app on SQLite and on PostgreSQL (skipped locally when unreachable)."""
    with contextlib.ExitStack() as stack:
        worlds = [stack.enter_context(seeded_world(tmp_path / "sqlite", None))]
        try:
            url = request.getfixturevalue("postgres_url")
        except pytest.skip.Exception:
            if IN_CI:
                raise
            url = None
        if url is not None:
            worlds.append(stack.enter_context(seeded_world(tmp_path / "pg", url)))
        yield worlds


def test_every_operation_as_every_role(targets: list[Seeded]) -> None:
    # Given the app's own OpenAPI document and, per backend, a user of each role
    schema = schemathesis.openapi.from_dict(targets[0].world.client.app.openapi())
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    fuzzed = [Target(s, Resources(s), [*checks, no_secret_leak(s)]) for s in targets]
    results: list[Any] = list(schema.get_all_operations())
    operations = [result.ok() for result in results]  # an invalid operation raises here
    failures = []
    # When every operation is called by every role with valid and invalid input
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, FUZZ_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            if mode is GenerationMode.NEGATIVE and not takes_input(operation):
                continue  # nothing to make invalid
            try:
                fuzz(operation, mode, fuzzed, examples)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{mode.value} {operation.label}: {exc}"[:4000])
    for target in fuzzed:
        total = sum(target.sent.values())
        print(
            f"\nfuzz[{target.seeded.backend}]: {total} requests over {len(operations)} "
            f"operations ({dict(target.sent)}); statuses {dict(sorted(target.statuses.items()))}"
        )
    # Then nothing failed, and enough was sent to mean something
    assert not failures, "\n\n".join(failures)
    for target in fuzzed:
        assert sum(target.sent.values()) >= MIN_REQUESTS, target.seeded.backend


def test_the_leak_check_catches_a_leak(tmp_path: Path) -> None:
    with seeded_world(tmp_path, None) as seeded:
        check = no_secret_leak(seeded)
        value = seeded.secrets["credential value of admin"]
        clean = SimpleNamespace(content=b'{"ok": true}', headers={})
        assert check(None, clean, None)
        for leaky in (
            SimpleNamespace(content=f'{{"x": "{value}"}}'.encode(), headers={}),
            SimpleNamespace(content=b"{}", headers={"x-debug": seeded.secrets["JWT secret"]}),
        ):
            with pytest.raises(AssertionError, match="contains secrets"):
                check(None, leaky, None)
