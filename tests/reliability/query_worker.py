"""Answers run queries against a store, one JSON line in and one out: a test sees a crash as an exit code.

    python query_worker.py STORE   then   {"where": "...", "order": ["-params.C"]}   per line on stdin
answers {"rows": 3}, {"query_error": "one line"} or {"other": "TypeName: message"}.
"""

from __future__ import annotations

import json
import sys


def main(store_path: str) -> None:
    from nbtrack.errors import QueryError
    from nbtrack.store import open_store

    store = open_store(store_path, create=False)
    for line in sys.stdin:
        ask = json.loads(line)
        try:
            answer: dict[str, object] = {"rows": len(store.runs(ask["where"], order_by=ask["order"]))}
        except QueryError as exc:
            answer = {"query_error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - anything else is what the test reports
            answer = {"other": f"{type(exc).__name__}: {exc}"[:2000]}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
