"""``k8s/rayservice.yaml``: valid for KubeRay's RayService schema (``schemas/``, on Kubernetes'
own pod and service definitions), with a head group and CPU and GPU worker groups that the
in-tree autoscaler scales, every Ray container configured from the Secret, the migrations run
before Ray starts, and one Ray version across the manifests."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import (
    K8S,
    SECRET_ENV,
    SECRET_NAME,
    Doc,
    check_python_snippet,
    containers,
    python_snippets,
    rayservice,
    rayservice_validator,
)


@pytest.fixture(scope="module")
def service() -> Doc:
    return rayservice()


def cluster(service: Doc) -> Doc:
    spec: Doc = service["spec"]["rayClusterConfig"]
    return spec


def groups(service: Doc) -> dict[str, Doc]:
    return {g["groupName"]: g for g in cluster(service)["workerGroupSpecs"]}


def templates(service: Doc) -> list[Doc]:
    """The pod templates of the head and of every worker group."""
    spec = cluster(service)
    return [spec["headGroupSpec"]["template"]] + [g["template"] for g in spec["workerGroupSpecs"]]


def schema_errors(doc: Doc) -> list[str]:
    validator = rayservice_validator()
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_matches_the_kuberay_rayservice_schema(service: Doc) -> None:
    assert schema_errors(service) == []


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for step in parents:
            target = target[int(step)] if step.isdigit() else target[step]
        target[last] = value

    return mutate


BROKEN = {
    "misspelt KubeRay field": _set("spec.rayClusterConfig.enableInTreeAutoScaling", True),
    "misspelt spec field": _set("spec.serveConfigv2", "applications: []"),
    "replicas as a string": _set("spec.rayClusterConfig.workerGroupSpecs.0.replicas", "2"),
    "rayStartParams value not a string": _set(
        "spec.rayClusterConfig.headGroupSpec.rayStartParams.num-cpus", 0
    ),
    "unknown upscaling mode": _set("spec.rayClusterConfig.autoscalerOptions.upscalingMode", "Fast"),
    "misspelt container field (Kubernetes schema)": _set(
        "spec.rayClusterConfig.headGroupSpec.template.spec.containers.0.imagePullPolicyy",
        "Always",
    ),
    "env var without a name (Kubernetes schema)": _set(
        "spec.rayClusterConfig.workerGroupSpecs.1.template.spec.containers.0.env",
        [{"value": "x"}],
    ),
    "wrong kind": _set("kind", "RayCluster"),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_schema_refuses_a_broken_rayservice(service: Doc, mutate: Callable[[Doc], None]) -> None:
    broken = copy.deepcopy(service)
    mutate(broken)
    errors = schema_errors(broken)
    assert len(errors) == 1, errors  # that change, and nothing else


def test_head_and_worker_groups_are_autoscaled(service: Doc) -> None:
    spec = cluster(service)
    assert spec["enableInTreeAutoscaling"] is True
    assert spec["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0", "the head runs no tasks"
    by_name = groups(service)
    assert set(by_name) == {"cpu", "gpu"}
    for group in by_name.values():
        assert 0 <= group["minReplicas"] <= group["replicas"] <= group["maxReplicas"]
    assert by_name["cpu"]["minReplicas"] >= 1, "the API and run hosts need a worker"
    assert by_name["gpu"]["minReplicas"] == 0 and by_name["gpu"]["maxReplicas"] >= 1


def test_gpu_group_asks_for_gpus_and_cpu_group_does_not(service: Doc) -> None:
    by_name = groups(service)
    for container in containers(by_name["gpu"]["template"]):
        for kind in ("requests", "limits"):
            assert int(container["resources"][kind]["nvidia.com/gpu"]) >= 1
    tolerated = {t["key"] for t in by_name["gpu"]["template"]["spec"]["tolerations"]}
    assert "nvidia.com/gpu" in tolerated
    for container in containers(by_name["cpu"]["template"]):
        assert "nvidia.com/gpu" not in container["resources"]["limits"]


def test_every_container_has_cpu_and_memory_requests_and_limits(service: Doc) -> None:
    for template in templates(service):
        for container in containers(template):
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), container["name"]


def env_of(container: Doc) -> dict[str, Doc]:
    return {var["name"]: var for var in container.get("env", [])}


def test_every_ray_container_is_configured_from_the_secret(service: Doc) -> None:
    checked = 0
    for template in templates(service):
        for container in containers(template):
            env = env_of(container)
            assert env["N8NWORK_ENV"] == {"name": "N8NWORK_ENV", "value": "production"}
            for name, key in SECRET_ENV.items():
                assert "value" not in env[name], f"{name} is written in the manifest"
                ref = env[name]["valueFrom"]["secretKeyRef"]
                assert ref == {"name": SECRET_NAME, "key": key}, (container["name"], name)
            checked += 1
    assert checked == 4  # head, its init container, one container per worker group


def test_head_migrates_and_creates_the_owner_before_ray_starts(service: Doc) -> None:
    head = cluster(service)["headGroupSpec"]["template"]["spec"]
    (init,) = head["initContainers"]
    command = " ".join(init["command"])
    assert re.search(r"\bn8nwork migrate\b", command)
    assert init["image"] == head["containers"][0]["image"]
    snippets = python_snippets(init["command"][-1])
    assert snippets
    for code in snippets:
        check_python_snippet(code)
    owner = env_of(init)
    for name in ("N8NWORK_OWNER_EMAIL", "N8NWORK_OWNER_PASSWORD"):
        assert owner[name]["valueFrom"]["secretKeyRef"]["name"] == SECRET_NAME


def test_serve_and_metrics_ports_match_the_configs(service: Doc) -> None:
    serve_config = yaml.safe_load(service["spec"]["serveConfigV2"])
    serve_port = serve_config["http_options"]["port"]
    spec = cluster(service)
    start_params = [spec["headGroupSpec"]["rayStartParams"]] + [
        g["rayStartParams"] for g in spec["workerGroupSpecs"]
    ]
    for template, params in zip(templates(service), start_params, strict=True):
        (ray_container,) = containers(template, init=False)
        ports = {p["name"]: p["containerPort"] for p in ray_container["ports"]}
        assert ports["serve"] == serve_port, "Serve runs a proxy on every node"
        assert str(ports["metrics"]) == params["metrics-export-port"]


def test_shared_memory_is_mounted_for_the_object_store(service: Doc) -> None:
    for template in templates(service):
        volumes = {v["name"]: v for v in template["spec"]["volumes"]}
        assert volumes["shm"]["emptyDir"]["medium"] == "Memory"
        (ray_container,) = containers(template, init=False)
        mounts = {m["mountPath"]: m["name"] for m in ray_container["volumeMounts"]}
        assert mounts["/dev/shm"] == "shm"


def test_one_ray_version_across_the_images(service: Doc) -> None:
    ray_version = cluster(service)["rayVersion"]
    dockerfile = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG RAY_VERSION={ray_version}\n" in dockerfile
    assert "FROM rayproject/ray:${RAY_VERSION}-" in dockerfile
