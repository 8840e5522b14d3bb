"""What the deployment tests share: where ``cluster.yaml`` and ``k8s/`` are, how they are
loaded, and the validators they are checked with (Ray's cluster config schema, the RayService
schema in ``schemas/`` on Kubernetes' own definitions, Kubernetes' strict schemas for the
built-in kinds, Ray Serve's config schema). Everything is offline."""

from __future__ import annotations

import ast
import copy
import importlib
import json
import shlex
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
CLUSTER_YAML = REPO / "cluster.yaml"
K8S = REPO / "k8s"
SERVE_CONFIG = K8S / "serve-config.yaml"
RAYSERVICE = K8S / "rayservice.yaml"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

K8S_VERSION = "1.33"
"""The Kubernetes API the manifests are checked against (kubernetes-validate's schemas)."""

SECRET_ENV = {
    "N8NWORK_DATABASE__URL": "database-url",
    "N8NWORK_REDIS__URL": "redis-url",
    "N8NWORK_ENCRYPTION__KEYS": "encryption-keys",
    "N8NWORK_AUTH__JWT_SECRET": "jwt-secret",
}
"""Settings that are secrets, and their key in the Secret ``n8nwork-secrets``."""
SECRET_NAME = "n8nwork-secrets"

Doc = dict[str, Any]


def k8s_files() -> list[Path]:
    return sorted(K8S.glob("*.yaml"))


def load_docs(path: Path) -> list[Doc]:
    """The documents of a YAML file (empty documents dropped)."""
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def load_one(path: Path) -> Doc:
    docs = load_docs(path)
    assert len(docs) == 1, f"{path.name}: expected one document, found {len(docs)}"
    return docs[0]


NOT_OBJECTS = frozenset({"kustomization.yaml", "serve-config.yaml"})
"""YAML files of ``k8s/`` that are no Kubernetes object (kustomize's and Ray Serve's)."""


def k8s_objects() -> Iterator[tuple[Path, Doc]]:
    """Every Kubernetes object in ``k8s/``."""
    for path in k8s_files():
        if path.name not in NOT_OBJECTS:
            for doc in load_docs(path):
                yield path, doc


def rayservice() -> Doc:
    return load_one(RAYSERVICE)


# --- Ray's cluster launcher ----------------------------------------------------------------


def ray_cluster_schema() -> dict[str, Any]:
    """``ray/autoscaler/ray-schema.json`` of the installed Ray."""
    import ray.autoscaler

    schema_path = Path(ray.autoscaler.__file__).parent / "ray-schema.json"
    schema: dict[str, Any] = json.loads(schema_path.read_text(encoding="utf-8"))
    return schema


def prepare_and_validate(config: Doc) -> Doc:
    """What ``ray up`` does with the config before it talks to the cloud: merge the provider's
    defaults (``prepare_config``) and validate the result (``validate_config``)."""
    from ray.autoscaler._private.util import prepare_config, validate_config

    prepared: Doc = prepare_config(copy.deepcopy(config))
    validate_config(prepared)
    return prepared


# --- Kubernetes ----------------------------------------------------------------------------


@cache
def _k8s_definitions() -> dict[str, Any]:
    """Kubernetes' strict definitions (``_definitions.json``) from kubernetes-validate."""
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    path = base / f"v{K8S_VERSION}.0-local-strict" / "_definitions.json"
    definitions: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return definitions


def rayservice_validator() -> jsonschema.protocols.Validator:
    """A validator of ``schemas/rayservice-v1.schema.yaml`` whose references to Kubernetes
    types resolve to Kubernetes' strict definitions."""
    schema = yaml.safe_load((SCHEMAS / "rayservice-v1.schema.yaml").read_text(encoding="utf-8"))
    definitions = _k8s_definitions()
    registry: Registry = Registry().with_resource(
        definitions["$id"], Resource.from_contents(definitions)
    )
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry)


def validate_builtin(doc: Doc) -> None:
    """Check a built-in object against Kubernetes' strict schema (unknown fields refused)."""
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


# --- Ray Serve -----------------------------------------------------------------------------


def serve_deploy_schema() -> Any:
    """Ray Serve's ``ServeDeploySchema`` (imported without the deprecation warnings that
    Ray's own pydantic models raise at import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ray.serve.schema import ServeDeploySchema

    return ServeDeploySchema


def containers(template: Doc, *, init: bool = True) -> list[Doc]:
    """The containers (and init containers) of a pod template."""
    spec = template["spec"]
    found: list[Doc] = list(spec.get("containers", []))
    if init:
        found += spec.get("initContainers", [])
    return found


# --- Commands ------------------------------------------------------------------------------


def python_snippets(command: str) -> list[str]:
    """The code of every ``python -c CODE`` in a shell command."""
    tokens = shlex.split(command)
    return [
        tokens[i + 1]
        for i in range(1, len(tokens) - 1)
        if tokens[i] == "-c" and tokens[i - 1] in ("python", "python3")
    ]


def check_python_snippet(code: str) -> None:
    """``code`` compiles and every name it imports ``from`` a module exists there."""
    tree = ast.parse(code)
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert imports, f"no import in {code!r}"
    for node in imports:
        assert node.module is not None
        module = importlib.import_module(node.module)
        missing = [alias.name for alias in node.names if not hasattr(module, alias.name)]
        assert not missing, f"{node.module} has no {', '.join(missing)} (used by {code!r})"
