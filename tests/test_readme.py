"""The README's examples, run as written: in a folder holding ``data/store`` (the seeds, ingested
by the command line as ``make run`` does) and ``.venv`` (this environment), against a real server
on loopback. The one change made to a command is the server's address (``http://127.0.0.1:8000``
→ the test server's free port). Each example either runs here or is listed in ``NOT_RUN`` with
the reason, so a new example cannot go untested unnoticed. And every command's ``--help``
examples are valid bash (no unquoted parentheses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from tests.conftest import ROOT

pytestmark = pytest.mark.server
README = (ROOT / "README.md").read_text(encoding="utf-8")
ORIGIN = "http://127.0.0.1:8000"
# examples that need what a test cannot start, or that other tests run
NOT_RUN = {
    "make run": "the set-up command itself (CI runs `make test`)",
    "make test": "the set-up command itself (CI runs it)",
    "PYTHONPATH=. .venv/bin/python -m bench.corpus": "a template with placeholders (OUT_DIR, N, S); tests/test_corpus_generator.py runs the generator",
    ".venv/bin/policykg eval": "minutes long; tests/test_store_and_cli.py and tests/test_evaluation.py run it",
    "python ../shared/realworld/score.py": "needs ../shared, which a fresh clone does not have",
    "policykg ingest corpus/ --store data/store": "part of the SPARQL-server recipe (Virtuoso on :8890; tests/test_virtuoso.py covers publish and --endpoint)",
    "policykg publish": "needs Virtuoso on :8890 (tests/test_virtuoso.py)",
    "policykg serve --endpoint": "needs Virtuoso on :8890 (tests/test_virtuoso.py)",
    "policykg query obligations -p agency=钦南区法制办 --endpoint": "needs Virtuoso on :8890 (tests/test_virtuoso.py)",
}


def fenced() -> list[tuple[str, str]]:
    """The README's fenced blocks: (info string, text)."""
    out, current, lang = [], None, ""
    for line in README.splitlines(keepends=True):
        if line.startswith("```"):
            if current is None:
                current, lang = [], line[3:].strip()
            else:
                out.append((lang, "".join(current)))
                current = None
        elif current is not None:
            current.append(line)
    return out


def blocks(language: str) -> list[str]:
    return [text for lang, text in fenced() if lang == language]


def commands() -> list[str]:
    """Every command of the README's shell blocks, continuation lines joined."""
    out = []
    for block in blocks("sh") + blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                out.append(line.strip())
    return out


def _not_run(command: str) -> bool:
    return any(command.startswith(prefix) for prefix in NOT_RUN)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, vocabulary_store) -> Path:
    """A folder as after `make run`: data/store with the seeds, .venv, corpus/seeds."""
    d = tmp_path_factory.mktemp("readme")
    shutil.copytree(vocabulary_store, d / "data" / "store")
    (d / ".venv").symlink_to(Path(sys.prefix))
    (d / "corpus").mkdir()
    (d / "corpus" / "seeds").symlink_to(ROOT / "corpus" / "seeds")
    done = subprocess.run([str(d / ".venv" / "bin" / "policykg"), "ingest", "corpus/seeds", "--store", "data/store"],
                          cwd=d, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return d


@pytest.fixture(scope="module")
def url(folder):
    from policykg.api.app import create_app
    from policykg.graph.store import Store
    from tests.w3c.harness import serve

    with serve(create_app(Store(folder / "data" / "store", read_only=True))) as u:
        yield u


def _run(command: str, folder: Path, url: str) -> str:
    env = {**os.environ, "PATH": f"{folder / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", command.replace(ORIGIN, url)], cwd=folder, capture_output=True, timeout=300, env=env)
    assert done.returncode == 0, (command, done.stderr.decode(errors="replace"))
    return done.stdout.decode("utf-8")


def test_every_shell_example_runs_or_says_why_not(folder, url):
    ran = 0
    outputs = {}
    for command in commands():
        if _not_run(command):
            continue
        outputs[command] = _run(command, folder, url)
        ran += 1
    assert ran >= 3, outputs

    # the lineage, as the README shows it (its JSON block lists the chain)
    lineage = next(c for c in outputs if c.startswith("curl") and c.endswith("/lineage'"))
    shown = json.loads(blocks("json")[0])
    got = json.loads(outputs[lineage])
    assert {k: got[k] for k in shown} == shown  # the keys it shows, with the values it shows

    # the implementers, as the README's output block shows them (the columns it names)
    expected = next(b for b in blocks("") if b.startswith("role,agencyLabel"))
    header, *rows = expected.strip().splitlines()
    columns = header.split(",")
    for command in (c for c in outputs if "implementers" in c):
        lines = outputs[command].strip().splitlines()
        names = lines[0].split(",")
        got_rows = {",".join(dict(zip(names, line.split(",")))[c] for c in columns) for line in lines[1:]}
        assert set(rows) <= got_rows, command


def test_the_python_example_runs_as_written(folder):
    code = blocks("python")[0]
    done = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-c", code], cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (folder / "lineage.graphml").stat().st_size > 0


def test_raw_utf8_in_the_address_is_understood(url):
    """curl sends a pasted address's Chinese as raw UTF-8: the server reads it as a browser's
    percent-encoded address, not ``400 Invalid HTTP request received.``"""
    done = subprocess.run(["curl", "-s", "-w", "\n%{http_code}",
                           f"{url}/api/queries/implementers?document=钦州市钦南区法治政府建设实施方案(2016-2020年)&measure=37"],
                          capture_output=True, timeout=60)
    body, status = done.stdout.decode("utf-8").rsplit("\n", 1)
    assert status == "200", body
    assert "钦南区法制办" in {r["agencyLabel"] for r in json.loads(body)["rows"]}
    # and on the same connection, the request after it (the request line is read afresh)
    two = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} ",
                          f"{url}/api/queries/lineage?document=钦州市钦南区法治政府建设实施方案(2016-2020年)",
                          f"{url}/api/settings"], capture_output=True, timeout=60)
    assert two.stdout.decode().split()[0] == "200" and two.stdout.decode().endswith("200 "), two.stdout.decode()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_help_examples_are_valid_bash(command):
    """Each example line of ``policykg COMMAND --help`` parses in bash as written."""
    text = CliRunner().invoke(cli, [command, "--help"]).output
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("policykg ")]
    for line in examples:
        done = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True)
        assert done.returncode == 0, (line, done.stderr)
