# Two commands on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Everything is installed from the lock: exact versions, each checked against its hash.
LOCK := requirements/dev.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | sha1sum | cut -c1-12)
TOOLS := .venv-tools
PORT ?= 8000

.PHONY: run test lint install system-deps runtime-deps translations lock audit demo

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
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

# The Ministry's real deadline (20 October 2022) has passed, so a development database is
# given a deadline 30 days ahead the first time (kept after that, so the web process, the
# mail worker and any second instance all read the same one from the database).
# REGISTRATION_DEADLINE=… make run records that deadline instead.
# Without SMTP_HOST, mail goes to a local catcher whose page lists it (alliance87 dev-mail).
run: $(STAMP) runtime-deps
	$(BIN)/alembic upgrade head
	@if [ -n "$$REGISTRATION_DEADLINE" ]; then \
		$(BIN)/alliance87 set-deadline --by "make run" "$$REGISTRATION_DEADLINE"; \
	else \
		$(BIN)/alliance87 set-deadline --if-unset --by "make run" "$$(date -u -d '+30 days' +%F)"; \
	fi
	@echo ""
	@echo "  The form:         http://127.0.0.1:$(PORT)/  (English: /?lang=en)"
	@echo "  The back-office:  http://127.0.0.1:$(PORT)/staff/  (make demo: an admin and demo data)"
	@echo "  The API docs:     http://127.0.0.1:$(PORT)/docs"
	@if [ -z "$$SMTP_HOST" ]; then echo "  Caught mail:      http://127.0.0.1:8025/"; fi
	@echo ""
	@if [ -z "$$SMTP_HOST" ]; then $(BIN)/alliance87 dev-mail & else $(BIN)/alliance87 send-emails & fi; \
		worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/uvicorn app.main:app --host 127.0.0.1 --port $(PORT)

# A development admin and 150 demo registrations (refused unless ENVIRONMENT=development).
demo: $(STAMP)
	$(BIN)/alembic upgrade head
	$(BIN)/alliance87 dev-setup

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

# The lock's tools live in their own environment, so they never change the locked one.
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet pip-tools==7.6.2 pip-audit==2.10.1
	touch $@

# After changing a pin in pyproject.toml. LOCK_ARGS='--upgrade-package NAME' moves one
# indirect dependency; LOCK_ARGS=--upgrade moves them all.
lock: $(TOOLS)/.installed
	$(TOOLS)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
		--strip-extras --extra dev --extra bench $(LOCK_ARGS) -o $(LOCK) pyproject.toml
	$(TOOLS)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links \
		--strip-extras $(LOCK_ARGS) -o requirements/runtime.txt pyproject.toml

# Known vulnerabilities in every locked package. Needs the vulnerability feed (PyPI's
# advisory API) to be reachable, so it is not part of `make test`.
audit: $(TOOLS)/.installed
	$(TOOLS)/bin/pip-audit --disable-pip --require-hashes --progress-spinner off -r $(LOCK)
	$(TOOLS)/bin/pip-audit --disable-pip --require-hashes --progress-spinner off -r requirements/runtime.txt
