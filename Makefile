# Laming Tracker: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Local runs are for development: DEBUG on (which also allows the demo accounts) unless set.
DEBUG ?= 1
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/laming
export DEBUG

.PHONY: run test lint format check install system-deps postgres benchmark benchmark-pdf clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install system-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the project needs on a machine: PostgreSQL client tools, and Pango, fonts and
# poppler for the Cabinet report PDFs (scripts/system-deps installs what is missing, as root).
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

# Page timings at national size (152 councils). It drops and rebuilds its own database,
# BENCHMARK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/laming_bench), never DATABASE_URL.
benchmark: install postgres
	$(BIN)/python benchmarks/national.py

# Cabinet report PDF timings: WeasyPrint alone against the whole request, for Central Bedfordshire.
# Its own database, BENCHMARK_PDF_DATABASE_URL (default .../laming_pdf_bench), never DATABASE_URL.
benchmark-pdf: install postgres system-deps
	$(BIN)/python benchmarks/report_pdf.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
