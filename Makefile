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

.PHONY: run test install models lint typecheck unit integration bench clean web-deps protocol \
	web web-test browser jail

run: install models web jail
	$(BIN)/tutor serve

test: install models lint typecheck web web-test browser jail
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

# The web UI's static export, served by `tutor serve` at `/`; rebuilt when a source changes.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/next.config.ts \
	web/tsconfig.json web/postcss.config.mjs web/package-lock.json
web: web/out/index.html

web/out/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && NEXT_TELEMETRY_DISABLED=1 npx next build
	touch $@

# The UI's component tests and type check.
web-test: web-deps
	cd web && npx tsc --noEmit && npx vitest run

# The browser tests drive the system's Chromium (Debian's package); nothing is downloaded
# but the package itself.
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 && apt-get update -q && apt-get install -y chromium; } \
		|| { echo "install Debian's chromium package for the browser tests"; exit 1; }

# Learner code runs only inside a bubblewrap jail (Debian's package); without it the service
# refuses to run code.
jail:
	@command -v bwrap >/dev/null || { test "$$(id -u)" = 0 && apt-get update -q && apt-get install -y bubblewrap; } \
		|| { echo "install Debian's bubblewrap package: learner code runs only in its jail"; exit 1; }

# The protocol's JSON Schema and the HTTP API's OpenAPI document from the code, then the
# web UI's types from them.
protocol: install web-deps
	$(BIN)/tutor protocol schema --output docs/protocol.schema.json
	$(BIN)/tutor openapi --output docs/openapi.json
	cd web && npm run --silent protocol:types && npm run --silent api:types

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q tests/unit

integration: install models web-deps
	$(BIN)/pytest -q tests/integration

bench: install models web-deps
	$(BIN)/python bench/real_model_ws.py
	$(BIN)/python bench/lesson_ws.py
	$(BIN)/python bench/ws_load.py
	$(BIN)/python bench/upload_storm.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/fit_bkt.py
	$(BIN)/python bench/lessons.py
	$(BIN)/python bench/web_build.py
	$(BIN)/python bench/learner_walk.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
