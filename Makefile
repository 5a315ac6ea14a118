# Two entry points, each installing what it needs on first use into .venv:
#   make demo   the main job on the bundled example (examples/demo.py)
#   make test   ruff, mypy (configs in pyproject.toml), then the test suite (installs NEURON from PyPI);
#               the layer contract is tests/test_layers.py; the tests run in PYTEST_WORKERS processes
#               (pytest-xdist; `auto`: one per core; 0: in this process), each test file in one of them
PYTHON ?= python3
PYTEST_WORKERS ?= auto
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(PY) examples/demo.py

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
