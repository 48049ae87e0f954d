# relay gateway: `make run` tries it on the embedded default, `make test` runs every check.
# Both set everything up first (virtualenv, dependencies, database schema, DKIM key).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= config.example.toml

.PHONY: setup run test lint format bench pg-up clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Start the gateway on the example config: SQLite + maildir under ./data, SMTP on 127.0.0.1:2525.
run: setup
	$(BIN)/gateway dkim keygen --if-missing --config $(CONFIG) > /dev/null
	$(BIN)/gateway db upgrade --config $(CONFIG)
	$(BIN)/gateway serve --config $(CONFIG)

## Lint, format check and the whole test suite (SQLite and PostgreSQL).
test: setup pg-up
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## The load benchmark: gateway (SQLite, PostgreSQL) vs bare proxy vs Postfix, 5 KB and 100 KB,
## then one 25 MB message; about 3-6 minutes. Options: make bench BENCH_ARGS="--quick".
BENCH_ARGS ?=
bench: setup pg-up
	$(BIN)/python bench/bench_load.py $(BENCH_ARGS)

## PostgreSQL must answer on 127.0.0.1:5432 for the storage tests; start the local cluster if not.
pg-up:
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
	  (pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start && \
	   for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
