"""The process a server-launched execution runs in: papermill with the nbtrack engine.

A separate process keeps kernels, notebook code and papermill's event loop out of the
Jupyter server. The server has already checked the notebook and every parameter name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from nbtrack.execution.headless import ENGINE_NAME


def main() -> int:
    spec = json.loads(sys.stdin.read())
    notebook = Path(spec["notebook"])
    try:
        papermill.execute_notebook(
            str(notebook), None,
            parameters=spec["params"],
            engine_name=ENGINE_NAME,
            progress_bar=False,
            cwd=str(notebook.parent),
            nbtrack_run_id=spec["run_id"],
            nbtrack_store=spec["store"],
            nbtrack_tags={"launched_from": "jupyterlab"},
        )
    except (PapermillExecutionError, CellTimeoutError, DeadKernelError):
        return 1  # the engine has recorded how the run ended
    return 0


if __name__ == "__main__":
    sys.exit(main())
