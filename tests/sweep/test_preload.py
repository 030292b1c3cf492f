"""A sweep's kernel template imports what the notebook imports: fresh randomness, working BLAS and
matplotlib after the fork, the kernel's own backend, and modules read afresh by the next sweep."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import nbtrack
from nbtrack.execution.forking import notebook_imports

REPO = Path(__file__).resolve().parents[2]


def test_the_preload_list_is_what_the_notebook_imports_at_top_level():
    nb = nbformat.read(REPO / "notebooks" / "train_classifier.ipynb", as_version=4)
    found = notebook_imports(c.source for c in nb.cells if c.cell_type == "code")
    assert found == [
        ("warnings", None), ("matplotlib.pyplot", None), ("numpy", None), ("pandas", None),
        ("sklearn", "datasets"), ("sklearn.ensemble", "GradientBoostingClassifier"),
        ("sklearn.ensemble", "RandomForestClassifier"), ("sklearn.exceptions", "ConvergenceWarning"),
        ("sklearn.linear_model", "LogisticRegression"), ("sklearn.metrics", "RocCurveDisplay"),
        ("sklearn.metrics", "log_loss"), ("sklearn.model_selection", "train_test_split"),
        ("sklearn.pipeline", "make_pipeline"), ("sklearn.preprocessing", "StandardScaler"),
        ("nbtrack.track.session", None), ("skops.io", None),  # what its start_run and log_model import
    ]


def test_only_plain_top_level_imports_count_and_magics_do_not_hide_them():
    cells = [
        "%matplotlib inline\nimport numpy as np, scipy.linalg\n!echo hi",
        "from . import local\nfrom os.path import *\nfrom __future__ import annotations",
        "try:\n    import pandas\nexcept ImportError:\n    pass\ndef f():\n    import json",
        "import tqdm.auto\nimport torch\nfrom IPython.display import display\nimport nbtrack",
        "this is not python",
        "import numpy",
    ]
    assert notebook_imports(cells) == [("numpy", None), ("scipy.linalg", None), ("os.path", None),
                                       ("nbtrack.track.session", None)]  # not nbtrack as written


def _values(runs, key):
    return [run.tags[key] for run in runs]


@pytest.mark.slow
def test_two_unseeded_executions_forked_from_one_preloaded_template_draw_different_numbers(notebook, store):
    nb = notebook([
        "import sys\npreloaded = 'numpy' in sys.modules",  # before the notebook's own import
        "import numpy as np\nimport random",
        ("import nbtrack\nrun = nbtrack.start_run()\n"
        "run.set_tags({'preloaded': str(preloaded), 'np': repr(np.random.rand()), 'py': repr(random.random())})\n"
        "run.finish()"),
    ], parameters="i = 0")
    runs = nbtrack.sweep(nb, {"i": [0, 1, 2]}, workers=2, store=store, timeout=120)
    assert [str(r.status) for r in runs] == ["finished"] * 3
    assert _values(runs, "preloaded") == ["True"] * 3  # numpy came from the template
    assert len(set(_values(runs, "np"))) == 3 and len(set(_values(runs, "py"))) == 3


@pytest.mark.slow
def test_numpy_linalg_sklearn_and_matplotlib_work_after_the_fork_with_the_kernels_backend(
        notebook, store, monkeypatch):
    monkeypatch.delenv("MPLBACKEND")  # the kernel sets its own: inline
    nb = notebook([
        ("import sys\npreloaded = sorted(m for m in ('numpy', 'sklearn.linear_model', 'matplotlib.pyplot') "
        "if m in sys.modules)"),
        ("import matplotlib\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
        "from sklearn.linear_model import LogisticRegression"),
        ("a = np.random.default_rng(0).normal(size=(400, 400))\n"
        "inverse_error = float(np.abs(a @ np.linalg.inv(a) - np.eye(400)).max())\n"
        "x = np.random.default_rng(1).normal(size=(500, 20))\n"
        "score = LogisticRegression().fit(x, x[:, 0] > 0).score(x, x[:, 0] > 0)"),
        "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nplt.show()",
        ("import json\nimport nbtrack\nrun = nbtrack.start_run()\n"
        "run.set_tags({'preloaded': json.dumps(preloaded), 'backend': matplotlib.get_backend()})\n"
        "run.log_metrics({'inverse_error': inverse_error, 'score': score})\nrun.finish()"),
    ], parameters="i = 0")
    runs = nbtrack.sweep(nb, {"i": [0, 1]}, workers=2, store=store, timeout=120)  # a deadlock times out
    assert [str(r.status) for r in runs] == ["finished"] * 2, [r.error for r in runs]
    for run in runs:
        assert json.loads(run.tags["preloaded"]) == ["matplotlib.pyplot", "numpy", "sklearn.linear_model"]
        assert run.tags["backend"] == "module://matplotlib_inline.backend_inline"
        assert run.metrics["inverse_error"] < 1e-6 and run.metrics["score"] > 0.9
        executed = nbformat.reads(run.artifact("notebook.ipynb").decode(), as_version=4)
        figure = next(c for c in executed.cells if c.source.startswith("fig, ax"))
        assert any("image/png" in o.get("data", {}) for o in figure.outputs)  # shown inline


@pytest.mark.slow
def test_a_module_edited_between_sweeps_is_imported_afresh(notebook, store, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "helper_mod.py").write_text("VALUE = 1\n")
    nb = notebook([
        "import sys\npreloaded = 'helper_mod' in sys.modules",
        ("import helper_mod\nimport nbtrack\nrun = nbtrack.start_run()\n"
        "run.set_tags({'preloaded': str(preloaded)})\nrun.log_metric('value', helper_mod.VALUE)\nrun.finish()"),
    ], parameters="i = 0")
    first = nbtrack.sweep(nb, {"i": [0]}, store=store, timeout=120)
    (folder / "helper_mod.py").write_text("VALUE = 2\n")
    second = nbtrack.sweep(nb, {"i": [1]}, store=store, timeout=120)
    assert _values(first, "preloaded") == _values(second, "preloaded") == ["True"]  # from the notebook's folder
    assert [r.metrics["value"] for r in first + second] == [1, 2]
