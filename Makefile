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

$(VENV)/.installed-all: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-all

install: $(VENV)/.installed-all
install-test: $(VENV)/.installed-test

system-packages:
	bash scripts/system-packages.sh

demo: install
	NBTRACK=$(VENV)/bin/nbtrack bash scripts/demo.sh

test: install-test system-packages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

clean:
	rm -rf $(VENV) .nbtrack build dist test-output
