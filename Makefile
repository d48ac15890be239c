# PeerMentor developer commands. `make help` lists them; the README's "Make variables" table
# explains each variable below (override one as `make run HOST=0.0.0.0:8000`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
PIP_FLAGS ?= --progress-bar on

.DEFAULT_GOAL := help

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Installing takes a minute or two the first time: each step says what it does, and pip shows
# its downloads, so a quiet terminal never looks stuck.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Upgrading pip"
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip
	@echo "==> Installing PeerMentor and its development tools (the first time takes a while)"
	$(BIN)/python -m pip install $(PIP_FLAGS) -e '.[dev]'
	touch $(STAMP)
	@echo "==> Installed"

.PHONY: help
help: ## List the targets with their one-line descriptions
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: install
install: $(STAMP) ## Create .venv if missing and install the app with its dev tools

.PHONY: run
run: install ## Migrate, load the demo data and serve on HOST (127.0.0.1:8000 unless set)
	@echo "==> Migrating the database"
	$(BIN)/python manage.py migrate --noinput
	@echo "==> Loading the demo data"
	$(BIN)/python manage.py seed_demo
	@echo "==> Serving on http://$(HOST)/ (Ctrl-C stops)"
	@# Development has no Celery beat: a background loop scans for due reminders every
	@# minute (emails print to this terminal) and stops with the server.
	$(BIN)/python manage.py send_due_reminders --every 60 & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

.PHONY: test
test: install ## Check migrations, lint, the import layers, and run the whole suite (browser journeys if Chromium is here)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

.PHONY: e2e
e2e: install ## Run the browser journeys in Chromium (CHROMIUM_PATH); screenshots in e2e-screenshots/
	$(BIN)/pytest tests/e2e -m e2e

.PHONY: lint
lint: install ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: format
format: install ## Fix lint findings that are safe to fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: worker
worker: install ## Run a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A peermentor worker --loglevel=info

.PHONY: beat
beat: install ## Run Celery beat, the periodic task scheduler (exactly one per deployment)
	$(BIN)/celery -A peermentor beat --loglevel=info

.PHONY: clean
clean: ## Remove the virtualenv, the SQLite database, caches and e2e screenshots
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm db.sqlite3-journal staticfiles e2e-screenshots .pytest_cache .ruff_cache .import_linter_cache .grimp_cache *.egg-info
