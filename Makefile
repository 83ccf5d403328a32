# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
URL := http://$(HOST):$(PORT)
# The browser tests drive Debian's Chromium; apt needs root.
CHROMIUM := /usr/bin/chromium
# PostgreSQL's RUM index (exact search ranking read in order, hrkb/search/postgres.py), for a local
# PostgreSQL installed from Debian's packages; elsewhere search ranks every match (slower, still exact).
PG_VERSION := $(shell ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
RUM := $(if $(PG_VERSION),/usr/share/postgresql/$(PG_VERSION)/extension/rum.control)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(CHROMIUM):
	@echo "Installing Debian's chromium for the admin's browser tests..."
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
		|| { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

$(RUM):
	@echo "Installing Debian's postgresql-$(PG_VERSION)-rum for search ranking..."
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-$(PG_VERSION)-rum \
		|| { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-$(PG_VERSION)-rum; } \
		|| echo "postgresql-$(PG_VERSION)-rum is not available: search will rank every match (see README)"

setup: $(STAMP) $(RUM)

run: $(STAMP) | $(RUM)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_fixtures
	$(BIN)/python manage.py ingest_sources fixtures/sources/*.md
	$(BIN)/python manage.py ensure_dev_admin --admin-url $(URL)/admin/
	@echo "Serving HRKB: admin $(URL)/admin/ · API $(URL)/api/v1/ · API docs $(URL)/api/v1/docs/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) | $(CHROMIUM) $(RUM)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
