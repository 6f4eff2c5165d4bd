# Two entry points, each bootstraps its own virtual environment in .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/medbill demo --out out/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/python -m mypy --strict src tests tools
	$(BIN)/python -m ruff check src tests examples benchmarks tools
	$(BIN)/python -m ruff format --check src tests examples benchmarks tools
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet --site-dir $(VENV)/site

clean:
	rm -rf $(VENV)
