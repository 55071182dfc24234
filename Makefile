# Two commands: `make run` (set up and serve with demo data) and `make test` (every check).
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The local demo runs with DEBUG on (and so with the development key); production sets DEBUG=false and SECRET_KEY.
LOCAL := DEBUG=$${DEBUG:-true}

.PHONY: run test venv migrate seed serve lint pytest bench clean help

help:
	@echo "make run   - set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test  - ruff, checks, pytest on SQLite, PostgreSQL and Chromium"

# Rebuilt only when the lock file changes, so a second `make run` starts in seconds.
$(STAMP): requirements/lock.txt pyproject.toml
	@scripts/bootstrap.sh

venv: $(STAMP)

migrate: venv
	@mkdir -p var
	@$(LOCAL) $(PY) manage.py migrate --noinput -v 0

seed: migrate
	@$(LOCAL) $(PY) manage.py seed_demo

run: seed
	@$(LOCAL) $(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  Analyst pages : http://$(HOST):$(PORT)/"
	@echo "  Admin         : http://$(HOST):$(PORT)/admin/"
	@echo "  API docs      : http://$(HOST):$(PORT)/api/docs/"
	@echo "  Demo logins   : admin, analyst, cmdb, slm (password printed above, or ITSM_DEMO_PASSWORD)"
	@echo ""
	@$(LOCAL) $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

test: venv
	@scripts/test.sh

# make bench BENCH_ARGS="--runs 5 --load-seconds 0" (see README, Performance); seed first with manage.py seed_scale.
# make bench SCALE=1000000: the scale rows on a million tickets, seeded once into var/scale-1000000.sqlite3 (or into
# DATABASE_URL's database when it is set) and reused by later runs.
BENCH_ARGS ?=
SCALE ?=
bench: venv
	@mkdir -p var
ifeq ($(SCALE),)
	@$(LOCAL) $(PY) manage.py bench $(BENCH_ARGS)
else
	@$(LOCAL) ITSM_SQLITE_PATH=$${ITSM_SQLITE_PATH:-var/scale-$(SCALE).sqlite3} $(PY) manage.py bench --scale $(SCALE) $(BENCH_ARGS)
endif

clean:
	rm -rf $(VENV) var staticfiles
