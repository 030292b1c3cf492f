"""The layers of docs/architecture.md hold: import-linter's contracts, and no upward reach by name."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nbtrack"
LINT = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run([str(LINT), "--no-cache"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)


def test_every_import_points_down_a_layer():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for contract in ("Layers point down only", "Only the store speaks SQL", "The store's modules form no cycle"):
        assert f"{contract} KEPT" in done.stdout


def test_every_module_of_the_package_sits_in_a_layer():
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    placed = {name.strip() for line in layers for name in line.split("|")}
    modules = {f"nbtrack.{p.stem}" for p in SRC.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem not in {"__init__", "__main__"}}
    assert modules - placed == set(), "add these to the layers in pyproject.toml and docs/architecture.md"


def test_a_wrong_way_import_inside_a_function_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("labextension", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    data = tmp_path / "src" / "nbtrack" / "capture" / "data.py"
    data.write_text(data.read_text() + "\n\ndef _upward():\n    from nbtrack.track import run  # noqa: F401\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1
    assert "nbtrack.capture is not allowed to import nbtrack.track" in done.stdout
    assert "nbtrack.capture.data -> nbtrack.track.run" in done.stdout


def layer_of() -> dict[str, int]:
    """Each top-level module's layer, 0 at the top (pyproject.toml's layers contract)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    return {name.strip(): depth for depth, line in enumerate(layers) for name in line.split("|")}


def test_no_module_reaches_up_by_name():
    """import-linter cannot see importlib: a module that imports by name names only its own package or below."""
    depth = layer_of()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        dynamic = any(isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            or (isinstance(node.func, ast.Name) and node.func.id in {"__import__", "import_module", "lazy_names"}))
            for node in ast.walk(tree))
        if not dynamic or path == SRC / "__init__.py":  # the root sits above every layer
            continue
        package = ".".join(("nbtrack", *path.parent.relative_to(SRC).parts))
        own = depth["nbtrack." + path.relative_to(SRC).parts[0].removesuffix(".py")]
        named = {node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and node.value.startswith("nbtrack.")}
        outside = sorted(n for n in named if not (n == package or n.startswith(package + ".")
                                                  or depth.get(".".join(n.split(".")[:2]), -1) > own))
        assert not outside, f"{path.relative_to(ROOT)} imports by name up or across from {package}: {outside}"
