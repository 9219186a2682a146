# `make run` serves the tutor on the embedded stack; `make test` runs every check.
# Both create .venv and install everything on first use; later runs reuse it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Quiet pip; the registries' mirrors are set by the machine's pip configuration.
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install models lint typecheck unit integration bench clean web-deps protocol

run: install models
	$(BIN)/tutor serve

test: install models lint typecheck web-deps
	$(BIN)/pytest -q tests

install: $(STAMP)

# torch goes first and alone: pinned to the CPU build, so nothing later pulls a CUDA one.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	touch $@

models: install
	$(BIN)/tutor models prepare

# The web UI's tools; npm ci again only when the lock file is newer than the install.
web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# The protocol's JSON Schema from its pydantic models, then the web UI's types from it.
protocol: install web-deps
	$(BIN)/tutor protocol schema --output docs/protocol.schema.json
	cd web && npm run --silent protocol:types

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q tests/unit

integration: install models web-deps
	$(BIN)/pytest -q tests/integration

bench: install models
	$(BIN)/python bench/real_model_ws.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/fit_bkt.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
