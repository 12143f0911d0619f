# Divert developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
export DIVERT_DATA_DIR ?= $(CURDIR)/data
DEMO_ENV = DIVERT_DEMO_MODE=1 DJANGO_SECRET_KEY="$$(cat data/.demo-secret-key)"
PG_URL ?= postgres://postgres@127.0.0.1:5432/divert

.DEFAULT_GOAL := help
.PHONY: help setup demo run seed test test-fast test-pg check deploy-check security fix lint typecheck migrations-check assets bench bench-linkage bench-pages bench-kpis bench-import clean

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP) ## Create the virtual environment and install the locked dependencies

data/.demo-secret-key:
	@mkdir -p data
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: setup data/.demo-secret-key ## Migrate, seed synthetic demo data (first run only) and serve on http://127.0.0.1:8000
	@$(DEMO_ENV) $(BIN)/divert migrate --no-input -v0
	@$(DEMO_ENV) $(BIN)/divert seed --if-empty
	@$(DEMO_ENV) $(BIN)/divert demo_logins
	@$(DEMO_ENV) $(BIN)/divert serve

run: setup data/.demo-secret-key ## Serve the existing database without seeding
	@$(DEMO_ENV) $(BIN)/divert serve

seed: setup data/.demo-secret-key ## Re-seed demo data (ARGS="--episodes 1000 --seed 7")
	@$(DEMO_ENV) $(BIN)/divert migrate --no-input -v0
	@$(DEMO_ENV) $(BIN)/divert seed --reset $(ARGS)

test: setup ## Run the whole test suite (DATABASE_URL picks the database; default SQLite)
	$(BIN)/pytest -n 2 -m "not browser" --no-header -q
	$(BIN)/pytest -m browser -p no:xdist --no-header -q -rs

test-fast: setup ## Unit and view tests only, without the browser journeys
	$(BIN)/pytest -n 2 -m "not browser" --no-header -q

test-pg: setup ## The suite against local PostgreSQL ($(PG_URL))
	DATABASE_URL=$(PG_URL) $(MAKE) test

check: setup lint typecheck migrations-check deploy-check ## Lint, types, scoped-query lint, Django and deploy checks, migrations check
	DJANGO_SECRET_KEY=check $(BIN)/python manage.py check
	$(BIN)/python scripts/lint_scoped_queries.py

deploy-check: setup ## `manage.py check --deploy` with production settings must be clean
	@DIVERT_ENVIRONMENT=production DIVERT_SSL_REDIRECT=1 DIVERT_HSTS_SECONDS=31536000 \
	  DIVERT_ALLOWED_HOSTS=divert.example.nhs.uk \
	  DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

security: setup ## Known-vulnerability audit of the locked dependencies and bandit over the code
	@# Fails on a known vulnerability. Packages the vulnerability service cannot answer for are
	@# listed as "not audited" (the CI network reaches the package index but not its JSON API).
	$(BIN)/pip-audit --disable-pip --no-deps -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/bandit -q -c pyproject.toml -r divert

lint: setup ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup ## mypy on the core apps
	DJANGO_SECRET_KEY=check $(BIN)/mypy divert

migrations-check: setup ## Fail when models and migrations disagree
	DJANGO_SECRET_KEY=check $(BIN)/python manage.py makemigrations --check --dry-run

fix: setup ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

assets: ## Rebuild divert/static/dist from assets/ (needs Node; the output is committed)
	npm ci && npm run build

bench: setup ## Run every benchmark and rewrite its section of docs/benchmarks.md (takes about an hour)
	$(BIN)/python scripts/bench_seed.py
	$(BIN)/python scripts/bench_audit.py --write docs/benchmarks.md
	$(MAKE) bench-linkage
	$(MAKE) bench-pages
	$(MAKE) bench-kpis
	$(MAKE) bench-import

bench-pages: setup ## Worklist, intake search, episode and person pages on 100,000 seeded episodes (docs/benchmarks.md)
	$(BIN)/python scripts/bench_pages.py --episodes 100000 --warm --write docs/benchmarks.md

bench-linkage: setup ## Divert's linkage beside Splink on generated data (docs/benchmarks.md, Linkage)
	$(BIN)/python scripts/bench_linkage.py all

bench-kpis: setup ## The full KPI set on SQLite, PostgreSQL and DuckDB over 100,000 generated episodes (docs/benchmarks.md, KPIs)
	$(BIN)/python scripts/bench_kpis.py --episodes 100000 --write docs/benchmarks.md
bench-import: setup ## Time divert import activity on 100,000 synthetic rows, SQLite and PostgreSQL (docs/benchmarks.md)
	$(BIN)/python scripts/bench_import.py --rows 100000 --write

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) data/*.sqlite3* data/.demo-secret-key
