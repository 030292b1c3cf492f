"""One way to launch an execution: execute(), sweep() and the server check a request alike."""

from __future__ import annotations

import pytest

import nbtrack
from nbtrack.errors import ParameterError
from nbtrack.execution.launch import ExecutionRequest
from nbtrack.server.executions import Executions


@pytest.mark.parametrize(("params", "problem"), [
    ({"gamma": 1}, "declares no parameter 'gamma'"),
    ({"alpha": "a lot"}, "is a number"),
    ({"x = 0\nimport os\ny": 1}, "declares no parameter 'x = 0\\nimport os\\ny'"),
])
def test_a_bad_parameter_is_refused_alike_by_execute_sweep_and_the_server(notebook, store, params, problem):
    path = notebook(["x = 1"], parameters="alpha = 0.1\nbeta = 2")
    launches = {
        "execute": lambda: nbtrack.execute(path, params, store=store),
        "sweep": lambda: nbtrack.sweep(path, {name: [value] for name, value in params.items()}, store=store),
        "server": lambda: Executions(str(path.parent)).launch(path, path.name, params, store.uri),
    }
    refusals = {}
    for caller, launch in launches.items():
        with pytest.raises(ParameterError) as refused:
            launch()
        refusals[caller] = str(refused.value).replace(str(path), path.name)  # the server names it relatively
    assert problem in refusals["execute"]
    assert refusals["sweep"] == refusals["server"] == refusals["execute"]
    assert store.count() == 0


def test_a_request_crosses_to_the_launcher_process_unchanged(tmp_path):
    request = ExecutionRequest(notebook=str(tmp_path / "nb.ipynb"), params={"C": 0.5, "model": "rf"},
                               store=str(tmp_path / "store"), tags={"launched_from": "jupyterlab"}, timeout=30.0)
    assert ExecutionRequest.from_json(request.to_json()) == request
    assert request.folder == str(tmp_path)
    assert request.run_id != ExecutionRequest(notebook=request.notebook, params={}, store=request.store).run_id
