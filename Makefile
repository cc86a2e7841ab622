# Two commands on a fresh machine:  make preview   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= local

.PHONY: preview test lint bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

preview: $(STAMP)  ## preview the local stack offline (STACK=aws-dev for another)
	$(PY) -m dockyard preview $(STACK)

test: $(STAMP)  ## the whole suite
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)  ## preview cost per stack against its floor
	$(PY) benchmarks/preview.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
