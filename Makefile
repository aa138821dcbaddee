# Two commands do everything: `make run` and `make test`. Both create and reuse .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := build/sample
export JEMBATAN_INBOX ?= $(CURDIR)/inbox
export JEMBATAN_WAREHOUSE ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup run test producer-files test-cluster test-cluster-restarts sample ui bench clean browser portal screenshots cluster cluster-down cluster-status cluster-packages

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Generate the bundled sample agency files (deterministic) and copy them into the inbox.
# The sample, the inbox and DAGSTER_HOME hold personal data (or run metadata about it): owner-only (0700).
sample: $(STAMP)
	mkdir -p $(SAMPLE) && chmod 700 $(SAMPLE)
	$(BIN)/python -m sample_data.generate --out $(SAMPLE)
	mkdir -p $(JEMBATAN_INBOX) && chmod 700 $(JEMBATAN_INBOX)
	cp -r $(SAMPLE)/inbox/. $(JEMBATAN_INBOX)/

# The sample files were just copied: read them at once (a real inbox waits JEMBATAN_SETTLE_SECONDS, default 5,
# for a file to stop changing).
run: export JEMBATAN_SETTLE_SECONDS ?= 0
run: sample
	mkdir -p $(DAGSTER_HOME) && chmod 700 $(DAGSTER_HOME)
	$(BIN)/jembatan sync

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -m "not cluster"

# The cluster's own test (a few minutes): starts PostgreSQL, Redis, the Dagster daemon and webserver and two
# Celery workers in a temporary folder, syncs the sample through them, kills a worker, stops everything.
test-cluster: $(STAMP) cluster-packages
	$(BIN)/python -m pytest -q -p no:logging -m "cluster and not cluster_restarts" tests/test_cluster.py

# Redis and PostgreSQL restarted during a run (up to 15 minutes: a step whose result the broker lost fails the
# run only at its max runtime). Not in CI: which path the run takes depends on timing.
test-cluster-restarts: $(STAMP) cluster-packages
	$(BIN)/python -m pytest -q -p no:logging -m cluster_restarts tests/test_cluster.py

# Debian's Chromium, which the browser tests (the portal, the Dagster UI) drive through Playwright (Playwright's own browser
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

# The agencies' portal on http://127.0.0.1:8080/ (`make portal PORT=8081` for another port; accounts: `$(BIN)/jembatan portal user add ...`).
portal: PORT ?= 8080
portal: $(STAMP)
	$(BIN)/jembatan portal --port $(PORT)

# The portal's screenshots in docs/ (a real portal, sync and browser on a throw-away sample warehouse).
screenshots: $(STAMP) browser
	$(BIN)/python docs/portal_screenshots.py

# Quick benchmarks (each benchmarks/bench_*.py run side by side with its baseline; see BENCHMARKS.md).
# Rebuild the producer matrix's files (tests/producers/files/, committed: CI never runs this) with the real
# writers: LibreOffice and Gnumeric from Debian, SheetJS and ExcelJS from npm, XlsxWriter from PyPI.
producer-files: $(STAMP)
	command -v soffice >/dev/null && command -v ssconvert >/dev/null && command -v npm >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc-nogui gnumeric nodejs npm >/dev/null; }
	$(BIN)/pip install --quiet -e '.[producers]'
	npm ci --prefix tests/producers --no-audit --no-fund
	$(BIN)/python tests/producers/build.py

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

# The Dagster UI on http://127.0.0.1:3000 (`make ui PORT=3001` for another port).
ui: PORT ?= 3000
ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME) && chmod 700 $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -p $(PORT)

# The Dagster deployment on this machine, loopback only (README "The cluster"): PostgreSQL (Dagster's storage),
# Redis (Celery's broker), the Dagster daemon, the webserver on http://127.0.0.1:3030 and two Celery workers.
# Run folder .cluster/ (JEMBATAN_CLUSTER_DIR). Idempotent: what already answers is left alone.
cluster: $(STAMP) cluster-packages
	$(BIN)/python -m pipelines.cluster up

cluster-down: $(STAMP)
	$(BIN)/python -m pipelines.cluster down

cluster-status: $(STAMP)
	$(BIN)/python -m pipelines.cluster status

# Debian's PostgreSQL server and Redis, installed when missing (as root; else it says what to install). An
# existing server named by JEMBATAN_POSTGRES_URL / JEMBATAN_REDIS_URL needs no local package.
cluster-packages:
	@need=""; \
	if [ -z "$$JEMBATAN_POSTGRES_URL" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need="$$need postgresql"; fi; \
	if [ -z "$$JEMBATAN_REDIS_URL" ] && ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then need="$$need redis-server"; fi; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "the cluster needs:$$need (run as root: apt-get install$$need)"; exit 1; fi; \
	  echo "installing$$need"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$need >/dev/null; \
	fi

clean:
	test ! -d .cluster -o ! -x $(BIN)/python || $(BIN)/python -m pipelines.cluster down
	rm -rf build inbox .cluster warehouse/*.duckdb warehouse/archive warehouse/original_names warehouse/reports warehouse/work warehouse/parquet warehouse/publications .dagster_home
