# Two entry points: `make demo` and `make test`. Each bootstraps .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean bench-agency bench-ingest bench-ingest-pg bench-server bench-records bench-respond bench-sbom bench-dns bench-collect bench-screening bench-signing bench-startup install
BINDIR ?= $(HOME)/.local/bin

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vendorscope demo --out demo-output

install: $(STAMP)  # put the command on the PATH: a link in BINDIR (default ~/.local/bin) to .venv/bin/vendorscope
	mkdir -p $(BINDIR)
	ln -sf $(abspath $(BIN))/vendorscope $(BINDIR)/vendorscope
	@echo "vendorscope -> $(BINDIR)/vendorscope (make sure $(BINDIR) is on your PATH)"

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

# One target per benchmark (figures and the machine they were taken on: docs/benchmarks.md).
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
bench-agency: $(STAMP)  # SCALE=0.01 by default; add PG=1 for PostgreSQL
	$(BIN)/python benchmarks/bench_agency.py --scale $(or $(SCALE),0.01) $(if $(PG),--pg $(PG_URL))
bench-ingest: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py
bench-ingest-pg: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest.py --pg $(PG_URL)
bench-server: $(STAMP)
	$(BIN)/python benchmarks/bench_server_load.py --pg $(PG_URL)
bench-records: $(STAMP)
	$(BIN)/python benchmarks/bench_records.py
bench-respond: $(STAMP)
	$(BIN)/python benchmarks/bench_respond.py
bench-sbom: $(STAMP)
	$(BIN)/python benchmarks/bench_sbom.py
bench-dns: $(STAMP)
	$(BIN)/python benchmarks/bench_dns.py
bench-collect: $(STAMP)
	$(BIN)/python benchmarks/bench_collect.py
bench-screening: $(STAMP)
	$(BIN)/python benchmarks/bench_screening.py
bench-signing: $(STAMP)
	$(BIN)/python benchmarks/bench_signing_walk.py
bench-startup: $(STAMP)  # add BEFORE=<older checkout>/src to measure it side by side
	$(BIN)/python benchmarks/bench_startup.py $(if $(BEFORE),--before $(BEFORE))

clean:
	rm -rf $(VENV) demo-output vendorscope.db
