# Two entry points for a fresh machine: `make up` (install, build the graph, serve it) and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: bench-pages up install build serve test test-deps grlc-venv bench clean

up: build serve

install: $(BIN)/cspkg

$(BIN)/cspkg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

build: install
	$(BIN)/cspkg build

serve: install
	$(BIN)/cspkg serve

# The Debian packages the tests use (rapper, chromium, chromium-driver, npm), installed when missing
test-deps:
	scripts/install-test-deps

# axe-core (the pages' accessibility checks), pinned by package-lock.json; npm may come from test-deps
node_modules/axe-core/axe.min.js: package-lock.json | test-deps
	npm ci --no-audit --no-fund
	touch $@

# grlc from PyPI in a virtual environment of its own (it pins older dependencies than ours), for
# tests/test_grlc.py; if PyPI cannot be reached, that test says so and is skipped.
GRLC_VENV ?= .cache/grlc-venv
grlc-venv:
	-PYTHON=$(PY) scripts/grlc-venv $(GRLC_VENV)

test: test-deps install node_modules/axe-core/axe.min.js grlc-venv
	GRLC_VENV=$(GRLC_VENV) $(BIN)/python -m pytest

# National-scale benchmark (not run in CI): synthetic corpora up to SIZES quads; needs wrk (Debian).
SIZES ?= seed,10k,100k,1m,3m
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/national.py --sizes $(SIZES)

# Every page for leads through HTTP on the seed data (the registry's pages), cache off and on.
bench-pages: install
	$(BIN)/cspkg build
	$(BIN)/python bench/page_latency.py

clean:
	rm -rf $(VENV) store $(GRLC_VENV)
