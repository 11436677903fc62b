# Two entry points for a fresh Debian/Ubuntu machine with Python 3.11+:
#   make demo   set up, then run the whole pipeline against the built-in sandbox
#   make test   set up (with test extras), then the linter, the type checker and every test
#   make sample redraw the pictures of the reports (README.md, docs/reports.md) from the demo
#   make docs   regenerate the command reference, docs/cli.md, from the commands' --help
# Both are safe to run twice: each step checks what is already there.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# What WeasyPrint needs from the system (Pango) and fonts that cover the names
# reps really have: Latin, Greek, Cyrillic, Arabic, Hebrew (DejaVu, Noto) and CJK (Noto CJK).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk
# Tests and `make sample` read the PDFs back as text and pictures (pdftotext, pdftoppm); the
# workbook tests open it in LibreOffice Calc, a second client, and look at what it shows.
# The shipped crontab's test runs its lines at the cron moment (faketime, libfaketime).
TEST_PACKAGES := poppler-utils libreoffice-calc faketime

.PHONY: messages demo test test-another-day test-floors sample docs lint system-deps test-system-deps apt-packages setup setup-test clean

demo: setup
	$(BIN)/reporter demo --config examples/reporter.toml

test: setup-test
	$(BIN)/ruff check reporter tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2

# The suite again on another day: every Python process of the run starts its clock at
# ANOTHER_DAY (UTC) and lets it tick (tests/clock/sitecustomize.py). A test that reads the real
# date fails here or on the real date. The default crosses midnight into March a minute in.
ANOTHER_DAY ?= 2027-02-28T23:59:00
test-another-day: setup-test
	REPORTER_TEST_NOW=$(ANOTHER_DAY) PYTHONPATH=tests/clock $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider

# The dependency floors of pyproject.toml are versions that work: a fresh venv with every
# dependency at exactly its floor (scripts/floors.py) runs the fast tests. CI runs it after `test`.
FLOORS := .venv-floors
test-floors: test-system-deps | $(BIN)/python
	rm -rf $(FLOORS)
	$(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install -q --upgrade pip
	$(BIN)/python scripts/floors.py > $(FLOORS)/constraints.txt
	$(QUIET_EDITABLE) $(FLOORS)/bin/python -m pip install -q -c $(FLOORS)/constraints.txt -e '.[test]'
	$(FLOORS)/bin/python -m pytest -q -n 2 -m 'not slow' -p no:cacheprovider
	$(QUIET_EDITABLE) $(BIN)/python -m pip install -q -e '.[test]'

# The docs' pictures (examples/*.png) from the demo's reports; a test fails when the report
# templates change and this was not run.
sample: setup test-system-deps
	$(BIN)/python scripts/sample.py

# docs/cli.md from every command's --help, docs/templates.md from the templates and their
# contexts; tests/test_cli.py and tests/test_docs.py fail when either is out of date.
docs: setup
	$(BIN)/python scripts/update_docs.py

# The catalog template, reporter/locale/messages.pot, from the code and templates, and every
# language's messages.po updated from it (new messages empty, for a translator; see
# docs/translating.md). tests/test_catalogs.py fails when the .pot is out of date.
messages: setup
	$(BIN)/python scripts/messages.py

lint: setup-test
	$(BIN)/ruff check reporter tests bench scripts
	$(BIN)/mypy

system-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(SYSTEM_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory apt-packages PACKAGES="$(SYSTEM_PACKAGES) $(TEST_PACKAGES)"

apt-packages:
	@missing=""; \
	for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then echo "please install:$$missing" >&2; exit 1; fi; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  echo "installing system packages:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "reporter needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# setuptools' editable build prints a boxed "Editable installation" notice on every install
# (a package folder in the working directory may shadow it: here that is the point); only
# that notice is silenced, by its message.
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

setup: system-deps $(VENV)/.installed

setup-test: test-system-deps $(VENV)/.installed-test

clean:
	rm -rf $(VENV) $(FLOORS) output build *.egg-info
