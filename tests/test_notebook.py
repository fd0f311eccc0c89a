"""The example notebook (queries/workbench.ipynb) runs, top to bottom, on a store of the seeds in a
real Jupyter kernel (nbclient, ipykernel); its cells assert what the seeds say (the 钦南区 body
leading the most measures is 区法制办, with 12), so a notebook that runs is a notebook that is right."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from policykg.graph.store import Store

NOTEBOOK = Path(__file__).resolve().parent.parent / "queries" / "workbench.ipynb"


def test_the_example_notebook_runs_on_the_seeds(vocabulary_store, extractions, tmp_path, monkeypatch):
    path = Path(shutil.copytree(vocabulary_store, tmp_path / "store"))
    s = Store(path)
    for ex in extractions.values():
        s.put_document(ex, derive=False)
    s.recover()
    del s
    monkeypatch.setenv("POLICYKG_STORE", str(path))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the notebook is kept without outputs"
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "in-force" in text and "钦南区法制办" in text


