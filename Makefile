# Two commands: `make run` (the service on embedded defaults) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/intake serve

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	rm -rf var/coverage && mkdir -p var/coverage
	COVERAGE_FILE=$(CURDIR)/var/coverage/data $(VENV)/bin/coverage run -m pytest -q
	@COVERAGE_FILE=$(CURDIR)/var/coverage/data $(VENV)/bin/coverage combine -q
	@echo "coverage (tests and the processes they start): \
	$$(COVERAGE_FILE=$(CURDIR)/var/coverage/data $(VENV)/bin/coverage report --format=total)%"

clean:
	rm -rf $(VENV) var
