"""Autolog's writes from a kernel the engine runs, carried to the engine over the kernel's IOPub.

Under the engine (`nbtrack run`, `papermill --engine nbtrack`, a sweep, a launch from Lab) the run
belongs to the engine's process, which has the store open already. A notebook that never mentions
nbtrack used to open the store in its kernel at autolog's first record only to write there: the
import of the store and SQLAlchemy was 0.2 s of the kernel's time, most of what capture added to a
5 s notebook (benchmarks, capture overhead). Instead, while the notebook has no run of its own,
autolog's calls go out as display messages of MIME type RELAY_MIME; the engine's client takes them
before they reach the notebook's outputs (execution/engine.py) and makes the same calls on its run.
They arrive in order with the cell's other outputs, so each is written before the cell is done, and
metrics through the engine run's buffer within its flush window.

Once the notebook starts or attaches to a run itself (start_run, the module-level log calls, the
MLflow plugin), autolog writes through that run, as in any other kernel, so that a value the
notebook logs itself and one autolog saw are told apart by the same run's buffer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from nbtrack.config import RUN_ID_ENV
from nbtrack.errors import UsageError
from nbtrack.records import Artifact, Record

RELAY_ENV = "NBTRACK_RELAY"  # set by the engine for the kernels whose IOPub it reads
RELAY_MIME = "application/vnd.nbtrack.relay+json"
MAX_MESSAGE_CHARS = 256 * 1024 * 1024  # one call's JSON text, as the engine accepts it
CALLS = frozenset({"add_record", "log_params", "log_metric", "log_unclaimed", "set_tag", "log_artifact"})


def kernel_ids(run_id: str) -> dict[str, str]:
    """What a kernel the engine executes is told: the run it attaches to, and that the engine reads
    its relayed calls (engine.py and a sweep's pre-started kernels alike)."""
    return {RUN_ID_ENV: run_id, RELAY_ENV: run_id}


def engine_run() -> RelayedRun | None:
    """The engine's run as autolog writes it from this kernel, when the engine reads this kernel's
    IOPub and the notebook has no run of its own; else None."""
    run_id = os.environ.get(RUN_ID_ENV)
    if not run_id or os.environ.get(RELAY_ENV) != run_id:
        return None
    session = sys.modules.get("nbtrack.track.session")
    if session is not None and session.current_run() is not None:
        return None
    global _relayed
    if _relayed is None or _relayed.id != run_id:
        if _kernel_shell() is None:
            return None
        _relayed = RelayedRun(run_id)
    return _relayed


_relayed: RelayedRun | None = None


def _kernel_shell() -> Any:
    from nbtrack.capture.shell import current_shell

    shell = current_shell()
    return shell if shell is not None and hasattr(shell, "kernel") else None


class RelayedRun:
    """The calls autolog makes on a run (and on its store's records), sent to the engine.

    It reads back only the records it sent: while the notebook has no run of its own, no one
    else adds data records (what attribution matches a scored target against) to the run.
    """

    attached = True

    def __init__(self, run_id: str) -> None:
        self.id = run_id
        self.store = self  # RunRecorder writes records as run.store.add_record(run.id, ...)
        self._records: dict[tuple[str, str], Record] = {}

    def add_record(self, run_id: str, kind: str, name: str, body: Any) -> None:
        self._send("add_record", kind=kind, name=name, body=body)
        self._records[(kind, name)] = Record(kind, name, body)  # a record of the same name replaces it

    def records(self, run_id: str, kind: str | None = None) -> list[Record]:
        return [r for r in self._records.values() if kind is None or r.kind == kind]

    def log_params(self, params: Mapping[str, Any]) -> None:
        self._send("log_params", params=dict(params))

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        self._send("log_metric", key=key, value=float(value), step=step)

    def log_unclaimed(self, key: str, value: float, scope: str = "") -> None:
        self._send("log_unclaimed", key=key, value=float(value), scope=scope)

    def set_tag(self, key: str, value: Any) -> None:
        self._send("set_tag", key=key, value=value)

    def log_artifact(self, source: bytes, name: str, *, media_type: str) -> Artifact:
        data = bytes(source)
        self._send("log_artifact", name=name, media_type=media_type, data=base64.b64encode(data).decode("ascii"))
        return Artifact(name, hashlib.sha256(data).hexdigest(), len(data), media_type)

    def _send(self, call: str, **arguments: Any) -> None:
        from IPython.display import display

        # JSON text, not a JSON object: jupyter_client refuses NaN in a message, a metric may be NaN.
        display({RELAY_MIME: json.dumps({"call": call, **arguments})}, raw=True)


def apply_relayed(run: Any, text: object) -> None:
    """Make on the engine's run the call a kernel relayed (the text of one RELAY_MIME output).

    The kernel is the user's own code, as trusted as a direct write to the run; the call is still
    checked to be one autolog makes, with the arguments it takes, so a stray output cannot reach
    anything else.
    """
    if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
        raise UsageError(f"a relayed autolog call is JSON text of at most {MAX_MESSAGE_CHARS:,} characters")
    message = json.loads(text)
    call = message.pop("call", None) if isinstance(message, dict) else None
    if call not in CALLS:
        raise UsageError(f"{str(call)[:40]!r} is not a call autolog relays ({', '.join(sorted(CALLS))})")
    if call == "add_record":
        run.store.add_record(run.id, message["kind"], message["name"], message["body"])
    elif call == "log_artifact":
        run.log_artifact(base64.b64decode(message["data"], validate=True), message["name"],
                         media_type=message["media_type"])
    else:
        getattr(run, call)(**message)
