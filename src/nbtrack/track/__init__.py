"""The live side of a run: the Run handle, start_run and current_run."""

from nbtrack.track.run import Run
from nbtrack.track.session import RUN_ID_ENV, current_run, start_run

__all__ = ["RUN_ID_ENV", "Run", "current_run", "start_run"]
