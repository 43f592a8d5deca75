# Two commands on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PORT ?= 8000

.PHONY: run test lint install system-deps runtime-deps translations

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

system-deps:
	./scripts/install-system-deps

# Pango, HarfBuzz and fonts for the registration desk's PDF (WeasyPrint).
runtime-deps:
	./scripts/install-system-deps --runtime

# The Ministry's real deadline (20 October 2022) has passed, so a development portal
# stays open for 30 days from today unless REGISTRATION_DEADLINE says otherwise.
# Production sets REGISTRATION_DEADLINE, or records it with `alliance87 set-deadline`.
run: $(STAMP) runtime-deps
	$(BIN)/alembic upgrade head
	REGISTRATION_DEADLINE=$${REGISTRATION_DEADLINE:-$$(date -u -d '+30 days' +%F)} \
		$(BIN)/uvicorn app.main:app --host 127.0.0.1 --port $(PORT)

# The whole suite. TEST_DATABASE_URL=postgresql+psycopg://… runs it on PostgreSQL.
test: $(STAMP) system-deps node_modules/axe-core/axe.min.js
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache
