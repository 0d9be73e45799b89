# The README's two commands: `make run` (set up, then launch the app) and `make test` (set up, then run the tests).
# Both create .venv when it is missing (or half-made) and reinstall when pyproject.toml changes.
# For developers: `make check` (ruff, mypy, import-linter; settings in pyproject.toml) and `make test-fast` (the
# tests without JACK, tmux, sclang, the test plugin or the slow variants: no Debian packages beyond libportaudio2
# needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: setup run test test-fast check lint typecheck layers bench simulate clean

# A working .venv with rlfx-tui in it, checked every time (a half-made one is rebuilt; without python3-venv or with
# Python < 3.11 it says what to install, in one line): .ci/venv.
setup:
	@.ci/venv $(PYTHON) $(VENV)
	@if [ ! -x $(BIN)/rlfx-tui ] || [ pyproject.toml -nt $(BIN)/rlfx-tui ]; then \
	  $(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e '.[test]' \
	  && touch $(BIN)/rlfx-tui; fi

run: setup
	@.ci/system-deps --check-runtime
	$(BIN)/rlfx-tui $(ARGS)

# Without the optional Debian packages (not root: nothing is installed) the tests that need them are deselected by
# marker and the rest run; .ci/system-deps says what was skipped and why, before and after.
test: setup
	@filter=$$(.ci/system-deps --tests) || exit 1; \
	$(BIN)/python -m pytest $${filter:+-m "$$filter"} $(ARGS); status=$$?; \
	[ -z "$$filter" ] || .ci/system-deps --tests >/dev/null; exit $$status

test-fast: setup
	@.ci/system-deps --check-runtime
	$(BIN)/python -m pytest -m "not jack and not tmux and not sclang and not plugin and not slow" $(ARGS)

# Each gate on its own; `make -k check` runs all three even when one fails.
check: lint typecheck layers

lint: setup
	$(BIN)/ruff check rlfx_tui tests
	$(BIN)/ruff format --check rlfx_tui tests

typecheck: setup
	$(BIN)/mypy

layers: setup
	$(BIN)/lint-imports

bench: setup
	$(BIN)/rlfx-tui bench $(ARGS)

simulate: setup
	$(BIN)/rlfx-tui simulate $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
