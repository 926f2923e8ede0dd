# Build Raft — one entry point for authors and CI.
#   make serve   set up, build, serve with live reload on http://127.0.0.1:8000/
#   make site    set up, build the static site into site/
#   make test    set up (plus Debian's chromium when missing), then every test
# Every target sets up what it needs and is idempotent: stamps live inside
# .venv/ and node_modules/, so deleting either directory starts over.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.raft-installed
NPM_STAMP := node_modules/.raft-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve site test test-fast chromium bench clean bundle mutants

setup: $(PY_STAMP) $(NPM_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[docs,test]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (Playwright cannot download a browser here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian chromium"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

site: setup
	$(BIN)/mkdocs build --strict --site-dir site

# The offline bundle: dist/raft-scenes-site-<version>.zip (the site + serve.py).
bundle: site
	$(BIN)/python tools/bundle.py --site site --out dist

serve: setup
	$(BIN)/mkdocs serve --strict --livereload --dev-addr $(HOST):$(PORT)

test: setup chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: setup
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

bench: setup chromium
	$(BIN)/python benchmarks/browser.py

# Mutation score of raftcore/node.py (mutmut; configured in pyproject.toml [tool.mutmut]).
# Slow (minutes on two cores) and not part of CI; survivors: $(BIN)/mutmut results.
mutants: setup
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[mutation]'
	rm -rf mutants
	# a mutant may loop allocating (one reached 7.6 GB): cap each process's memory on a shared machine
	ulimit -v $${MUTMUT_MEMORY_KB:-6000000}; $(BIN)/mutmut run --max-children $${MUTMUT_CHILDREN:-2}
	$(BIN)/mutmut results

clean:
	rm -rf site build dist .pytest_cache mutants
