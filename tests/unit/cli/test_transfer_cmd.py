"""``import`` / ``export``: n8n JSON files and folders, all-or-nothing reading, one file per
workflow, and a round trip that is byte-stable for n8n's fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from n8nwork.cli._files import SERVER_FIELDS
from tests.unit.cli.conftest import Server
from tests.unit.cli.test_workflows_cmd import cli
from tests.unit.serve.conftest import workflow_doc


def n8n_export(name: str) -> dict[str, Any]:
    """What n8n's own export looks like: its fields plus id, active, tags, versionId..."""
    doc = workflow_doc(name)
    doc["nodes"][1]["notes"] = 'ünïcødé and "quotes"'
    return {
        "id": "n8nOriginalId01",
        "name": doc["name"],
        "active": False,
        "nodes": doc["nodes"],
        "connections": doc["connections"],
        "settings": doc["settings"],
        "pinData": {"B": [{"json": {"pinned": True}}]},
        "staticData": None,
        "meta": {"instanceId": "abc"},
        "tags": [{"name": "imported"}],
        "versionId": "7b2d1c3e-0000-4000-8000-000000000000",
        "triggerCount": 0,
    }


def count_workflows(server: Server) -> int:
    return len(json.loads(cli(server, "workflows", "ls", "--limit", "0", "--json").stdout))


def test_round_trip_is_byte_stable(server: Server, tmp_path: Path) -> None:
    source = tmp_path / "from-n8n.json"
    original = n8n_export("Round trip")
    source.write_text(json.dumps(original, indent=4))
    imported = cli(server, "--json", "import", str(source))
    assert imported.exit_code == 0, imported.output
    [first] = json.loads(imported.stdout)
    assert first["file"] == str(source) and first["id"] != original["id"]

    out1 = tmp_path / "out1"
    assert cli(server, "export", first["id"], "-o", str(out1)).exit_code == 0
    file1 = out1 / f"{first['id']}.json"
    exported = json.loads(file1.read_text(encoding="utf-8"))
    for key in ("name", "nodes", "connections", "settings", "pinData", "meta"):
        assert exported[key] == original[key], key
    assert "tags" not in exported and "triggerCount" not in exported

    # import the exported folder, export again: the same bytes but for the server's fields
    again = cli(server, "--json", "import", str(out1))
    [second] = json.loads(again.stdout)
    out2 = tmp_path / "out2"
    assert cli(server, "export", second["id"], "-o", str(out2)).exit_code == 0
    file2 = out2 / f"{second['id']}.json"
    text1, text2 = file1.read_text(encoding="utf-8"), file2.read_text(encoding="utf-8")
    assert text2 == text1.replace(first["id"], second["id"])
    assert text1.endswith("}\n") and "ünïcødé" in text1  # UTF-8, not \u escapes
    assert set(exported) - set(original) <= set(SERVER_FIELDS)

    # one workflow to stdout, or to a named .json file: the same bytes
    stdout = cli(server, "export", first["id"])
    assert stdout.exit_code == 0 and stdout.stdout == text1
    named = tmp_path / "named.json"
    assert cli(server, "export", first["id"], "-o", str(named)).exit_code == 0
    assert named.read_text(encoding="utf-8") == text1


def test_a_list_file_and_export_all(server: Server, tmp_path: Path) -> None:
    many = tmp_path / "many.json"
    many.write_text(json.dumps([n8n_export("List one"), n8n_export("List two")]))
    result = cli(server, "import", str(many))
    assert result.exit_code == 0, result.output
    assert f"{many}[1] -> " in result.stdout and "2 workflow(s) imported" in result.stdout
    out = tmp_path / "all"
    exported = cli(server, "export", "--all", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    files = sorted(out.glob("*.json"))
    assert len(files) == count_workflows(server)
    names = {json.loads(f.read_text())["name"] for f in files}
    assert {"List one", "List two"} <= names


def test_bad_input_imports_nothing_exit_2(server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.json").write_text(json.dumps(n8n_export("Good")))
    (folder / "b-broken.json").write_text("{not json")
    before = count_workflows(server)
    result = cli(server, "import", str(folder))
    assert result.exit_code == 2
    assert "b-broken.json: not valid JSON" in result.stderr
    assert count_workflows(server) == before
    cases = {
        "notwf.json": json.dumps({"hello": 1}),
        "empty-list.json": "[]",
        "scalar.json": "[1]",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        bad = cli(server, "import", str(path))
        assert bad.exit_code == 2 and bad.stderr.startswith(f"error: {path}"), (name, bad.stderr)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(server, "import", str(empty)).exit_code == 2
    assert cli(server, "import", str(tmp_path / "missing.json")).exit_code == 2
    # a workflow the server refuses (unknown node type) names the file, exit 2
    invalid = tmp_path / "invalid.json"
    doc = n8n_export("Invalid")
    doc["nodes"][1]["type"] = "acme.unknownNode"
    invalid.write_text(json.dumps(doc))
    refused = cli(server, "import", str(invalid))
    assert refused.exit_code == 2 and refused.stderr.startswith(f"error: {invalid}: ")
    assert count_workflows(server) == before


def test_export_usage_errors(server: Server, tmp_path: Path) -> None:
    assert cli(server, "export").exit_code == 2
    assert cli(server, "export", "a", "b").exit_code == 2  # several: a folder is needed
    assert cli(server, "export", "a", "--all", "-o", str(tmp_path)).exit_code == 2
    assert cli(server, "export", "a", "b", "-o", str(tmp_path / "x.json")).exit_code == 2
    missing = cli(server, "export", "no-such-id", "-o", str(tmp_path / "o"))
    assert missing.exit_code == 2 and not (tmp_path / "o").exists()


def test_a_workflow_the_server_refuses_imports_none_of_the_folder(
    server: Server, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.json").write_text(json.dumps(n8n_export("Good one")))
    broken = n8n_export("Unknown node")
    broken["nodes"][1]["type"] = "n8n-nodes-base.noSuchNode"
    (folder / "b-broken.json").write_text(json.dumps(broken))
    before = count_workflows(server)
    result = cli(server, "import", str(folder))
    assert result.exit_code == 2, result.output
    assert "b-broken.json" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert count_workflows(server) == before  # all or none: the good one is not imported
