"""nbtrack.execute is the function, whatever was imported before it."""

from __future__ import annotations

import subprocess
import sys


def test_execute_stays_the_function_after_the_engine_module_is_imported():
    code = ("import nbtrack.execution.engine, nbtrack.execution.sweep, nbtrack\n"
            "import inspect; assert inspect.isfunction(nbtrack.execute), nbtrack.execute\n"
            "assert inspect.isfunction(nbtrack.sweep), nbtrack.sweep")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
