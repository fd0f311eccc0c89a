"""A reader beside a writer: `policykg query` and `policykg export` on a store that another
process (a running server, an ingest) is writing and compacting answer every time."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from policykg.cli import cli
from tests.conftest import LAYOUTS, PLAN, PLAN_TITLE

WRITER = textwrap.dedent("""
    import pathlib, sys
    from policykg.graph.store import Store
    from policykg.ingest import extract
    store = Store(sys.argv[1])
    store.ensure_vocabularies()
    city, plan = extract(sys.argv[2]), extract(sys.argv[3])
    store.put_document(plan)
    print("ready", flush=True)
    full = list(city.measures)
    stop = pathlib.Path(sys.argv[4])
    n = 0
    while not stop.exists():  # replace the municipal plan over and over, compacting as it goes
        n += 1
        city.measures = full[: 1 + n % len(full)]
        store.put_document(city)
        store.flush()
        if n % 3 == 0:
            store.ox.optimize()
    print(n, flush=True)
""")


def test_queries_and_exports_beside_a_writing_process_always_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKG_DIVISIONS", "450000")
    store = tmp_path / "store"
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), str(LAYOUTS / "qinzhou_labelled_fields.txt"), str(PLAN), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    runner = CliRunner()
    for _ in range(6):  # while the writer replaces and compacts the store
        assert writer.poll() is None
        out = runner.invoke(cli, ["query", "lineage", "--store", str(store), "-p", f"document={PLAN_TITLE}", "--format", "json"])
        assert out.exit_code == 0, out.output
        assert any("钦州市法治政府建设实施方案" in str(r) for r in json.loads(out.output))
        out = runner.invoke(cli, ["export", "--store", str(store), "--format", "nq"])
        assert out.exit_code == 0, out.output[:500]
    stop.touch()
    writer.wait(timeout=120)
    writes = int(writer.stdout.read().strip() or 0)
    assert writes >= 1  # the store really was being written while it was read
