# Resilia: two commands.
#   make demo   install, prepare the data directory, load the demo bank, serve it
#   make test   install the test tools, then run the whole test suite (browser tests included)
#               on every core (PYTEST_WORKERS=0: in one process)
#   make bench  install what the benchmarks need, then run the engine benchmark (benchmarks/)
#   make bench-pages  every page at 100k nodes on PostgreSQL (BENCH_PAGES_DB, benchmarks/)
# Re-running is fast: each step leaves a stamp file and only re-runs when its input changed.
# Nothing asks a question: safe for CI and scripts.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA := data
PORT ?= 8000
# The address printed by the demo and used in e-mail links follows the chosen port.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL
PYTEST_ARGS ?= -q
# Test processes (pytest-xdist): one per core by default, each with its own test database;
# PYTEST_WORKERS=0 runs the suite in this process (for a debugger or -x).
PYTEST_WORKERS ?= auto
# Options of benchmarks/engine.py, e.g. BENCH_ARGS='--nodes 100000' for a quicker run.
BENCH_ARGS ?=
# The dedicated PostgreSQL database of benchmarks/pages.py (built once, then reused) and its options.
BENCH_PAGES_DB ?= postgres://postgres@127.0.0.1:5432/bench_pages
BENCH_PAGES_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1
# The secret key lives in the data directory, created once; the app never runs in DEBUG.
RESILIA := SECRET_KEY_FILE=$(CURDIR)/$(DATA)/secret_key AUDIT_HMAC_KEY_FILE=$(CURDIR)/$(DATA)/audit_key $(BIN)/resilia

.PHONY: demo test bench bench-pages serve install install-dev i18n migrate browser clean

demo: install i18n migrate
	$(RESILIA) demo
	$(RESILIA) serve --port $(PORT)

serve: install i18n migrate
	$(RESILIA) serve --port $(PORT)

# worksteal: an idle worker takes queued tests from a busy one, so the few long tests (real
# worker processes, the API fuzz, the browser journeys) do not leave a core idle at the end.
test: install-dev i18n browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The engine benchmark compares with the networkx reference of the tests: the dev extra has it.
# benchmarks/compile_db.py needs a dedicated PostgreSQL database; run it by hand with DATABASE_URL
# (benchmarks/README.md).
bench: install-dev
	$(BIN)/python benchmarks/engine.py $(BENCH_ARGS)

# Every register, detail and analysis page timed over a real server at 100k nodes: the first
# run creates BENCH_PAGES_DB if missing and builds the model in it, later runs reuse it.
bench-pages: install i18n $(DATA)/secret_key $(DATA)/audit_key
	$(BIN)/python benchmarks/ensure_db.py $(BENCH_PAGES_DB)
	DATABASE_URL=$(BENCH_PAGES_DB) $(RESILIA) migrate --noinput -v0
	DATABASE_URL=$(BENCH_PAGES_DB) SECRET_KEY_FILE=$(CURDIR)/$(DATA)/secret_key \
		AUDIT_HMAC_KEY_FILE=$(CURDIR)/$(DATA)/audit_key $(BIN)/python benchmarks/pages.py $(BENCH_PAGES_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

$(DATA)/secret_key:
	@mkdir -p -m 700 $(DATA)
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@echo "Generated a secret key in $@"

# The audit chain's HMAC key, also kept out of the database and made once.
$(DATA)/audit_key:
	@mkdir -p -m 700 $(DATA)
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(32))" > $@
	@echo "Generated the audit chain key in $@"

# Compiling the catalogues with polib takes a second: no stamp, so edited .po files count.
i18n: install $(DATA)/secret_key $(DATA)/audit_key
	@$(RESILIA) i18n compile

migrate: install $(DATA)/secret_key $(DATA)/audit_key
	@mkdir -p -m 700 $(DATA) && mkdir -p $(DATA)/static
	$(RESILIA) migrate --noinput -v0

# Browser tests drive Debian's Chromium (Playwright's own download cannot be used here).
browser:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk chromium-l10n >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-l10n fonts-noto-cjk; \
	  else \
	    echo "Browser tests need Debian's chromium and fonts-noto-cjk (apt-get install chromium chromium-l10n fonts-noto-cjk)"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) resilia.egg-info
