# nianbao make targets. Each target creates .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: demo test bench bench-quick chaos lint clean schema-doc

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nianbao demo

# docs/schema.md: every table, view and column with its comment (tests check it is up to date)
schema-doc: $(STAMP)
	$(BIN)/nianbao schema --markdown > docs/schema.md

# The suite runs in PYTEST_WORKERS processes (pytest-xdist); --dist loadfile keeps each test file on one
# worker, so a module's fixtures are built once. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m bench

# The crawl (when bench/bench_crawl.py exists) and scale benchmarks at a tenth of the size
# (NIANBAO_BENCH_SCALE=0.1: 10,000 archived reports; the crawl bench reads the same variable).
bench-quick: $(STAMP)
	NIANBAO_BENCH_SCALE=0.1 $(BIN)/python -m bench $(if $(wildcard bench/bench_crawl.py),crawl) scale

chaos: $(STAMP)
	$(BIN)/python -m pytest -q -m chaos tests

clean:
	rm -rf data/nianbao.duckdb data/archive bench/results/*.json
