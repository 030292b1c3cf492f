"""MLflow's artifact-repository plugin: `mlflow.log_artifact` keeps bytes as the nbtrack run's artifacts.

A run served by the tracking-store plugin has the artifact URI
`nbtrack-artifacts:///RUN_ID`; the store is the one of the tracking URI in use.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import mlflow
from mlflow.entities import FileInfo
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.store.artifact.artifact_repo import ArtifactRepository

from nbtrack.mlflow.plugin import SCHEME, open_for_uri
from nbtrack.store import Store


class NbtrackArtifactRepository(ArtifactRepository):
    """A run's artifacts in the nbtrack store, as MLflow's artifact API sees them."""

    def __init__(self, artifact_uri: str, tracking_uri: str | None = None, registry_uri: str | None = None) -> None:
        super().__init__(artifact_uri, tracking_uri, registry_uri)
        parts = PurePosixPath(urlparse(artifact_uri).path.lstrip("/")).parts
        if not parts:
            raise MlflowException(f"{artifact_uri} names no run; it reads nbtrack-artifacts:///RUN_ID[/PATH]",
                                  error_code=INVALID_PARAMETER_VALUE)
        self.run_id, self.prefix = parts[0], "/".join(parts[1:])
        uri = tracking_uri or mlflow.get_tracking_uri()
        if not uri.startswith(f"{SCHEME}:"):
            raise MlflowException(f"{artifact_uri} is kept in an nbtrack store; set the tracking URI to "
                                  "nbtrack:STORE to read it", error_code=INVALID_PARAMETER_VALUE)
        self.store: Store = open_for_uri(uri)

    def _name(self, *parts: str | None) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p and p.strip("/"))

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        name = self._name(artifact_path, os.path.basename(local_file))
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self.store.add_artifact(self.run_id, name, path=local_file, media_type=media)

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        root = Path(local_dir)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            folder = path.parent.relative_to(root).as_posix()
            self.log_artifact(str(path), self._relative(artifact_path, None if folder == "." else folder))

    def _relative(self, *parts: str | None) -> str:
        return "/".join(p.strip("/") for p in parts if p and p.strip("/"))

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        base = self._name(path)
        below = f"{base}/" if base else ""
        shown = self._relative(path)
        found: dict[str, FileInfo] = {}
        for artifact in self.store.artifacts(self.run_id):
            if not artifact.name.startswith(below) or artifact.name == base:
                continue
            head, sep, _ = artifact.name[len(below):].partition("/")
            listed = f"{shown}/{head}" if shown else head
            found[head] = FileInfo(listed, True, None) if sep else FileInfo(listed, False, artifact.size)
        return [found[k] for k in sorted(found)]

    def _download_file(self, remote_file_path: str, local_path: str) -> None:
        Path(local_path).write_bytes(self.store.read_artifact(self.run_id, self._name(remote_file_path)))

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        raise MlflowException("deleting artifacts is not supported by the nbtrack store; a finished run's "
                              "artifacts stay as they were", error_code=INVALID_PARAMETER_VALUE)
