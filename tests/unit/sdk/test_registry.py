"""The node registry: built-ins by module, versions, and third-party packages through the
``n8nwork.nodes`` entry-point group."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from nodes.sdk import NodeType, Registry, default_registry


def test_builtins_are_discovered_with_their_versions() -> None:
    reg = default_registry()
    assert reg.get("n8n-nodes-base.set", 3.4) is not None
    assert reg.get("n8n-nodes-base.set", 9) is None
    assert 3.3 in reg.versions_of("n8n-nodes-base.set")
    assert reg.get("acme.unknown", 1) is None
    names = reg.type_names()
    assert "n8n-nodes-base.code" in names and "n8n-nodes-base.merge" in names


def test_later_registration_wins_for_its_versions() -> None:
    class Old(NodeType):
        type_name = "acme.thing"
        versions = (1, 2)

    class New(NodeType):
        type_name = "acme.thing"
        versions = (2,)

    reg = Registry()
    reg.register(Old)
    assert isinstance(reg.get("acme.thing", 2), Old)
    reg.register(New)
    assert isinstance(reg.get("acme.thing", 2), New)
    assert isinstance(reg.get("acme.thing", 1), Old)


def test_third_party_nodes_load_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an installed package "acme_nodes" announcing a node type under n8nwork.nodes
    pkg = tmp_path / "acme_nodes"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        textwrap.dedent(
            """
            from nodes.sdk import NodeType

            class Shout(NodeType):
                type_name = "acme.shout"

                def execute(self, ctx):
                    return [[{"json": {"said": ctx.raw_param("text", "").upper()}}]]

            NODES = [Shout]
            """
        )
    )
    dist = tmp_path / "acme_nodes-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-nodes\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[n8nwork.nodes]\nacme = acme_nodes:NODES\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # When a registry loads the entry points
    reg = Registry()
    reg.load_entry_points()
    # Then the node type is there and runs
    impl = reg.get("acme.shout", 1)
    assert impl is not None and type(impl).__name__ == "Shout"
    from nodes.sdk.testing import execute_one

    out = execute_one("acme.shout", {"text": "hi"}, [[{"json": {}}]], registry=reg)
    assert out == [[{"json": {"said": "HI"}, "pairedItem": {"item": 0}}]]
    sys.modules.pop("acme_nodes", None)
