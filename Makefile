# Laming Tracker: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/laming
# `make run` serves as production does (DEBUG off, gunicorn, WhiteNoise, a background worker), but on
# this machine over plain http: so local host names, cookies allowed over http, and the demo accounts.
RUN_ENV = DEBUG=0 SECRET_KEY="$$(cat var/secret_key)" ALLOWED_HOSTS=localhost,127.0.0.1 \
	SECURE_COOKIES=0 DEMO_ACCOUNTS=1 PORT=$(PORT) $(MAIL_ENV)
DEV_ENV = DEBUG=1 DEMO_ACCOUNTS=1 PORT=$(PORT) $(MAIL_ENV)
# Mail is written as files under var/mail/ (one per connection) instead of being sent, so a newcomer
# can read the password reset, invitation and reminder mails; links in them point at this server.
MAIL_ENV = EMAIL_FILE_PATH=var/mail SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: run dev send-reminders test lint format check install system-deps postgres benchmark benchmark-pdf clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# A secret key for `make run`, made once on this machine and kept out of git (var/ is ignored).
var/secret_key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.new && mv $@.new $@

run: install system-deps var/secret_key
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_reference
	$(RUN_ENV) $(BIN)/python manage.py create_demo_accounts
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://127.0.0.1:$(PORT)/ with DEBUG off; Ctrl-C stops it."
	$(RUN_ENV) scripts/serve

# What the server's scheduler runs daily (README, "Reminders"): each officer's digest, against the same
# database and mail settings as `make run`.
send-reminders: install var/secret_key
	$(RUN_ENV) $(BIN)/python manage.py send_reminders

# For development: Django's autoreloading server with DEBUG on, and a worker that reloads too.
dev: install system-deps
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_reference
	$(DEV_ENV) $(BIN)/python manage.py create_demo_accounts
	$(DEV_ENV) scripts/serve --dev

# Debian packages the project needs on a machine: PostgreSQL client tools, Pango, fonts and poppler for
# the Cabinet report PDFs, and Chromium for the browser tests (scripts/system-deps installs what is
# missing, as root).
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

# One pytest worker per core (pytest-xdist), each on its own test database (test_laming_gw0, ...);
# worksteal hands a worker that runs out the tests still queued on the other. TEST_WORKERS=0 runs in one.
TEST_WORKERS ?= auto
test: install system-deps postgres lint check
	DEBUG=0 SECRET_KEY=test-only DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# Page timings at national size: 152 and 600 councils, 200 progress updates a response, each data set
# built once (about 30 s and 2 min) in a database of its own and kept: BENCHMARK_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/laming_bench) suffixed _152 and _600, never DATABASE_URL.
# `benchmarks/national.py` without --reuse rebuilds them. Then saves per second: 8 officers saving through
# gunicorn on a copy of the 152 set (benchmarks/saves.py). Both run; either failing fails the target.
benchmark: install postgres
	@status=0; \
	$(BIN)/python benchmarks/national.py --reuse || status=1; \
	$(BIN)/python benchmarks/saves.py || status=1; \
	exit $$status

# Cabinet report PDF timings: WeasyPrint alone against the whole request, for Central Bedfordshire.
# Its own database, BENCHMARK_PDF_DATABASE_URL (default .../laming_pdf_bench), never DATABASE_URL.
benchmark-pdf: install postgres system-deps
	$(BIN)/python benchmarks/report_pdf.py

# Updating from a spreadsheet: checking and applying a 300-row file for one council (goal: under 2 s).
# Its own database, BENCHMARK_IMPORT_DATABASE_URL (default .../laming_import_bench), never DATABASE_URL.
.PHONY: benchmark-import
benchmark-import: install postgres
	$(BIN)/python benchmarks/spreadsheet_import.py

# A light page's median, idle and while 8 PDFs render in the worker, served as production does.
# Its own database, BENCHMARK_RENDER_DATABASE_URL (default .../laming_render_bench), never DATABASE_URL.
.PHONY: benchmark-render
benchmark-render: install postgres system-deps
	$(BIN)/python benchmarks/render_load.py

# Adding 150 councils from a spreadsheet (.xlsx and .csv): reading, checking, saving, and the upload and
# confirm requests. Its own database, BENCHMARK_COUNCILS_DATABASE_URL (default .../laming_councils_bench).
.PHONY: benchmark-councils
benchmark-councils: install postgres
	$(BIN)/python benchmarks/councils_join.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
