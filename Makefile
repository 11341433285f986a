# Everything a user or CI needs goes through here: the venv is made and filled on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint schema clean bench document-locales

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
	$(BIN)/mypy models graph tests bench

schema: $(STAMP)
	$(BIN)/oneoff export-schema > schema.graphql

# The locales invoice documents refuse, as the fonts they embed and babel's data decide.
document-locales: $(STAMP)
	$(BIN)/python -m tests.documents.font_coverage > models/inputs/document_locales.py

# wrk drives the load when it is there (installed quietly as root with apt-get when missing);
# otherwise bench/pyload.py does. ARGS or BENCH_ARGS go to bench/run.py, e.g. ARGS=--quick.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& { apt-get install -y -qq wrk >/dev/null 2>&1 \
		     || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }; }; } \
		|| echo "wrk is not installed: the bench uses its Python load client"
	$(BIN)/python bench/run.py $(ARGS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3
