# Two commands on a fresh machine: `make run` (set up and run the main job), `make test` (set up and run every test).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint typecheck pytest test-web-postgres bench bench-web clean

# The app alone for `make run`; the test tools on top for everything else.
$(BIN)/.app: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(BIN)/.installed: $(BIN)/.app
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# The demo web app on http://127.0.0.1:8000 (accounts and their passwords are printed at start).
run: $(BIN)/.app
	$(BIN)/jixiao serve --demo --host 127.0.0.1 --port 8000

test: $(BIN)/.installed lint typecheck pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy src/jixiao/core

pytest: $(BIN)/.installed
	$(BIN)/pytest

# The web tests again on PostgreSQL (pytest-django makes and drops the test_… database).
WEB_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
test-web-postgres: $(BIN)/.installed
	DATABASE_URL=$(WEB_DATABASE_URL) $(BIN)/pytest tests/web

# bench/check.py and bench/formats.py (xlwt, from the bench extra, writes the .xls batch).
bench: $(BIN)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/check.py
	$(BIN)/python bench/formats.py

# 20,000 forms in PostgreSQL, served by waitress, 20 concurrent clients (BENCH_DATABASE_URL to change).
bench-web: $(BIN)/.installed
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) build *.egg-info
