# CivicGrid — `make run` to try it, `make test` to test it. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small
export DJANGO_SETTINGS_MODULE ?= config.settings.dev


.PHONY: deps-pdf
.PHONY: run test test-pg install deps-system browser-deps migrate demo serve worker lint bench clean messages api-schema \
  prod-check restore-drill scaleout soak

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "CivicGrid needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create a virtualenv: on Debian, 'apt-get install python3-venv'."; exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Debian packages the browser tests and PDF reports need.
deps-system:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: chromium (browser tests), fonts-wqy-microhei (Chinese font)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Please install Debian packages 'chromium' and 'fonts-wqy-microhei' (sudo apt-get install chromium fonts-wqy-microhei)."; \
	    exit 1; \
	  fi; \
	fi
	@if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: libpango-1.0-0, libpangoft2-1.0-0 (PDF reports)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else \
	    echo "Please install Debian packages 'libpango-1.0-0' and 'libpangoft2-1.0-0' (sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)."; \
	    exit 1; \
	  fi; \
	fi

# PDF reports need Debian's pango; `make run` installs it when it can and otherwise says so
# (everything but PDF reports works without it).
deps-pdf:
	@if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: libpango-1.0-0, libpangoft2-1.0-0 (PDF reports)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else \
	    echo "Note: PDF reports need Debian packages 'libpango-1.0-0' and 'libpangoft2-1.0-0' (sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)."; \
	  fi; \
	fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo --scale $(SCALE) --if-empty
	$(PY) manage.py demo_cases --if-empty
	$(PY) manage.py demo_party --if-empty
	$(PY) manage.py demo_partylife --if-empty
	$(PY) manage.py demo_patrols --if-empty
	$(PY) manage.py demo_activities --if-empty
	$(PY) manage.py demo_participation --if-empty
	$(PY) manage.py demo_resources --if-empty
	$(PY) manage.py demo_wishes --if-empty
	$(PY) manage.py demo_surveys --if-empty

# Web server, background worker, the deadline sweeps (cases, wish claims), the webhook retry
# sweep, hourly hotspot detection (a day's alerts are updated, never duplicated), the daily
# classifier retrain (enqueued only when the newest trained version is a day old), the scheduled
# reports (each period's once), missed-patrol flags, activity hours and the party-organisation
# warnings side by side; Ctrl-C stops them all.
run: deps-pdf demo
	@echo "CivicGrid: http://$(HOST):$(PORT)/  (Ctrl-C stops the server, the worker and the sweeps)"
	@mkdir -p var
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --no-reload >var/worker.log 2>&1 & \
	  $(PY) manage.py sweep_cases --loop 60 >var/sweep.log 2>&1 & \
	  $(PY) manage.py sweep_claims --loop 60 >var/claims.log 2>&1 & \
	  $(PY) manage.py webhook_deliver --loop 60 >var/webhooks.log 2>&1 & \
	  $(PY) manage.py retrain_classifier --every 24 >var/retrain.log 2>&1 & \
	  $(PY) manage.py detect_hotspots --loop 3600 >var/hotspots.log 2>&1 & \
	  $(PY) manage.py make_report --loop 3600 >var/reports.log 2>&1 & \
	  $(PY) manage.py check_patrols --loop 3600 >var/patrols.log 2>&1 & \
	  $(PY) manage.py credit_activities --loop 600 >var/activities.log 2>&1 & \
	  $(PY) manage.py partylife_scan --loop 86400 >var/partylife.log 2>&1 & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)
	$(PY) manage.py db_worker

test: $(STAMP) deps-system
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# The same suite on PostgreSQL (DATABASE_URL defaults to the local server).
test-pg: $(STAMP) deps-system
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/civicgrid} \
	  DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerate the checked-in OpenAPI schema of /api/v1/ (a test fails when it is stale).
api-schema: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --lang zh-hans \
	  --validate --fail-on-warn --file docs/api/openapi.yaml

# Deployment (docs/deployment.md). prod-check runs with the production environment loaded
# (set -a; . /etc/civicgrid/env; set +a); restore-drill and scaleout need PostgreSQL (and
# nginx and Redis for scaleout) on 127.0.0.1 and clean up after themselves.
prod-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.prod deploy/prod_check.sh

restore-drill: $(STAMP)
	deploy/restore_drill.sh

scaleout: $(STAMP)
	$(PY) bench/scaleout.py

# Ten minutes of mixed load (Locust) with an app server and a worker killed and PostgreSQL
# restarted under it; checks exactly-once afterwards (docs/benchmarks.md). Needs nginx.
soak: $(STAMP)
	$(PIP) install --quiet -e '.[bench]'
	$(PY) bench/soak.py

bench: $(STAMP)
	$(PY) bench/run_all.py $(BENCH_ARGS)

messages: $(STAMP)
	cd civicgrid && ../$(PY) ../manage.py makemessages -l en && ../$(PY) ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var
