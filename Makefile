# Two commands do everything: `make run` and `make test`. Both create and reuse .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := build/sample
export JEMBATAN_INBOX ?= $(CURDIR)/inbox
export JEMBATAN_WAREHOUSE ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup run test sample ui bench clean browser portal screenshots

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Generate the bundled sample agency files (deterministic) and copy them into the inbox.
sample: $(STAMP)
	$(BIN)/python -m sample_data.generate --out $(SAMPLE)
	mkdir -p $(JEMBATAN_INBOX)
	cp -r $(SAMPLE)/inbox/. $(JEMBATAN_INBOX)/

# The sample files were just copied: read them at once (a real inbox waits JEMBATAN_SETTLE_SECONDS, default 5,
# for a file to stop changing).
run: export JEMBATAN_SETTLE_SECONDS ?= 0
run: sample
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/jembatan sync

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Debian's Chromium, which the portal's browser tests drive through Playwright (Playwright's own browser
# download is never used). Installed when /usr/bin/chromium is missing: as root, else through sudo. Where it
# cannot be installed the browser tests are skipped with the reason, except in CI (CI=true), where they fail.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; else sudo=none; fi; \
	  if [ "$$sudo" != none ] && command -v apt-get >/dev/null; then \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null; \
	  fi; \
	  test -x /usr/bin/chromium || { echo "chromium could not be installed (not root, no sudo or no apt-get)"; \
	    test "$$CI" != true; }; }

# The agencies' portal on http://127.0.0.1:8080/ (accounts: `$(BIN)/jembatan portal user add ...`).
portal: $(STAMP)
	$(BIN)/jembatan portal

# The portal's screenshots in docs/ (a real portal, sync and browser on a throw-away sample warehouse).
screenshots: $(STAMP) browser
	$(BIN)/python docs/portal_screenshots.py

# Quick benchmarks (each benchmarks/bench_*.py run side by side with its baseline; see BENCHMARKS.md).
bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf build inbox warehouse/*.duckdb warehouse/archive warehouse/reports warehouse/work warehouse/parquet warehouse/publications .dagster_home
