# The README's two commands: `make run` (set up, then launch the app) and `make test` (set up, then run the tests).
# Both create .venv when it is missing and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test bench simulate clean

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

bench: $(BIN)/rlfx-tui
	$(BIN)/rlfx-tui bench $(ARGS)

simulate: $(BIN)/rlfx-tui
	$(BIN)/rlfx-tui simulate $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
