# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run serve test test-sqlite test-postgres install migrate seed lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) demo seed --if-empty

run: seed
	$(FLASK) dev serve --host 127.0.0.1 --port $(PORT)

serve: migrate
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile - wsgi:app

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		TEST_DATABASE_BACKEND=postgresql $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis

# Benchmarks: print their figures; never part of `make test`.
.PHONY: bench-detection bench-replay
bench-detection: install
	$(BIN)/python -m bench.evaluate
	$(BIN)/python -m bench.replay_speed

bench-replay: install
	$(BIN)/python -m bench.replay_speed

# Needs the local PostgreSQL; builds the database infusion_bench once (a few minutes).
.PHONY: bench-scan
bench-scan: install
	$(BIN)/python -m bench.scan_bench
