"""Canvas layout: columns by depth left to right, branches in output order, loops ignored."""

from __future__ import annotations

from n8nwork.builder._layout import DX, DY, X0, Y0, layout


def test_chain_is_one_row() -> None:
    positions = layout(["a", "b", "c"], [("a", 0, "b"), ("b", 0, "c")])
    assert positions == {"a": (X0, Y0), "b": (X0 + DX, Y0), "c": (X0 + 2 * DX, Y0)}


def test_branches_are_centred_in_output_order() -> None:
    positions = layout(["if", "no", "yes"], [("if", 1, "no"), ("if", 0, "yes")])
    assert positions["yes"] == (X0 + DX, Y0 - DY // 2)
    assert positions["no"] == (X0 + DX, Y0 + DY // 2)


def test_a_node_sits_after_its_deepest_parent() -> None:
    edges = [("t", 0, "a"), ("a", 0, "b"), ("t", 0, "m"), ("b", 0, "m")]
    positions = layout(["t", "a", "b", "m"], edges)
    assert positions["m"][0] == X0 + 3 * DX


def test_loops_do_not_push_nodes_right() -> None:
    edges = [("t", 0, "loop"), ("loop", 1, "work"), ("work", 0, "loop"), ("loop", 0, "done")]
    positions = layout(["t", "loop", "work", "done"], edges)
    assert positions["loop"][0] == X0 + DX
    assert positions["work"][0] == positions["done"][0] == X0 + 2 * DX


def test_unconnected_nodes_start_columns() -> None:
    positions = layout(["a", "note"], [])
    assert positions["a"][0] == positions["note"][0] == X0
    assert positions["a"][1] != positions["note"][1]
