"""``k8s/`` as a whole: every YAML file parses, the built-in objects are valid for Kubernetes'
strict schemas, the kustomization deploys every file it should, the Services reach their
StatefulSets, the PodMonitor scrapes every Ray pod on ports they have, and the README creates
every Secret key the manifests read."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.manifests import (
    K8S,
    NOT_OBJECTS,
    Doc,
    containers,
    k8s_files,
    k8s_objects,
    load_docs,
    load_one,
    rayservice,
    validate_builtin,
)

BUILTIN_API_VERSIONS = frozenset({"v1", "apps/v1"})


def objects_by_kind() -> dict[str, list[Doc]]:
    found: dict[str, list[Doc]] = defaultdict(list)
    for _, doc in k8s_objects():
        found[doc["kind"]].append(doc)
    return found


def named(kind: str, name: str) -> Doc:
    (doc,) = [d for d in objects_by_kind()[kind] if d["metadata"]["name"] == name]
    return doc


def test_the_expected_files_are_there() -> None:
    names = {p.name for p in k8s_files()}
    assert {
        "rayservice.yaml",
        "serve-config.yaml",
        "postgres.yaml",
        "redis.yaml",
        "podmonitor.yaml",
        "namespace.yaml",
        "kustomization.yaml",
    } <= names
    assert (K8S / "README.md").is_file() and (K8S / "Dockerfile").is_file()


@pytest.mark.parametrize("path", k8s_files(), ids=lambda p: p.name)
def test_every_yaml_parses_into_objects(path: Path) -> None:
    docs = load_docs(path)
    assert docs, f"{path.name} is empty"
    for doc in docs:
        assert isinstance(doc, dict)
        if path.name not in NOT_OBJECTS:
            assert {"apiVersion", "kind", "metadata"} <= set(doc), path.name
            assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])


def builtin_objects() -> list[Any]:
    return [
        pytest.param(doc, id=f"{path.name}:{doc['kind']}/{doc['metadata']['name']}")
        for path, doc in k8s_objects()
        if doc["apiVersion"] in BUILTIN_API_VERSIONS
    ]


@pytest.mark.parametrize("doc", builtin_objects())
def test_builtin_objects_match_the_kubernetes_schema(doc: Doc) -> None:
    validate_builtin(doc)


def test_the_kubernetes_schema_refuses_a_misspelt_field() -> None:
    statefulset = named("StatefulSet", "n8nwork-postgres")
    broken = {**statefulset, "spec": {**statefulset["spec"], "replica": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_builtin(broken)


def test_every_object_kind_is_checked() -> None:
    kinds = {(doc["apiVersion"], doc["kind"]) for _, doc in k8s_objects()}
    checked_elsewhere = {
        ("ray.io/v1", "RayService"),  # test_rayservice.py
        ("monitoring.coreos.com/v1", "PodMonitor"),  # below
    }
    unchecked = {k for k in kinds if k[0] not in BUILTIN_API_VERSIONS} - checked_elsewhere
    assert not unchecked


def test_kustomization_deploys_every_object_but_the_podmonitor() -> None:
    kustomization = load_one(K8S / "kustomization.yaml")
    assert kustomization["namespace"] == "n8nwork"
    resources = set(kustomization["resources"])
    for resource in resources:
        assert (K8S / resource).is_file(), resource
    object_files = {path.name for path, _ in k8s_objects()}
    assert resources == object_files - {"podmonitor.yaml"}
    images = {i["name"] for i in kustomization["images"]}
    used = {c["image"].split(":")[0] for template in _ray_templates() for c in containers(template)}
    assert used == images, "kustomize maps every image the RayService uses"


@pytest.mark.parametrize("name", ["n8nwork-postgres", "n8nwork-redis"])
def test_services_reach_their_statefulsets(name: str) -> None:
    service, statefulset = named("Service", name), named("StatefulSet", name)
    assert statefulset["spec"]["serviceName"] == name
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert statefulset["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    port_names = {p["name"] for p in container["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    for var in container["env"]:
        if "PASSWORD" in var["name"]:
            assert "value" not in var and var["valueFrom"]["secretKeyRef"]["name"] == name


def _ray_templates() -> list[Doc]:
    spec = rayservice()["spec"]["rayClusterConfig"]
    return [spec["headGroupSpec"]["template"]] + [g["template"] for g in spec["workerGroupSpecs"]]


def test_podmonitor_scrapes_every_ray_pod_on_ports_they_have() -> None:
    (monitor,) = objects_by_kind()["PodMonitor"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    endpoints = {e["port"]: e for e in monitor["spec"]["podMetricsEndpoints"]}
    assert set(endpoints) >= {"metrics", "as-metrics", "dash-metrics"}
    declared: set[str] = set()
    for template in _ray_templates():
        assert selector.items() <= template["metadata"]["labels"].items()
        (ray_container,) = containers(template, init=False)
        ports = {p["name"] for p in ray_container["ports"]}
        assert "metrics" in ports, "Ray's metrics export on every pod"
        declared |= ports
    assert set(endpoints) <= declared, "an endpoint names a port no Ray pod has"
    for endpoint in endpoints.values():
        assert endpoint["path"] == "/metrics"
        assert re.fullmatch(r"\d+s", endpoint["interval"])


def secret_refs() -> set[tuple[str, str]]:
    """Every (Secret, key) the manifests read."""
    found: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("secretKeyRef")
            if isinstance(ref, dict):
                found.add((ref["name"], ref["key"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for _, doc in k8s_objects():
        walk(doc)
    return found


def test_readme_creates_every_secret_key_the_manifests_read() -> None:
    readme = (K8S / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"create secret generic (\S+)((?:[^\n]*\\\n)*[^\n]*)", readme)
    created = {
        (name, key)
        for name, rest in commands
        for key in re.findall(r"--from-literal=([a-z0-9-]+)=", rest)
    }
    refs = secret_refs()
    assert len(refs) >= 8
    assert refs <= created, f"not created by README.md: {sorted(refs - created)}"


def test_readme_urls_name_the_services() -> None:
    readme = (K8S / "README.md").read_text(encoding="utf-8")
    assert "@n8nwork-postgres:5432/n8nwork" in readme
    assert "@n8nwork-redis:6379/0" in readme
    postgres = named("StatefulSet", "n8nwork-postgres")["spec"]["template"]["spec"]
    env = {v["name"]: v.get("value") for v in postgres["containers"][0]["env"]}
    assert env["POSTGRES_DB"] == env["POSTGRES_USER"] == "n8nwork"


def kustomize(directory: Path) -> list[Doc]:
    """``kubectl kustomize DIRECTORY``: what ``kubectl apply -k`` would send."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (for its built-in kustomize) is not installed")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]


