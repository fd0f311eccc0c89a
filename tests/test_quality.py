"""The quality gates of `make test` (issue 10): ruff and mypy pass, with the versions and the
configuration pyproject.toml pins ([tool.ruff], [tool.mypy]; both tools in the test extras). The
import layers are tests/test_layers.py; warnings raised from our own code are errors through
pyproject's filterwarnings."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version

from tests import typecheck
from tests.conftest import ROOT

RUFF_PATHS = ["policykg", "ontology", "ingest", "graph", "queries", "api", "tests", "bench"]


def _pins() -> dict[str, str]:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]
    return {m.group(1).lower(): m.group(2) for m in (re.match(r"([\w.-]+)==([\w.]+)", pin) for pin in extras) if m}


def test_the_checkers_are_the_pinned_versions():
    pins = _pins()
    for tool in ("ruff", "mypy", "types-pyyaml", "types-networkx", "types-lxml"):
        assert tool in pins, f"{tool} is not pinned (==) in pyproject's test extras"
        assert version(tool) == pins[tool], f"{tool} {version(tool)} is installed, pyproject pins {pins[tool]}: run make install"


def test_ruff():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", *RUFF_PATHS],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"ruff check {' '.join(RUFF_PATHS)} (exit {done.returncode}):\n{done.stdout}{done.stderr}"


def test_mypy_on_the_package():
    done = typecheck.run()
    assert done.returncode == 0, f"mypy -p policykg (python -m tests.typecheck; exit {done.returncode}):\n{done.stdout}{done.stderr}"
    assert "Success" in done.stdout, done.stdout  # the package was checked (mypy found the modules)
