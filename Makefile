# Two commands do all the set-up on a fresh machine:
#   make run    start the console on the built-in sandbox (http://localhost:8501)
#   make test   run every test, browser test included
# The Dockerfile runs the same targets (`make venv` to build, `make run` to start).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint format venv browser-deps server-deps bench clean

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

venv: $(RUN_STAMP)

# Debian's chromium for the browser test; `playwright install` cannot download here.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Real servers the tests start on loopback: Debian's PostgreSQL (the store on both engines, the
# fleet test) and nginx (the load balancer in front of two consoles).
server-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql and nginx for the store and fleet tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx >/dev/null; }

run: $(RUN_STAMP)
	$(BIN)/streamlit run app.py

# The walls and the style first (seconds), then every test, on TEST_WORKERS processes (pytest-xdist):
# most tests wait on servers (consoles, PostgreSQL, chromium), so three share the machine's two cores
# well. Each test file stays on one worker (its module fixtures: one console, one browser). Set
# TEST_WORKERS=0 to run in this one process.
TEST_WORKERS ?= 3
test: lint browser-deps server-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(TEST_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Rewrites files: the formatter and the linter's safe fixes.
format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# About 7 minutes on the 2-core machine; the figures are recorded in bench/README.md.
bench: $(BENCH_STAMP) browser-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache artifacts
