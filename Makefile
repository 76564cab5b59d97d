# The two commands a newcomer runs: `make run` (the app on a live local demo
# network) and `make test` (the static checks, then the whole suite). Both create
# .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/p2pshare demo

# `make test` (what CI runs, .ci/run) checks before it tests: `lint` first, and any
# failure there stops it. pytest exits 5 when it collects nothing (e.g. a -k filter
# that matches no test): say so loudly, but do not turn an empty selection into a failure.
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 0; fi; exit $$rc

# The static checks, configured in pyproject.toml: formatting, ruff's rules (with
# ASYNC, PT and TC), and mypy --strict over protocol, p2pshare, tui, tests and bench.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: test  # the same as `make test`, which lints first

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
