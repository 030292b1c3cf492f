# nbtrack. The two commands that matter: `make demo` and `make test`.
# Both do all set-up on a fresh machine: a virtual env, pip, Debian packages.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_WORKERS ?= 2

.PHONY: demo test bench install install-test system-packages clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The Lab extension is committed prebuilt (src/nbtrack/labextension). An editable install
# would rebuild it with Node every time (hatch-jupyter-builder skips only standard builds):
# SKIP_JUPYTER_BUILDER keeps it as committed. Rebuild it by hand: README, "JupyterLab extension".
$(VENV)/.installed-all: pyproject.toml | $(VENV)/bin/python
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-all

install: $(VENV)/.installed-all
install-test: $(VENV)/.installed-test

system-packages:
	bash scripts/system-packages.sh

demo: install
	NBTRACK=$(VENV)/bin/nbtrack bash scripts/demo.sh

# Tests that measure a time promise (marker `timing`) run alone after the parallel pass: with the
# other worker's kernels on the same two cores they would measure the scheduler, not nbtrack.
test: install-test system-packages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not timing"
	$(PY) -m pytest -m timing

$(VENV)/.installed-bench: pyproject.toml | $(VENV)/.installed-test
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install --quiet -e ".[bench]"
	touch $@

# Installs MLflow, W&B and Aim into their own venvs (benchmarks/.venvs/), then writes benchmarks/RESULTS.md,
# the generated block of benchmarks/NOTES.md and README's block between <!-- bench:start --> and <!-- bench:end -->.
# BENCH_RUNS=3 runs the whole suite three times and reports each figure's median and every run's figure.
BENCH_RUNS ?= 1
# BENCH_ARGS="--skip from_mlflow" leaves a measure out of a whole run; RESULTS.md and README say so.
BENCH_ARGS ?=
bench: install-test system-packages $(VENV)/.installed-bench
	$(PY) -m benchmarks --runs $(BENCH_RUNS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .nbtrack build dist test-output
