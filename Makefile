# ot-eval — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= ot-eval.toml

.DEFAULT_GOAL := help
.PHONY: help setup evaluate validate-stats sql notebooks bench bench-national test test-fast lint browser clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	touch $@

setup: $(VENV)/.installed ## create .venv and install the pinned dependencies

evaluate: setup ## run the whole evaluation (built-in sample by default; CONFIG=file for yours)
	$(BIN)/ot-eval evaluate --config $(CONFIG)

validate-stats: setup ## check the registry DiD's inference by simulation (reports/validation.html)
	$(BIN)/ot-eval validate-stats --config $(CONFIG)

sql: setup ## an interactive read-only SQL session on the warehouse (harlequin)
	$(BIN)/ot-eval sql --config $(CONFIG)

notebooks: setup ## run notebooks/*.py on the warehouse into reports/notebooks/*.html
	$(BIN)/ot-eval notebooks --config $(CONFIG)

bench: setup ## registry path vs the bound and pandas at 1e6 and 1e7 KUHR rows (bench/results.json)
	$(BIN)/python bench/registry_bench.py --rows 1e6 1e7

bench-national: setup ## the same at 1e8 KUHR rows (~5 GB of CSV, ~5 min; added to bench/results.json)
	$(BIN)/python bench/registry_bench.py --rows 1e8

browser: ## install Debian's chromium for the browser tests (needs root and apt)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup browser ## run every test: unit, integration, browser
	$(BIN)/pytest -q --durations=25

test-fast: setup ## unit tests only (seconds)
	$(BIN)/pytest -q tests/unit

lint: setup ## ruff (lint + format check) and mypy
	$(BIN)/ruff check pipeline tests notebooks bench
	$(BIN)/ruff format --check pipeline tests notebooks bench
	$(BIN)/mypy

clean: ## remove generated data, warehouse and reports (keeps .venv)
	rm -rf data/sample warehouse reports/*.html reports/notebooks
