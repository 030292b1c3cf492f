"""`python -m benchmarks`: run every measure and write benchmarks/RESULTS.md."""

from benchmarks.runner import main

raise SystemExit(main())
