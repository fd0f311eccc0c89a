# The README's two set-up commands are `make run` and `make test`; both install what they need.
VENV ?= .venv
PYTHON ?= python3
STORE ?= data/store
HOST ?= 127.0.0.1
PORT ?= 8000
NODE_MODULES = web/node_modules/.package-lock.json
VENDOR = api/static/vendor/versions.json

.PHONY: run test install system eval clean

run: install  ## build the graph from the sample corpus and serve API + web UI on $(HOST):$(PORT)
	$(VENV)/bin/policykg ingest corpus/seeds --store $(STORE)
	$(VENV)/bin/policykg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: system install  ## install what the tests need and run the whole test suite (what CI runs)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto --maxprocesses 4 --dist loadfile  # one file's tests on one worker

eval: install  ## precision and recall of extraction against the gold annotations
	$(VENV)/bin/policykg eval

install: $(VENV)/.installed

# Debian packages the tests need: Chromium for the browser tests, a CJK font so their screenshots
# show Chinese, npm for the web UI's locked assets, Virtuoso for the canned queries on a real SPARQL
# server (tests/test_virtuoso.py); installed only when missing (sudo when not root)
system:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/virtuoso-t ] || missing="$$missing virtuoso-opensource"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-microhei"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# setuptools notes of every editable install that a folder named like the package may shadow it; here
# that folder (policykg/) is the package's core, mapped to itself: only that notice is silenced
$(VENV)/.installed: pyproject.toml $(VENDOR)
	@echo "installing policykg and its pinned Python packages into $(VENV) (a few minutes the first time) ..."
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(VENV)/bin/python -m pip install -q -e '.[test]'
	@echo "installed: $(VENV)/bin/policykg"
	touch $@

# the web UI's browser libraries: exactly what web/package-lock.json pins (no install scripts run) ...
$(NODE_MODULES): web/package-lock.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	touch $@

# ... of which the allow-listed files, with their locked versions, are copied into the package (api/static/vendor)
$(VENDOR): $(NODE_MODULES) api/assets.py
	$(PYTHON) api/assets.py
	touch $@

clean:
	rm -rf $(VENV) data build *.egg-info web/node_modules
	find api/static/vendor -type f ! -name .gitignore -delete
