# The two commands of the quick start: `make run` and `make test`; `make bench` (about 15 min,
# never part of `make test`) prints the benchmarks' table (bench/README.md).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.requirements-installed

.PHONY: run test bench lint format system-packages system-packages-test clean

run: system-packages $(STAMP)
	$(VENV)/bin/python manage.py migrate --no-input
	$(VENV)/bin/python manage.py collectstatic --no-input -v 0
	$(VENV)/bin/python manage.py runseedbox

test: system-packages-test $(STAMP)
	$(VENV)/bin/ruff check .
	./scripts/test.sh $(ARGS)

bench: $(STAMP)
	$(VENV)/bin/python bench/run_all.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

system-packages:
	@./scripts/system-packages.sh run

system-packages-test:
	@./scripts/system-packages.sh test

$(STAMP): requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) var/static
