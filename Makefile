# `make run` serves the bundled sample; `make test` runs every check.
# Both create .venv and install what they need; a stamp keyed on pyproject.toml
# keeps a second run from reinstalling.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export SPARK_LOCAL_IP ?= 127.0.0.1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint typecheck pytest check-java clean

run: $(STAMP) check-java
	$(BIN)/stock-analytics demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) check-java
	$(BIN)/pytest

check-java:
	@command -v java >/dev/null 2>&1 || { echo "Java 17+ is required by Spark: install it with 'apt-get install -y openjdk-17-jre-headless'." >&2; exit 1; }

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	@rm -f $(VENV)/.installed-*
	@touch $@

clean:
	rm -rf $(VENV) warehouse cdk.out .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (see bench/README.md). SIZES picks a subset: make bench-etl SIZES=0.1M
SIZES ?= 5k,0.1M,1M,2.5M
.PHONY: bench-etl
bench-etl: $(STAMP) check-java
	$(BIN)/python -m bench.etl_bench --sizes $(SIZES)

# API benchmark (wrk from Debian: apt-get install -y wrk) and the long load tests:
# make load runs tests/load with each test LOAD_TEST_SECONDS long (make test runs them short).
LOAD_TEST_SECONDS ?= 60
.PHONY: bench-api bench-athena load
bench-api: $(STAMP) check-java
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is required: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.api_bench

bench-athena: $(STAMP)
	$(BIN)/python -m bench.athena_bench

load: $(STAMP) check-java
	LOAD_TEST_SECONDS=$(LOAD_TEST_SECONDS) $(BIN)/pytest -m load tests/load
