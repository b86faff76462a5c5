# Two commands for a fresh machine: `make demo` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(BIN)/.loopmall-installed

.PHONY: demo test install browser lint check serve clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(STAMP)

# Browser tests drive Debian's Chromium through Playwright (never a browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "could not install chromium: browser tests will be skipped"; \
	  else echo "no /usr/bin/chromium and not root: browser tests will be skipped"; fi; \
	fi

demo: install
	$(BIN)/loopmall demo

serve: install
	$(BIN)/loopmall serve

lint: install
	$(BIN)/ruff check loopmall bench tests
	$(BIN)/ruff format --check loopmall bench tests

check: install
	$(BIN)/loopmall makemigrations --check --dry-run
	$(BIN)/lint-imports

test: install browser check
	$(BIN)/ruff check loopmall bench tests
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var
