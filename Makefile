# Two commands on a fresh machine: `make quiz` (install, then start a quiz) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# setup.py compiles these into tutor/*.so: an edit to one means building again
COMPILED := tutor/text.py tutor/matching.py tutor/grading.py

.PHONY: quiz test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py $(COMPILED) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

quiz: $(STAMP)
	$(BIN)/tutor quiz

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) build *.egg-info tutor/*.so
