# Each target creates its own virtualenv in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench bench-full eval clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/briefing

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q
	@if command -v tmux >/dev/null 2>&1 && [ -x scripts/tmux-smoke ]; then \
		scripts/tmux-smoke; \
	else \
		echo "tmux-smoke: skipped (tmux not installed or script missing)"; \
	fi

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_reader.py
	$(BIN)/python bench/bench_index.py --quick

bench-full: $(VENV)/.installed
	$(BIN)/python bench/bench_index.py

eval: $(VENV)/.installed
	$(BIN)/python eval/retrieval.py
	$(BIN)/python eval/extraction.py

clean:
	rm -rf $(VENV) build dist *.egg-info
