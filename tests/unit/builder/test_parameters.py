"""Node constructors check parameters and settings when a node is made: names (with a
suggestion), typeVersions, kinds, options, the node type's own checks, JSON-ness; settings
become n8n's node fields and the ``n8nwork`` extra field; expressions and short forms."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from n8nwork.builder import BuilderError, Flow, assign, cond, expr, template, where
from n8nwork.builder import nodes as n
from n8nwork.builder._settings import parse_memory
from n8nwork.workflow import Workflow
from tests.unit.builder._flows import round_trip


def problem(exc: pytest.ExceptionInfo[BuilderError]) -> str:
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def test_unknown_parameter_names_the_node_and_suggests() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Set("Totals", asignments=[])  # type: ignore[call-arg]
    text = problem(exc)
    assert text.startswith(
        "node 'Totals' (n8n-nodes-base.set v3.4): unknown parameter 'asignments'"
    )
    assert "did you mean 'assignments'?" in text


def test_unnamed_node_is_named_by_its_constructor() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Limit(maxItem=3)  # type: ignore[call-arg]
    assert problem(exc).startswith("Limit node (n8n-nodes-base.limit v1): unknown parameter")


def test_parameter_of_another_type_version() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Set(keepOnlySet=True)
    assert "parameter 'keepOnlySet' is not one of typeVersion 3.4" in problem(exc)
    assert "typeVersions 1, 2" in problem(exc)
    old = n.Set(version=2, keepOnlySet=True)
    assert old.version == 2 and old.parameters["keepOnlySet"] is True


def test_unknown_type_version() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Set(version=5)
    assert "has no typeVersion 5 (known: 1, 2, 3, 3.1, 3.2, 3.3, 3.4)" in problem(exc)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: n.Limit(maxItems="3"), "parameter 'maxItems' must be of kind number, got str"),
        (
            lambda: n.Limit(keep="middle"),  # type: ignore[arg-type]
            "parameter 'keep' is 'middle'; allowed:",
        ),
        (
            lambda: n.Set(mode="auto"),  # type: ignore[arg-type]
            "parameter 'mode' is 'auto'; allowed: ['manual', 'raw']",
        ),
        (lambda: n.Set(includeOtherFields="yes"), "'includeOtherFields' must be of kind boolean"),
        (
            lambda: n.If(conditions=[cond(expr("$json.n"), "bigger", 1)]),
            "operator.operation' is 'bigger', unknown for type number",
        ),
    ],
)
def test_wrong_kinds_and_options_fail_at_build_time(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(BuilderError) as exc:
        make()
    assert message in problem(exc)


def test_expressions_are_accepted_for_any_kind() -> None:
    node = n.Limit(maxItems=expr("$json.count"), keep=expr("$json.which"))
    assert node.parameters["maxItems"] == "={{ $json.count }}"


def test_values_must_be_json() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Set(jsonOutput={"when": object()})
    assert "parameter 'jsonOutput.when' holds a value of type object" in problem(exc)


def test_parameters_mapping_passes_unlisted_names_but_checks_kinds() -> None:
    node = n.NoOp(parameters={"fromAnotherTool": 1})
    assert node.parameters == {"fromAnotherTool": 1}
    with pytest.raises(BuilderError, match="'maxItems' must be of kind number"):
        n.Limit(parameters={"maxItems": "x"})
    with pytest.raises(BuilderError, match="parameter 'maxItems' is given twice"):
        n.Limit(maxItems=1, parameters={"maxItems": 2})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(BuilderError) as exc:
        n.Limit(maxItem=1, keeps="x", max_tries=0)  # type: ignore[call-arg]
    assert len(exc.value.problems) == 3


def test_n8n_settings_become_node_fields() -> None:
    trigger = n.ManualTrigger()
    node = n.NoOp(
        retry_on_fail=True,
        max_tries=4,
        wait_between_tries=500,
        on_error="continueRegularOutput",
        always_output_data=True,
        execute_once=True,
        disabled=True,
        notes="why",
        credentials={"httpBasicAuth": {"id": "1", "name": "Basic"}},
        position=(10, 20),
        id="node-1",
    )
    trigger >> node
    raw = round_trip(Flow("settings", trigger))["nodes"][1]
    assert raw == {
        "id": "node-1",
        "name": "No Operation, do nothing",
        "type": "n8n-nodes-base.noOp",
        "typeVersion": 1,
        "parameters": {},
        "position": [10, 20],
        "credentials": {"httpBasicAuth": {"id": "1", "name": "Basic"}},
        "disabled": True,
        "retryOnFail": True,
        "maxTries": 4,
        "waitBetweenTries": 500,
        "onError": "continueRegularOutput",
        "alwaysOutputData": True,
        "executeOnce": True,
        "notes": "why",
    }
    model = Workflow.from_json(round_trip(Flow("settings", trigger))).node(raw["name"])
    assert model.max_tries == 4 and model.error_mode == "continueRegularOutput"


def test_max_tries_turns_retries_on() -> None:
    raw = n.NoOp(max_tries=3).to_json("X", id="1", position=(0, 0))
    assert raw["retryOnFail"] is True and raw["maxTries"] == 3


def test_placement_and_resources_go_to_the_n8nwork_field() -> None:
    trigger = n.ManualTrigger()
    trigger >> n.HttpRequest(
        url="http://127.0.0.1:1/x",
        placement="task",
        num_cpus=2,
        num_gpus=0.5,
        memory="512MiB",
        timeout=30,
        max_retries=1,
    )
    document = round_trip(Flow("resources", trigger))
    assert document["nodes"][1]["n8nwork"] == {
        "placement": "task",
        "numCpus": 2.0,
        "numGpus": 0.5,
        "memory": 512 * 2**20,
        "timeout": 30.0,
        "maxRetries": 1,
    }
    assert "n8nwork" not in document["nodes"][0]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"on_error": "ignore"}, "'on_error' must be one of stopWorkflow"),
        ({"placement": "gpu"}, "'placement' must be 'inline' (in the run host) or 'task'"),
        ({"num_cpus": -1}, "'num_cpus' must be a number >= 0"),
        ({"timeout": 0}, "'timeout' must be a number > 0"),
        ({"memory": "lots"}, "'memory' must be bytes (an int) or a size"),
        ({"max_tries": 2.5}, "'max_tries' must be a whole number >= 1"),
        ({"retry_on_fail": "yes"}, "'retry_on_fail' must be True or False"),
        ({"position": (1,)}, "'position' must be (x, y)"),
        ({"credentials": {"x": 1}}, "'credentials' must be {credential type:"),
    ],
)
def test_bad_settings_fail(setting: dict[str, object], message: str) -> None:
    with pytest.raises(BuilderError) as exc:
        n.NoOp(**setting)  # type: ignore[arg-type]
    assert problem(exc).startswith("NoOp node (n8n-nodes-base.noOp v1): setting ")
    assert message in problem(exc)


@pytest.mark.parametrize(
    ("text", "size"),
    [(1024, 1024), ("2GB", 2 * 10**9), ("1.5 GiB", 3 * 2**29), ("512Mi", 512 * 2**20), ("0", None)],
)
def test_memory_sizes(text: object, size: int | None) -> None:
    assert parse_memory(text) == size


def test_expr_and_template() -> None:
    assert expr("$json.x * 2") == "={{ $json.x * 2 }}"
    assert expr("={{ $json.x }}") == "={{ $json.x }}"
    assert expr("{{ $json.x }}") == "={{ $json.x }}"
    assert template("Hi {{ $json.name }}") == "=Hi {{ $json.name }}"
    assert repr(expr("1")) == "expr('={{ 1 }}')"
    with pytest.raises(ValueError, match="empty"):
        expr("  ")


def test_assignments_short_forms() -> None:
    from_list = n.Set(assignments=[assign("a", 1), assign("b", expr("$json.x"), "number")])
    from_dict = n.Set(assignments={"a": 1, "b": "text", "c": True, "d": [1], "e": {"k": 1}})
    entries = from_list.parameters["assignments"]["assignments"]
    assert [(e["name"], e["type"]) for e in entries] == [("a", "number"), ("b", "number")]
    assert all(e["id"] for e in entries)
    kinds = [e["type"] for e in from_dict.parameters["assignments"]["assignments"]]
    assert kinds == ["number", "string", "boolean", "array", "object"]
    full = {"assignments": [{"id": "x", "name": "a", "value": 1, "type": "number"}]}
    assert n.Set(assignments=full).parameters["assignments"] == full


def test_filter_short_forms_and_version() -> None:
    one = cond(expr("$json.ok"), "true")
    assert one["operator"] == {"type": "boolean", "operation": "true", "singleValue": True}
    filt = n.If(conditions=one).parameters["conditions"]
    assert filt["combinator"] == "and" and len(filt["conditions"]) == 1
    assert filt["options"]["version"] == 2  # what n8n's editor writes for If 2.2
    assert n.If(version=2, conditions=[one]).parameters["conditions"]["options"]["version"] == 1
    loose = where(one, cond(expr("$json.n"), "==", 3), combinator="or", loose=True)
    assert loose["options"]["typeValidation"] == "loose"
    assert loose["conditions"][1]["operator"] == {"type": "number", "operation": "equals"}
