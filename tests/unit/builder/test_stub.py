"""The typed constructors: ``nodes.pyi`` matches the schemas, runtime signatures list the
parameters, and ``import n8nwork`` stays free of node code until a constructor is used."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

import pytest

from n8nwork.builder import BuilderError
from n8nwork.builder import nodes as n
from n8nwork.builder._constructors import keyword_params, registered
from n8nwork.builder._stubgen import STUB, builtin_refs, generate


def test_stub_is_current() -> None:
    # A schema change must be followed by ``python -m n8nwork.builder._stubgen``.
    assert ast.dump(ast.parse(generate())) == ast.dump(ast.parse(STUB.read_text("utf-8")))


def test_stub_declares_every_builtin_constructor_with_its_keywords() -> None:
    tree = ast.parse(STUB.read_text("utf-8"))
    declared = {}
    for cls in (c for c in tree.body if isinstance(c, ast.ClassDef)):
        init = next(f for f in cls.body if isinstance(f, ast.FunctionDef))
        declared[cls.name] = [a.arg for a in init.args.kwonlyargs]
    refs = builtin_refs()
    assert set(declared) == set(refs)
    for name, ref in refs.items():
        keywords = ["version", "parameters", *keyword_params(ref.all_params())]
        assert declared[name] == keywords
        runtime = list(inspect.signature(getattr(n, name)).parameters)
        assert runtime[: len(keywords) + 1] == ["name", *keywords]


def test_constructors_exist_for_every_registered_type() -> None:
    assert {"ManualTrigger", "Set", "If", "Switch", "Merge", "SplitInBatches"} <= set(registered())
    assert n.Set.type_name == "n8n-nodes-base.set"
    assert "Set" in dir(n)
    assert "n8n-nodes-base.set" in (n.Set.__doc__ or "")
    with pytest.raises(AttributeError, match="did you mean Set"):
        _ = n.Sett  # type: ignore[attr-defined]
    assert n.create("n8n-nodes-base.noOp", "X").name == "X"
    with pytest.raises(BuilderError, match=r"unknown node type 'n8n-nodes-base\.nop'"):
        n.create("n8n-nodes-base.nop")


def test_importing_n8nwork_imports_no_node_code() -> None:
    code = (
        "import sys, n8nwork\n"
        "from n8nwork.builder import Flow, expr, node, nodes\n"
        "print(sorted(m for m in sys.modules if m == 'nodes' or m.startswith(('nodes.', 'ray'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
