PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install migration bench mutation clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,train]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/schildwacht demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

migration: $(STAMP)
	$(BIN)/python scripts/regen_migration.py

bench: $(STAMP)
	$(BIN)/python bench/classifier.py

# Mutation score of the core modules (README "Testen en mutatiescore"); CPU heavy, not part of `make test` or .ci/run.
mutation: $(STAMP)
	$(BIN)/python scripts/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) .schildwacht .pytest_cache mutants
