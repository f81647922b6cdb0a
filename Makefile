# Kaifong — `make run` serves the chat and API; `make test` is the whole gate; `make bench` prints the figures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PKGS   := kaifong tests benchmarks tools

.PHONY: run test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run

run: $(VENV)/.run
	$(BIN)/kaifong serve --host 127.0.0.1 --port 8000

lint: $(VENV)/.dev
	$(BIN)/ruff format --check $(PKGS)
	$(BIN)/ruff check $(PKGS)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -W error --cov --cov-report=term --cov-fail-under=90

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks

docs: $(VENV)/.dev
	$(BIN)/python -m tools.architecture

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
