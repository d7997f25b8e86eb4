# Two entry points: `make demo` and `make test`. Each bootstraps .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vendorscope demo --out demo-output

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks

bench: $(STAMP)  # every benchmark in benchmarks/, one after the other (long: see docs/benchmarks.md)
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

fuzz: $(STAMP)  # property tests of every parser with a large random budget, then atheris (coverage-guided)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q -n 2 tests/test_fuzz_parsers.py
	$(BIN)/python -m pip install --quiet -e '.[fuzz]' && $(BIN)/python benchmarks/fuzz_atheris.py -atheris_runs=$${FUZZ_RUNS:-20000}

clean:
	rm -rf $(VENV) demo-output vendorscope.db
