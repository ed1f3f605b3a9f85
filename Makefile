# zhibiao: `make run` serves the sample county, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
DB ?= sqlite:///zhibiao.db
#: axe-core (the accessibility engine the browser tests inject), from the npm registry at install.
AXE_VERSION := 4.14.1
AXE := tests/e2e/vendor/axe-core-$(AXE_VERSION).min.js

.PHONY: install axe system-deps run demo test test-fast lint format docs bench corpus screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	bash scripts/system-deps.sh python
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip "setuptools>=77"
	$(PY) -m pip install -q -e '.[test]'
	touch $@

axe: $(AXE)

$(AXE):
	mkdir -p $(@D) && rm -f $(@D)/axe-core-*.min.js
	cd $(@D) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE \
	  && mv package/LICENSE axe-core-LICENSE && mv package/axe.min.js $(@F) \
	  && rm -rf package axe-core-$(AXE_VERSION).tgz

system-deps:
	bash scripts/system-deps.sh all

demo: install
	$(VENV)/bin/zhibiao demo --db $(DB)

run: install system-deps demo
	$(VENV)/bin/zhibiao serve --host $(HOST) --port $(PORT) --db $(DB)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole suite on every core (pytest-xdist): each test file stays on one worker, in order, so
# the module-scoped fixtures (a filled store, a gunicorn server, a browser) are built once and
# the browser tests keep their sequence. JOBS=1 runs it in one process.
JOBS ?= auto
PYTEST_PARALLEL = -n $(JOBS) --dist loadfile --durations=20

test: install system-deps axe lint
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

# The inner loop: everything but the tests marked slow (the browser, the command line run as a
# process). `make test` still runs them all.
test-fast: install
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) -m "not slow"

# Every file of a folder through the ingest path, one fresh SQLite database each: one line a
# file, stored (areas, periods, totals) or refused (why). Not part of `make test`.
CORPUS ?= ../shared/real
CORPUS_ARGS ?=
corpus: install
	$(PY) -m zhibiao.corpus $(CORPUS) $(CORPUS_ARGS)

screenshots: install system-deps axe
	ZHIBIAO_SCREENSHOTS=1 $(VENV)/bin/pytest tests/e2e

# docs/settings.md from where the settings are defined (tests/test_docs.py checks it is current).
docs: install
	$(PY) -m zhibiao.settings_doc > docs/settings.md

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) tests/e2e/vendor .pytest_cache zhibiao.db build *.egg-info
