# Laming Tracker: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Local runs are for development: DEBUG on (which also allows the demo accounts) unless set.
DEBUG ?= 1
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/laming
export DEBUG

.PHONY: run test lint format check install system-deps postgres clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the project needs on a machine (none yet beyond Python and PostgreSQL).
system-deps:
	@bash scripts/system-deps

postgres:
	@bash scripts/ensure-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install postgres
	DEBUG=0 SECRET_KEY=check-only DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py check --fail-level WARNING
	DEBUG=0 SECRET_KEY=check-only DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run

test: install system-deps postgres lint check
	DEBUG=0 SECRET_KEY=test-only DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
