"""Notebook rendering: workflows and executions as HTML (every value escaped), outputs as
pandas DataFrames, and the progress display of waits (off unless someone watches)."""

from __future__ import annotations

import io
import sys
from typing import Any

import pandas
import pytest

from n8nwork.client import _progress
from n8nwork.client._frames import to_frame
from n8nwork.client._progress import NoProgress, NotebookProgress, RichProgress, make_progress
from n8nwork.client.models import ExecutionSummary
from tests.unit.client.conftest import ClientWorld
from tests.unit.client.test_client_sync import failing_doc, unique
from tests.unit.serve.conftest import workflow_doc

EVIL = "<script>alert(1)</script>"


def evil_doc() -> dict[str, Any]:
    """A failing workflow whose node name and error message are HTML."""
    doc = failing_doc(unique("Evil"), message='<img src=x onerror="alert(2)">')
    doc["nodes"][1]["name"] = EVIL
    doc["connections"] = {
        "Start": {"main": [[{"node": EVIL, "type": "main", "index": 0}]]},
        EVIL: {"main": [[{"node": "Fail", "type": "main", "index": 0}]]},
    }
    return doc


def test_execution_html_shows_nodes_status_items_durations_and_errors(
    world: ClientWorld,
) -> None:
    with world.sync("owner") as c:
        done = c.run(workflow_doc(unique("Shown")), items=[{"n": 1}, {"n": 2}])
        html = done._repr_html_()
        assert f"execution {done.id}" in html and "success" in html
        for node in ("Start", "A", "B"):
            assert f">{node}</td>" in html
        assert ">2</td>" in html  # two items per node
        assert " ms</td>" in html
        failed = c.run(evil_doc(), items=[{"n": 1}])
    html = failed._repr_html_()
    assert failed.status == "error" and "error" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html


def test_execution_without_data_still_renders(world: ClientWorld) -> None:
    with world.sync("owner") as c:
        done = c.run(workflow_doc(unique("Brief")))
        brief = c.executions.get(done.id, include_data=False)
    assert "fetched without data" in brief._repr_html_()


def test_workflow_html_escapes_and_lists_nodes(world: ClientWorld) -> None:
    with world.sync("owner") as c:
        workflow = c.workflows.create(evil_doc())
    html = workflow._repr_html_()
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "n8n-nodes-base.stopAndError" in html and "inactive" in html
    assert ">Fail</td>" in html  # the evil node connects to Fail


def test_outputs_as_dataframes(world: ClientWorld) -> None:
    with world.sync("owner") as c:
        done = c.run(workflow_doc(unique("Frames")), items=[{"n": 1}, {"n": 2}])
    frame = done.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["n", "a", "b"] and frame["n"].tolist() == [1, 2]
    assert done.to_pandas("A")["a"].tolist() == ["1", "2"]
    assert to_frame([]).empty


def test_to_pandas_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"n8nwork\[pandas\]"):
        to_frame([{"a": 1}])


def test_progress_is_off_unless_someone_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_progress(False), NoProgress)
    assert isinstance(make_progress(True), RichProgress)
    monkeypatch.setattr(_progress, "interactive", lambda: False)
    assert isinstance(make_progress(None), NoProgress)
    monkeypatch.setattr(_progress, "interactive", lambda: True)
    assert isinstance(make_progress(None), RichProgress)


def running(last_node: str) -> ExecutionSummary:
    return ExecutionSummary.model_validate(
        {
            "id": 7,
            "workflowId": "w",
            "mode": "manual",
            "status": "running",
            "finished": False,
            "createdAt": "2026-01-01T00:00:00Z",
            "lastNode": last_node,
        }
    )


def test_rich_progress_shows_the_execution_then_goes() -> None:
    shown = RichProgress(file=io.StringIO())
    shown.start("starting")
    shown.update(running("[bold]Fetch"))
    shown.close()
    shown.close()  # twice is fine


def test_notebook_progress_updates_one_escaped_line_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    display = pytest.importorskip("IPython.display")
    lines: list[str] = []

    class Handle:
        def update(self, obj: Any) -> None:
            lines.append(obj.data)

    def fake_display(obj: Any, display_id: bool = False) -> Handle:
        assert display_id
        lines.append(obj.data)
        return Handle()

    monkeypatch.setattr(display, "display", fake_display)
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    shown = make_progress(None)
    assert isinstance(shown, NotebookProgress)
    shown.start("starting")
    shown.update(running("<b>Fetch</b>"))
    shown.close()
    assert "starting" in lines[0] and "execution 7 · running" in lines[1]
    assert "&lt;b&gt;Fetch&lt;/b&gt;" in lines[1] and "<b>" not in lines[1]
    assert lines[-1] == ""


def test_waits_show_progress_when_asked(
    world: ClientWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    class Recording(NoProgress):
        def start(self, description: str) -> None:
            seen.append(description)

        def update(self, execution: ExecutionSummary) -> None:
            seen.append(execution.status)

    monkeypatch.setattr(_progress, "RichProgress", Recording)
    with world.sync("owner") as c:
        wid = c.workflows.create(workflow_doc(unique("Progress"))).id
        c.run(wid, progress=False)
        assert seen == []
        c.run(wid, progress=True)
        assert seen[:2] == ["starting the run", "running"]
        started = c.run(wid, wait=False, progress=True)
        assert len(seen) == 2  # no display without a wait
        c.executions.wait(started.id, progress=True)
        assert seen[-1] == "success"
