# oncosite: `make run` to try it, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
# axe-core for the browser tests' accessibility checks, from npm into the git-ignored node_modules/.
AXE := node_modules/axe-core/axe.min.js
# The browser tests need Debian's chromium and npm. Without them `make test` says so and runs the rest;
# BROWSER=yes (as CI sets it) insists on them, BROWSER=no leaves them out.
BROWSER ?= $(shell [ -x /usr/bin/chromium ] && command -v npm >/dev/null && echo yes || echo no)

.PHONY: help install run test test-browser lint format check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install everything

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: install ## Migrate, load the demo page and serve on http://127.0.0.1:8000
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo_content
	@echo
	@$(MANAGE) create_dev_admin
	@echo "Site:  http://127.0.0.1:8000/   (Ctrl+C to stop)"
	@echo
	$(MANAGE) runserver 127.0.0.1:8000

test: install ## Run the whole test suite (browser tests too where chromium and npm are installed)
ifeq ($(BROWSER),yes)
	$(MAKE) $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)
else
	@echo "*** Browser tests left out (BROWSER=no, or no chromium/npm here: apt-get install chromium npm)."
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)
endif

test-browser: install $(AXE) ## Run only the real-browser tests (Playwright + Debian's chromium)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

lint: install ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install ## Django's system checks and the missing-migrations check
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean: ## Remove .venv, the local database and caches
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache staticfiles node_modules screenshots