def test_kustomize_builds_everything_into_the_namespace() -> None:
    built = kustomize(K8S)
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in built)
    assert kinds == [
        "Namespace/n8nwork",
        "RayService/n8nwork",
        "Service/n8nwork-postgres",
        "Service/n8nwork-redis",
        "StatefulSet/n8nwork-postgres",
        "StatefulSet/n8nwork-redis",
    ]
    for doc in built:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "n8nwork"


def test_kustomize_points_every_ray_image_at_a_registry(tmp_path: Path) -> None:
    shutil.copytree(K8S, tmp_path / "base")
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [base]\n"
        "images:\n"
        "  - {name: n8nwork, newName: registry.test/n8nwork, newTag: '1.2'}\n"
        "  - {name: n8nwork-gpu, newName: registry.test/n8nwork-gpu, newTag: '1.2'}\n",
        encoding="utf-8",
    )
    (service,) = [d for d in kustomize(tmp_path) if d["kind"] == "RayService"]
    spec = service["spec"]["rayClusterConfig"]
    templates = [spec["headGroupSpec"]["template"]] + [
        g["template"] for g in spec["workerGroupSpecs"]
    ]
    images = sorted(c["image"] for t in templates for c in containers(t))
    assert images == [
        "registry.test/n8nwork-gpu:1.2",
        "registry.test/n8nwork:1.2",
        "registry.test/n8nwork:1.2",
        "registry.test/n8nwork:1.2",
    ]
