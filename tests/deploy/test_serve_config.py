"""The Serve config (``k8s/serve-config.yaml``, and the same document as the RayService's
``serveConfigV2``): parsed by Ray Serve's own ``ServeDeploySchema`` with no key Serve would
ignore, and every ``import_path`` importable into a Serve application whose deployments are
the ones the config sets options for, as Serve does when it deploys the config."""

from __future__ import annotations

import copy
import importlib
import warnings
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import (
    REPO,
    SERVE_CONFIG,
    Doc,
    load_one,
    rayservice,
    serve_deploy_schema,
)

CONFIGS = {
    "k8s/serve-config.yaml": lambda: load_one(SERVE_CONFIG),
    "rayservice serveConfigV2": lambda: yaml.safe_load(rayservice()["spec"]["serveConfigV2"]),
}


def serve_models() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ray.serve.config import AutoscalingConfig, HTTPOptions
        from ray.serve.schema import (
            DeploymentSchema,
            RayActorOptionsSchema,
            ServeApplicationSchema,
        )

    return {
        "deploy": serve_deploy_schema(),
        "http_options": HTTPOptions,
        "application": ServeApplicationSchema,
        "deployment": DeploymentSchema,
        "autoscaling_config": AutoscalingConfig,
        "ray_actor_options": RayActorOptionsSchema,
    }


def unknown_keys(config: Doc) -> list[str]:
    """Keys Serve's models do not have: Serve ignores them silently, so a misspelt option
    would quietly not apply."""
    models = serve_models()
    found: list[str] = []

    def check(where: str, data: Doc, model: str) -> None:
        fields = set(models[model].model_fields)
        found.extend(f"{where}.{key}" for key in data if key not in fields)

    check("", config, "deploy")
    check("http_options", config.get("http_options", {}), "http_options")
    for app in config["applications"]:
        check(app["name"], app, "application")
        for deployment in app.get("deployments", []):
            where = f"{app['name']}.{deployment['name']}"
            check(where, deployment, "deployment")
            for option in ("autoscaling_config", "ray_actor_options"):
                check(f"{where}.{option}", deployment.get(option, {}), option)
    return found


@pytest.mark.parametrize("load", CONFIGS.values(), ids=CONFIGS.keys())
def test_parsed_by_serves_config_schema(load: Any) -> None:
    config = load()
    parsed = serve_deploy_schema().model_validate(config)
    assert [app.name for app in parsed.applications] == ["n8nwork"]
    assert parsed.http_options.host == "0.0.0.0" and parsed.http_options.port == 8000
    assert unknown_keys(config) == []
    # Serve validates autoscaling options only when it deploys: do it now.
    autoscaling = serve_models()["autoscaling_config"]
    for app in config["applications"]:
        for deployment in app.get("deployments", []):
            options = autoscaling(**deployment["autoscaling_config"])
            assert 1 <= options.min_replicas <= options.max_replicas


def test_the_two_copies_are_the_same_document() -> None:
    file_config, inline_config = (load() for load in CONFIGS.values())
    assert inline_config == file_config


def test_a_misspelt_option_is_caught() -> None:
    config = copy.deepcopy(CONFIGS["k8s/serve-config.yaml"]())
    config["applications"][0]["deployments"][0]["autoscaling_config"]["min_replica"] = 1
    assert unknown_keys(config) == ["n8nwork.n8nwork-api.autoscaling_config.min_replica"]


def build_application(import_path: str, args: dict[str, Any], name: str) -> Any:
    """What Serve does with an application of the config: import ``module:attribute``, call
    it with ``args`` if it is an application builder, and build the deployment graph."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ray.serve._private.api import call_user_app_builder_with_args_if_necessary
        from ray.serve._private.build_app import build_app

    module_name, _, attribute = import_path.partition(":")
    module = importlib.import_module(module_name)
    assert hasattr(module, attribute), (
        f"{module_name} has no {attribute!r}: cluster.yaml and k8s/ deploy {import_path}, "
        "which must be a Serve application (Deployment.bind()) or an application builder"
    )
    app = call_user_app_builder_with_args_if_necessary(getattr(module, attribute), args)
    return build_app(app, name=name)


def test_every_import_path_builds_the_configured_deployments() -> None:
    config = load_one(SERVE_CONFIG)
    for app in config["applications"]:
        module_name = app["import_path"].partition(":")[0]
        module_file = REPO / (module_name.replace(".", "/") + ".py")
        if not module_file.exists():
            pytest.skip(f"{module_file.relative_to(REPO)} is not written yet (the API issue)")
        built = build_application(app["import_path"], app.get("args") or {}, app["name"])
        names = {deployment.name for deployment in built.deployments}
        configured = {deployment["name"] for deployment in app.get("deployments", [])}
        assert configured <= names, f"options for deployments the app lacks: {configured - names}"
        assert built.ingress_deployment_name in configured
