"""``cluster.yaml`` (Ray cluster launcher): valid for Ray's own cluster config schema and for
what ``ray up`` checks before it calls the cloud, with a head node, a CPU and a GPU worker
type within autoscaling bounds, n8nwork installed from this checkout, and head start commands
that start Ray with the settings, migrate, and deploy the Serve app."""

from __future__ import annotations

import copy
import re
import subprocess
from typing import Any

import jsonschema
import pytest

from tests.deploy.manifests import (
    CLUSTER_YAML,
    REPO,
    SERVE_CONFIG,
    check_python_snippet,
    load_one,
    prepare_and_validate,
    python_snippets,
    ray_cluster_schema,
    rayservice,
)

ENV_FILE_LOAD = "set -a && . ~/n8nwork.env && set +a"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_one(CLUSTER_YAML)


def schema_errors(config: dict[str, Any]) -> list[str]:
    schema = ray_cluster_schema()
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(config)]


def test_schema_is_a_valid_draft7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(ray_cluster_schema())


def test_matches_rays_cluster_config_schema(config: dict[str, Any]) -> None:
    assert schema_errors(config) == []


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ((), "max_worker", 3),  # misspelt top-level field
        (("available_node_types", "cpu_worker"), "min_worker", 1),  # misspelt node type field
        (("available_node_types", "gpu_worker", "resources"), "GPU", 0.5),  # not an integer
        (("docker",), "imag", "rayproject/ray"),  # misspelt docker field
    ],
)
def test_schema_refuses_a_broken_config(
    config: dict[str, Any], where: tuple[str, ...], key: str, value: Any
) -> None:
    broken = copy.deepcopy(config)
    target = broken
    for step in where:
        target = target[step]
    target[key] = value
    assert schema_errors(broken), f"{'.'.join((*where, key))}={value!r} was accepted"


def test_ray_up_prepares_and_validates_it_offline(config: dict[str, Any]) -> None:
    prepared = prepare_and_validate(config)
    assert prepared["provider"]["type"] == "aws"
    assert prepared["available_node_types"]["head"]["max_workers"] == 0
    # prepare_config puts setup_commands before each node's own setup commands.
    assert (
        prepared["head_setup_commands"][: len(config["setup_commands"])]
        == (config["setup_commands"])
    )


def test_node_types_and_autoscaling_bounds(config: dict[str, Any]) -> None:
    types = config["available_node_types"]
    assert config["head_node_type"] == "head"
    assert set(types) == {"head", "cpu_worker", "gpu_worker"}
    assert types["head"]["resources"] == {"CPU": 0}, "the head runs no tasks"

    cpu, gpu = types["cpu_worker"], types["gpu_worker"]
    assert cpu["resources"]["CPU"] > 0 and "GPU" not in cpu["resources"]
    assert gpu["resources"]["GPU"] >= 1
    assert gpu["docker"]["worker_image"].endswith("-gpu"), "the GPU type needs the CUDA image"
    for name in ("cpu_worker", "gpu_worker"):
        bounds = types[name]
        assert 0 <= bounds["min_workers"] <= bounds["max_workers"] <= config["max_workers"]
    assert cpu["min_workers"] >= 1, "the API and run hosts need a worker from the start"
    assert gpu["min_workers"] == 0, "GPU workers only while a task asks for one"
    assert sum(t.get("min_workers", 0) for t in types.values()) <= config["max_workers"]


def test_setup_installs_n8nwork_from_this_checkout(config: dict[str, Any]) -> None:
    mounts = config["file_mounts"]
    checkout = [remote for remote, local in mounts.items() if local == "."]
    assert checkout == ["~/n8nwork"], "the repository root is mounted on every node"
    assert (REPO / "pyproject.toml").read_text(encoding="utf-8").count('name = "n8nwork"') == 1
    installs = [c for c in config["setup_commands"] if "pip install" in c]
    assert any(re.search(r"\s~/n8nwork(\s|$)", c) for c in installs), installs
    assert ".git" in config["rsync_exclude"]


def test_head_start_commands_start_ray_migrate_and_deploy(config: dict[str, Any]) -> None:
    commands: list[str] = config["head_start_ray_commands"]
    assert commands[0] == "ray stop"
    starts = [i for i, c in enumerate(commands) if "ray start --head" in c]
    migrates = [i for i, c in enumerate(commands) if "n8nwork migrate" in c]
    deploys = [i for i, c in enumerate(commands) if "serve deploy" in c]
    assert len(starts) == len(migrates) == len(deploys) == 1
    assert starts[0] < migrates[0] < deploys[0]

    start = commands[starts[0]]
    assert "--autoscaling-config=~/ray_bootstrap_config.yaml" in start
    assert "--metrics-export-port=8080" in start
    # Ray's processes (Serve replicas, run hosts) inherit the environment of `ray start`: the
    # settings are loaded first, and Ray does not start without PostgreSQL and Redis URLs.
    assert start.startswith(ENV_FILE_LOAD)
    for name in ("N8NWORK_DATABASE__URL", "N8NWORK_REDIS__URL"):
        assert f'"${{{name}:?' in start, f"{name} is not required by the head start"
    assert commands[migrates[0]].startswith(ENV_FILE_LOAD)


def test_serve_deploy_applies_the_shared_serve_config(config: dict[str, Any]) -> None:
    (deploy,) = [c for c in config["head_start_ray_commands"] if "serve deploy" in c]
    path = deploy.split("serve deploy", 1)[1].split()[0]
    assert path.startswith("~/n8nwork/"), "the config comes from the mounted checkout"
    assert REPO / path.removeprefix("~/n8nwork/") == SERVE_CONFIG


def test_settings_file_is_mounted_from_outside_the_checkout(config: dict[str, Any]) -> None:
    local = config["file_mounts"]["~/n8nwork.env"]
    assert local.startswith("~/"), "secrets stay out of the repository"
    worker_start = config["worker_start_ray_commands"]
    assert worker_start[0] == "ray stop"
    (join,) = [c for c in worker_start if "ray start" in c]
    assert join.startswith(ENV_FILE_LOAD) and "--address=$RAY_HEAD_IP:6379" in join


def test_owner_bootstrap_uses_existing_functions(config: dict[str, Any]) -> None:
    snippets = [s for c in config["head_start_ray_commands"] for s in python_snippets(c)]
    assert snippets, "the head creates the owner account"
    for code in snippets:
        check_python_snippet(code)


def test_every_command_is_valid_shell(config: dict[str, Any]) -> None:
    keys = ("setup_commands", "head_setup_commands", "head_start_ray_commands")
    commands = [c for key in (*keys, "worker_start_ray_commands") for c in config[key]]
    for command in commands:
        result = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
        assert result.returncode == 0, f"{command!r}: {result.stderr}"


def test_images_are_the_ray_version_of_the_rayservice(config: dict[str, Any]) -> None:
    ray_version = rayservice()["spec"]["rayClusterConfig"]["rayVersion"]
    gpu_docker = config["available_node_types"]["gpu_worker"]["docker"]
    assert config["docker"]["image"] == f"rayproject/ray:{ray_version}-py311"
    assert gpu_docker["worker_image"] == f"rayproject/ray:{ray_version}-py311-gpu"
