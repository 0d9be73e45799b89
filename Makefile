# The README's two commands: `make run` (set up, then launch the app) and `make test` (set up, then run the tests).
# Both create .venv when it is missing and reinstall when pyproject.toml changes.
# For developers: `make check` (ruff, mypy, import-linter; settings in pyproject.toml) and `make test-fast` (the
# tests without JACK, tmux, sclang, the test plugin or the slow variants: no Debian packages beyond libportaudio2
# needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test test-fast check lint typecheck layers bench simulate clean

$(BIN)/rlfx-tui: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/rlfx-tui
	@.ci/system-deps --check-runtime
	$(BIN)/rlfx-tui $(ARGS)

test: $(BIN)/rlfx-tui
	@.ci/system-deps
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(BIN)/rlfx-tui
	@.ci/system-deps --check-runtime
	$(BIN)/python -m pytest -m "not jack and not tmux and not sclang and not plugin and not slow" $(ARGS)

# Each gate on its own; `make -k check` runs all three even when one fails.
check: lint typecheck layers

lint: $(BIN)/rlfx-tui
	$(BIN)/ruff check rlfx_tui tests
	$(BIN)/ruff format --check rlfx_tui tests

typecheck: $(BIN)/rlfx-tui
	$(BIN)/mypy

layers: $(BIN)/rlfx-tui
	$(BIN)/lint-imports

bench: $(BIN)/rlfx-tui
	$(BIN)/rlfx-tui bench $(ARGS)

simulate: $(BIN)/rlfx-tui
	$(BIN)/rlfx-tui simulate $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
