# swapsim: set-up and common jobs. Needs only python3 on the machine.
#   make run    create .venv if missing, install swapsim, run the factory scenario -> results/factory/
#   make test   same set-up, run the linters (make lint: ruff, mypy) and the whole test suite
#   make test-fast  the quick tiers only (pytest -m "not slow": no validation, docs or slow tests),
#               without the linters: the loop to run while editing. `make test` runs every tier
#               but the `long` checks (tens of minutes each on long simulations), which are
#   make test-long  run alone (not part of `make test` or CI).
#   make test-compiled  build the compiled variant (SWAPSIM_COMPILE=require, mypyc, a few minutes of
#               CPU) in its own venv .venv-compiled, then run the golden and the quick tiers against it
#               from a copy of tests/ without the swapsim/ source (CTEST_ARGS= runs every tier).
#   make golden-compiled  the same build, then only the golden (tests/regression): CI runs it after
#               `make test`. Without a C compiler it says so in one line and passes (pip install
#               falls back to pure Python there, by design).
#   make bench  same set-up, run the benchmarks (about an hour, half of it benchmark 5's
#               1000-robot year; not part of `make test`);
#               `make bench QUICK=1` is a smoke run of about 4 minutes of CPU time (233 s
#               measured; longer in wall time on a busy machine). See docs/performance.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.swapsim-installed

.PHONY: run test test-fast test-long test-compiled golden-compiled lint bench install clean

# Reinstall only when the project's metadata changed (or the venv is new). An editable install is always
# pure Python (build_backend/swapsim_build.py): the source tree is what runs, set-up takes no compiler
# time, and the white-box tests that patch model classes need it. `pip install .` compiles (README).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/swapsim run scenarios/factory.yaml --out results/factory

# Two worker processes (pytest-xdist), one test file to a worker so that a module's shared runs are
# made once; the results do not depend on it (`.venv/bin/python -m pytest` alone runs the same tests).
# Files go out in the order tests/conftest.py gives them, the longest first (--no-loadscope-reorder:
# xdist would otherwise hand out the files with the most tests first and leave the long docs passes,
# one test each, to the end), so that both workers end together.
PYTEST_WORKERS ?= -n 2 --dist loadfile --no-loadscope-reorder

test: lint
	$(BIN)/python -m pytest -q $(PYTEST_WORKERS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_WORKERS) -m "not slow"

# The long checks (the size answers at 4x their horizon, pack replacements over 5 years, the
# end-of-life equivalence): tens of minutes each, deselected by default (pyproject.toml addopts).
test-long: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_WORKERS) -m long

# The compiled build (docs/performance.md): the model's modules compiled with mypyc, installed from this
# tree (not editable) in its own venv, rebuilt when a source file changes. Its tests run from a copy of
# tests/, scenarios/, docs/ and benchmarks/ that has no swapsim/ in it, so that the installed, compiled
# swapsim is the one imported. CTEST_ARGS picks the tests (default: the quick tiers, which include the
# bit-identity golden of tests/regression); `make test-compiled CTEST_ARGS=` runs every tier.
CVENV      ?= .venv-compiled
CBIN       := $(CVENV)/bin
CSTAMP     := $(CVENV)/.swapsim-compiled
CTEST      := $(CVENV)/test-copy
CTEST_ARGS ?= -m "not slow"

$(CSTAMP): pyproject.toml setup.py $(shell find swapsim build_backend -name '*.py')
	@test -x $(CBIN)/python || $(PYTHON) -m venv $(CVENV)
	SWAPSIM_COMPILE=require $(CBIN)/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	@touch $(CSTAMP)

test-compiled: $(CSTAMP)
	rm -rf $(CTEST) && mkdir -p $(CTEST)
	cp -r tests scenarios docs benchmarks README.md Makefile pyproject.toml $(CTEST)/
	rm -rf $(CTEST)/benchmarks/results
	cd $(CTEST) && $(abspath $(CBIN))/swapsim --version | grep "(compiled: "
	cd $(CTEST) && $(abspath $(CBIN))/python -m pytest -q -p no:cacheprovider $(PYTEST_WORKERS) $(CTEST_ARGS)

# CI's check that both builds give the same bytes: `make test` runs the golden on the pure build, this
# target on the compiled one. No C compiler: one line, and success (the fallback is the designed
# behaviour); a compiler and different results, or a build that fails: failure.
GOLDEN := tests/regression/test_golden.py tests/regression/test_regression.py tests/regression/test_pack_replacements_bits.py
golden-compiled:
	@why=$$($(PYTHON) build_backend/swapsim_compiler.py) || \
	  { echo "golden-compiled: skipped, $$why: pip install . installs pure Python here"; exit 0; }; \
	  $(MAKE) --no-print-directory test-compiled CTEST_ARGS="$(GOLDEN)"

# ruff (lint and format) and mypy, configured in pyproject.toml; part of `make test`.
lint: $(STAMP)
	$(BIN)/ruff check swapsim tests benchmarks docs
	$(BIN)/ruff format --check swapsim
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) $(CVENV) .pytest_cache .hypothesis build *.egg-info

# Rerun the validation experiments and rewrite docs/validation.md, its data and figures (about 15 min).
.PHONY: validation
validation: $(STAMP)
	$(BIN)/python -m swapsim.analysis.validation

# Redraw the example figures of docs/figures-and-reports.md from the shipped scenarios (about a minute).
.PHONY: docs-figures
docs-figures: $(STAMP)
	$(BIN)/python docs/make_figures.py
