# Two commands for a fresh machine: `make run` and `make test`. Everything lives in .venv/.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run ticket-model decision-model index test test-fast lint eval bench load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch is pinned: pip takes the local CPU build instead of a multi-GB CUDA one.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[local-models,dev]'
	touch $(STAMP)

install: $(STAMP)

index: install  ## build or update the guide index (incremental)
	$(BIN)/python -m assistant ingest

run: install ticket-model decision-model  ## serve API + web UI on http://127.0.0.1:8000 (builds the index if missing)
	$(BIN)/python -m assistant serve

ticket-model: install  ## help-desk ticket router into var/ from ../shared/benchmarks when missing (never copies the data)
	$(BIN)/python scripts/train_tickets.py

decision-model: install  ## the learned decision layer, from the project's data + our MSGABench labels, when missing
	$(BIN)/python -m assistant train --if-missing --benchmarks ../shared/benchmarks

# Two workers, one test module per worker at a time, in collection order (xdist would otherwise start with the
# biggest modules): the fast tier runs while the real stack (index + decision model) is built in a process of
# its own, and the modules that need it come last (tests/conftest.py).
test: install  ## both test tiers (fast + integration)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

test-fast: install
	$(BIN)/python -m pytest -m "not integration"

lint: install
	$(BIN)/ruff check .

eval: install  ## dev-set numbers
	$(BIN)/python -m evals retrieval
	$(BIN)/python -m evals answers

bench: install  ## MSGABench + latency/memory figures
	$(BIN)/python -m evals msgabench
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf var/ .pytest_cache
