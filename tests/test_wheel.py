"""A package that installs anywhere: the wheel built from this checkout holds every file the
package reads at run time, and installed into a fresh virtual environment outside the checkout it
ingests a seed, answers canned queries and serves the API and the web UI (browser assets
included) from the installed package alone.

The wheel is built from a copy of the sources in a temporary folder, after the same asset step
``make install`` runs (``api/assets.py``: web/node_modules → api/static/vendor). The new virtual
environment gets the wheel without its dependencies; a ``.pth`` line appends the development
environment's site-packages to its ``sys.path`` to lend it the dependencies (a path line adds the
folder without running the ``.pth`` files in it, so the editable install of policykg there stays
inactive). Ingest and serve build the division vocabulary when they start: allow minutes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import PLAN, PLAN_TITLE, ROOT

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "policykg", "ontology", "ingest", "graph", "api", "queries")
# checkout folder → package folder in the wheel, and the package data each must carry
PACKAGE_DATA = {
    ("ontology", "*.ttl"): "policykg/ontology",
    ("ingest", "*.json"): "policykg/ingest",
    ("ingest/data", "*.yaml"): "policykg/ingest/data",
    ("queries", "*.rq"): "policykg/queries",
    ("api", "*.yaml"): "policykg/api",
    ("api/templates", "*.html"): "policykg/api/templates",
    ("api/static", "*.js"): "policykg/api/static",
    ("api/static", "*.css"): "policykg/api/static",
}
QINZHOU = "钦州市法治政府建设实施方案(2016—2020年)"
GUANGXI = "广西壮族自治区法治政府建设实施方案(2016—2020年)"
OUTLINE = "法治政府建设实施纲要(2015—2020年)"
LEADS_37 = {"钦南区政务服务管理办", "钦南区法制办"}
SLOW = 900  # seconds: ingest and serve build the division vocabulary when they start


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = SLOW) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} → {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user of the new virtual environment: no PYTHONPATH, no policykg settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYKG_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 60) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}


def _sources(into: Path) -> Path:
    """A copy of the checkout's sources (what the wheel and an install are built from)."""
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, into / name)
    return into


def _warnings(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if re.search(r"\w*Warning\b", line)]


def test_the_editable_install_make_install_runs_prints_no_warning(tmp_path):
    """The Makefile's own `pip` lines (pip upgraded, then the editable install), run as written
    (without the test extras and their dependencies) in a fresh virtual environment, print no
    warning."""
    lines = [cmd.strip() for cmd in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
             if "$(VENV)/bin/python -m pip install" in cmd and not cmd.strip().startswith("#")]
    assert len(lines) == 2 and "--upgrade pip" in lines[0] and "-e '.[test]'" in lines[1], lines
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, timeout=120)
    src = tmp_path / "src"
    src.mkdir()
    _sources(src)
    for line in lines:
        command = line.replace("$(VENV)", str(venv)).replace("'.[test]'", ". --no-deps")
        install = _run(["bash", "-c", command], cwd=src, timeout=600)
        assert not _warnings(install.stdout + install.stderr), install.stdout + install.stderr
    found = _run([str(venv / "bin" / "python"), "-c", "import importlib.util as u; print(u.find_spec('policykg.graph.store').origin)"],
                 cwd=tmp_path, timeout=60)
    assert Path(found.stdout.strip()) == src / "graph" / "store.py"  # installed, editable: the sources themselves


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout's sources, after the asset step."""
    from policykg.api.assets import ASSETS

    assert (ROOT / "web" / "node_modules").is_dir(), "run `npm ci --prefix web` (make install does)"
    _run([sys.executable, "api/assets.py"], cwd=ROOT, timeout=120)  # the step make install runs
    src = _sources(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    build = _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(dist)], cwd=dist, timeout=600)
    warnings = _warnings(build.stdout + build.stderr)
    assert not warnings, "the build warns:\n" + "\n".join(warnings)
    (found,) = dist.glob("policykg-*.whl")
    names = set(zipfile.ZipFile(found).namelist())
    for (folder, pattern), target in PACKAGE_DATA.items():
        files = sorted((ROOT / folder).glob(pattern))
        assert files, (folder, pattern)
        missing = [f"{target}/{f.name}" for f in files if f"{target}/{f.name}" not in names]
        assert not missing, f"not in the wheel: {missing}"
    with zipfile.ZipFile(found) as z:
        versions = json.loads(z.read("policykg/api/static/vendor/versions.json"))
        for a in ASSETS:
            assert z.read(f"policykg/api/static/vendor/{a.name}") == (ROOT / "web" / "node_modules" / a.package / a.file).read_bytes()
            lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
            assert versions[a.package] == lock["packages"][f"node_modules/{a.package}"]["version"]
    assert not any(n.startswith(("tests/", "web/", "corpus/")) for n in names)
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the checkout with the wheel installed, lent the
    development environment's packages for the dependencies."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    assert ROOT not in venv.parents
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent, timeout=120)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv.parent).stdout.strip())
    dev_site = sysconfig.get_paths()["purelib"]
    (site / "zz_policykg_dev_dependencies.pth").write_text(dev_site + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
         cwd=venv.parent, timeout=300)
    return venv


