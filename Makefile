# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
INSIEME := $(VENV)/bin/insieme
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

.PHONY: demo test bench mutation lint format install assets messages migrate serve chromium clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed assets messages

# The design system's stylesheet cut to what the pages use (see purgecss.config.mjs): every
# build, as templates change; it takes about two seconds.
assets: node_modules/.installed
	mkdir -p var/assets/echarts
	npx --no-install purgecss --config purgecss.config.mjs
	cp node_modules/echarts/dist/echarts.min.js var/assets/echarts/

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } || { echo "msgfmt (gettext) is needed to compile translations"; exit 1; }
	cd insieme && ../$(INSIEME) compilemessages --verbosity 0

migrate: install
	$(INSIEME) migrate --verbosity 0

demo: migrate
	$(INSIEME) demo
	$(INSIEME) serve --host $(HOST) --port $(PORT)

serve: migrate
	$(INSIEME) serve --host $(HOST) --port $(PORT)

chromium:
	@bash scripts/ensure-chromium.sh

test: install chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: migrate
	$(PY) -m insieme.bench

# Mutation testing (mutmut) of the core modules listed under [tool.mutmut] in pyproject.toml,
# against their own fast tests; prints the score per module. Not part of `make test`.
mutation: $(VENV)/.installed
	rm -rf mutants
	@mkdir -p var
	$(VENV)/bin/mutmut run --max-children $${MUTATION_JOBS:-2} > var/mutation.log 2>&1 || { tail -c 3000 var/mutation.log; exit 1; }
	$(PY) scripts/mutation_score.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var mutants insieme.sqlite3*
