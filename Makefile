# The two commands of the README: `make run` (demo on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test install lint test-sqlite test-postgres browsers bench wrk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/servicedesk serve --demo

browsers:
	@scripts/ensure-chromium.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy servicedesk credit kiosk_ui
	$(BIN)/lint-imports

test-sqlite: install browsers
	$(BIN)/python -m pytest

test-postgres: install browsers
	scripts/test-postgres.sh "$(PG_TEST_URL)"

test: lint test-sqlite test-postgres

# wrk (Debian's package) drives bench/tickets.py's HTTP load.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }

bench: install wrk
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/credit_peers.py
	$(BIN)/python bench/tickets.py
	$(BIN)/python bench/statistics.py --scale 0.1  # --scale 1 for a city's year (about 25 min)
	$(BIN)/python bench/login_attack.py

clean:
	rm -rf $(VENV) data artifacts
