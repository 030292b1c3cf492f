"""The nbtrack MLflow plugins registered for tests, as the installed package's entry points register them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENTRY_POINTS = """[mlflow.tracking_store]
nbtrack = nbtrack.mlflow.plugin:NbtrackTrackingStore

[mlflow.artifact_repository]
nbtrack-artifacts = nbtrack.mlflow.artifacts:NbtrackArtifactRepository
"""


def register(folder: Path) -> dict[str, str]:
    """Register in this process, and write a dist-info that kernels and subprocesses find on PYTHONPATH.

    Returns the environment that puts the dist-info on their path. The editable install of
    the shared venv is left alone: its dist-info is the one `pip install -e` wrote.
    """
    info = folder / "nbtrack_mlflow_plugins-0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nbtrack-mlflow-plugins\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    from mlflow.store.artifact.artifact_repository_registry import _artifact_repository_registry
    from mlflow.tracking._tracking_service.utils import _tracking_store_registry

    from nbtrack.mlflow.artifacts import NbtrackArtifactRepository
    from nbtrack.mlflow.plugin import NbtrackTrackingStore

    _tracking_store_registry.register("nbtrack", NbtrackTrackingStore)
    _artifact_repository_registry.register("nbtrack-artifacts", NbtrackArtifactRepository)
    path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), str(folder)) if p)
    return {"PYTHONPATH": path}
