# `make demo` and `make test` both set up .venv first (pinned stack; a no-op when up to date).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

FASHION_MNIST := /usr/share/datasets/fashion-mnist
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint bench venv clean data browser

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m zoo.demo

test: $(STAMP) data browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The real Fashion-MNIST (Debian package). Tests that need it say so and skip only when it
# cannot be installed here (no root, no apt).
data:
	@if [ ! -d $(FASHION_MNIST) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist) \
	      || echo "warning: could not install dataset-fashion-mnist"; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    (sudo apt-get update -qq && sudo apt-get install -y -qq dataset-fashion-mnist) \
	      || echo "warning: could not install dataset-fashion-mnist"; \
	  else echo "note: $(FASHION_MNIST) missing and apt-get unavailable; its tests will skip"; \
	  fi; \
	fi

# Debian's Chromium for the browser tests (tests/test_hub_web_browser.py, Playwright drives
# /usr/bin/chromium; never `playwright install`). They skip without it, and fail under CI.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) \
	      || echo "warning: could not install chromium chromium-driver"; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    (sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver) \
	      || echo "warning: could not install chromium chromium-driver"; \
	  else echo "warning: $(CHROMIUM) missing and apt-get unavailable; the browser tests will skip"; \
	  fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check zoo tests benchmarks
	python3 ../shared/checks/house_rules.py

bench: $(STAMP)
	$(PY) benchmarks/sine.py

clean:
	rm -rf $(VENV) build dist runs
