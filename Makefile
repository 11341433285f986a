# Everything a user or CI needs goes through here: the venv is made and filled on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint schema clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/oneoff serve --seed-demo

# Two workers: most of a run is waiting on real servers and databases, and CI has 2 cores.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy models graph tests

schema: $(STAMP)
	$(BIN)/oneoff export-schema > schema.graphql

bench: $(STAMP)
	$(BIN)/python bench/create_invoices.py

clean:
	rm -rf $(VENV) var/*.sqlite3