def test_the_wheel_installs_and_works_outside_the_checkout(venv, tmp_path):
    python, exe = venv / "bin" / "python", venv / "bin" / "policykg"
    env = _clean_env(venv)
    work = tmp_path / "work"
    work.mkdir()

    # policykg and its package data resolve inside the new environment, not the checkout
    probe = _run([str(python), "-c", "import json, policykg, policykg.api.ui as ui, policykg.namespaces as ns, policykg.queries as q; "
                  "print(json.dumps([policykg.__file__, str(ui.VENDOR), str(ns.ONTOLOGY_FILE), str(q.QUERY_DIR), "
                  "sorted(q.all_queries()), ui.locked_versions()]))"], cwd=work, env=env, timeout=300)
    module, vendor, ontology, query_dir, names, versions = json.loads(probe.stdout.strip().splitlines()[-1])
    for path in (module, vendor, ontology, query_dir):
        assert Path(path).is_relative_to(venv), path
        assert not Path(path).is_relative_to(ROOT), path
    assert {"implementers", "lineage"} <= set(names)
    assert versions and all(versions.values())

    # ingest a seed copied outside the checkout, then ask the README's questions
    seed = work / "seeds" / PLAN.name
    seed.parent.mkdir()
    shutil.copy2(PLAN, seed)
    _run([str(exe), "ingest", str(seed), "--store", "store"], cwd=work, env=env)
    lineage = json.loads(_run([str(exe), "query", "lineage", "--store", "store", "-p", f"document={PLAN_TITLE}", "--format", "json"],
                              cwd=work, env=env).stdout)
    assert [r["title"] for r in lineage] == [QINZHOU, GUANGXI, OUTLINE]
    implementers = json.loads(_run([str(exe), "query", "implementers", "--store", "store", "-p", f"document={PLAN_TITLE}",
                                    "-p", "measure=37", "--format", "json"], cwd=work, env=env).stdout)
    assert {r["agencyLabel"] for r in implementers if r["role"] == "lead"} == LEADS_37
    assert {r["deadline"] for r in implementers} == {"2017-12-31"}
    # the Python entry point and a network file, from the installed package
    probe = _run([str(python), "-c", "import policykg, json; kg = policykg.open('store'); "
                  "g = kg.network('lineage'); df = kg.query('lineage', document=" + repr(PLAN_TITLE) + "); "
                  "print(json.dumps([g.number_of_edges(), list(df['title'])], ensure_ascii=False))"], cwd=work, env=env)
    edges, titles = json.loads(probe.stdout)
    assert edges >= 3 and titles == [QINZHOU, GUANGXI, OUTLINE]
    _run([str(exe), "export", "--store", "store", "--format", "gexf", "--projection", "responsibility", "-o", "r.gexf"], cwd=work, env=env)
    assert (work / "r.gexf").read_bytes().startswith(b"<?xml")

    # eval says what it needs instead of failing on a missing folder
    result = subprocess.run([str(exe), "eval"], cwd=work, env=env, capture_output=True, text=True, timeout=SLOW)
    assert result.returncode == 2 and "tests/gold" in result.stderr and "checkout" in result.stderr, result.stderr

    # serve: the home page, the UI's vendored assets, the canned queries
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(exe), "serve", "--store", "store", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + SLOW
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")[-3000:]
            try:
                status, body, _ = _get(base + "/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.time() < deadline, "policykg serve did not answer"
                time.sleep(1)
        assert status == 200, body[:300]
        status, page, _ = _get(base + "/ui/sparql")
        assert status == 200, page[:300]
        assets = sorted(set(re.findall(r'/assets/[^"\'?#\s]+', page.decode("utf-8"))))
        assert assets, "the SPARQL page loads no asset"
        for path in assets:
            status, content, headers = _get(base + path)
            assert status == 200, (path, content[:300])
            assert len(content) > 1000 and headers["content-type"].startswith(("text/javascript", "text/css")), path
        status, listing, _ = _get(base + "/api/queries")
        assert status == 200 and b"implementers" in listing, listing[:300]
        status, body, _ = _get(base + f"/api/documents/{quote(PLAN_TITLE)}/lineage")
        assert status == 200 and json.loads(body)["chain"] == [QINZHOU, GUANGXI, OUTLINE], body[:500]
        assert _get(base + "/ontology.ttl")[0] == 200
        status, body, _ = _get(base + "/openapi.json?lang=zh")  # its texts: api/openapi_zh.yaml, package data
        assert status == 200 and json.loads(body)["paths"]["/api/queries/implementers"]["get"]["summary"].startswith("一项措施"), body[:300]
    finally:  # the server and its query workers: the process group this test started
        for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 30)):
            try:
                os.killpg(server.pid, sig)
            except ProcessLookupError:
                break
            try:
                server.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()
