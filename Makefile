# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
INSIEME := $(VENV)/bin/insieme
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

# Python dependencies install from a lock with hashes (requirements/, written by `make lock`):
# lock.txt is what runs (the container image installs it), lock-dev.txt adds the dev tools.
LOCK := requirements/lock.txt
DEV_LOCK := requirements/lock-dev.txt
UV := $(VENV)/bin/uv

.PHONY: demo test bench mutation lint format install assets messages migrate serve chromium clean lock audit prod-local loadtest faulttest

$(VENV)/.installed: pyproject.toml $(DEV_LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) scripts/check_lock.py
	touch $@

# Writes requirements/lock.txt (runtime) and requirements/lock-dev.txt (runtime + dev) from
# pyproject.toml and requirements/build.in, with the hashes of every file of every pinned
# release, for Python 3.11 on any platform (x86_64 and aarch64 Linux alike). Pins already in
# the lock stay unless pyproject.toml needs others; `make lock UPGRADE=1` takes the newest.
lock:
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet 'uv>=0.5'
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
	  pyproject.toml requirements/build.in --extra dev -o $(DEV_LOCK)
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command 'make lock' \
	  pyproject.toml requirements/build.in -c $(DEV_LOCK) -o $(LOCK)

# Known vulnerabilities in the locked versions (pip-audit); fails when the vulnerability
# service cannot be reached rather than passing unchecked (scripts/audit.py).
audit: $(VENV)/.installed
	$(PY) scripts/audit.py $(LOCK) $(DEV_LOCK)

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

# Production mode on this machine: private PostgreSQL and Redis (Debian's packages, installed
# when missing as root), several gunicorn processes, a Celery worker with the periodic jobs
# (scripts/prodlocal.py). The load and fault tests start the same stack themselves;
# LOADTEST_USERS (200) and LOADTEST_SECONDS (300) size them. See README.md, Operations.
prod-local: install
	$(PY) scripts/prodlocal.py

loadtest: install
	$(PY) scripts/loadtest.py

faulttest: install
	$(PY) scripts/faulttest.py

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
