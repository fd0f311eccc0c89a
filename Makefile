# The README's two set-up commands are `make run` and `make test`; both install what they need.
VENV ?= .venv
PYTHON ?= python3
STORE ?= data/store
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install eval clean

run: install  ## build the graph from the sample corpus and serve API + web UI on $(HOST):$(PORT)
	$(VENV)/bin/policykg ingest corpus/seeds --store $(STORE)
	$(VENV)/bin/policykg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install  ## run the whole test suite
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

eval: install  ## precision and recall of extraction against the gold annotations
	$(VENV)/bin/policykg eval

install: $(VENV)/.installed

# the web UI's browser libraries: exactly what web/package-lock.json pins (no install scripts run)
$(VENV)/.installed: pyproject.toml web/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) data build *.egg-info web/node_modules
