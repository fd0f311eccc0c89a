"""Batch ingest of a mixed folder: every supported format goes in, each bad file fails alone
with its path and reason, unsupported files are skipped, a parser crash does not stop the batch,
and the summary (text or JSON) says what happened."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.store import Store
from tests.conftest import LAYOUTS, PLAN


def _mixed(tmp_path):
    d = tmp_path / "mixed"
    (d / "sub").mkdir(parents=True)
    for name in ("qinnan_task_table.html", "jianghai_task_table.docx", "zhangdian_reflowed.pdf", "wuzhong_traditional_mirror.html"):
        shutil.copy(LAYOUTS / name, d / "sub" / name)
    (d / "plan-gb18030.txt").write_bytes(PLAN.read_text(encoding="utf-8").encode("gb18030"))
    (d / "empty.txt").write_bytes(b"")
    (d / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    (d / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (d / "notes.src").write_text("not a document", encoding="utf-8")
    (d / ".hidden.txt").write_text("ignored", encoding="utf-8")
    return d


def test_mixed_folder_each_file_alone_with_a_summary(tmp_path, new_store):
    store = new_store
    result = CliRunner().invoke(cli, ["ingest", str(_mixed(tmp_path)), "--store", str(store)])
    assert result.exit_code == 1  # two files failed
    out = result.output
    assert "5 ingested (5 new), 2 failed, 2 skipped" in out
    assert "empty.txt: the file is empty" in out
    assert "scan.pdf" in out and "FAILED" in out
    for title in ("钦南区2017年法治政府建设工作实施方案", "江门市江海区法治政府建设实施方案", "淄博市张店区法治政府建设实施方案",
                  "吴忠市法治政府建设实施方案", "钦州市钦南区法治政府建设实施方案"):
        assert title in out
    s = Store(store, read_only=True)
    assert s.stats().documents_in_corpus == 5
    formats = {r["f"] for r in s.select("SELECT DISTINCT ?f WHERE { ?d lg:sourceFormat ?f }")}
    assert formats == {"text", "html", "pdf", "docx"}
    page = s.select("SELECT ?n ?i ?p WHERE { ?d lg:docNumber ?n ; lg:indexNumber ?i ; lg:publisherName ?p }")
    # from the page's metadata table
    assert page == [{"n": "钦南政办发〔2017〕12号", "i": "000000000/2017-00318", "p": "钦州市钦南区人民政府办公室"}]
    converted = s.select("SELECT ?c WHERE { ?d lg:conversion ?c ; lg:originalText ?o }")
    assert any(r["c"] == "opencc:t2s" for r in converted)


def test_json_summary_lists_every_file(tmp_path, new_store):
    result = CliRunner().invoke(cli, ["ingest", str(_mixed(tmp_path)), "--store", str(new_store), "--format", "json"])
    summary = json.loads(result.output)
    assert summary["ingested"] == 5 and summary["failed"] == 2
    assert sorted(p.rsplit("/", 1)[-1] for p in summary["skipped"]) == ["notes.src", "picture.png"]
    failed = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in summary["files"] if not f["ok"]}
    assert set(failed) == {"empty.txt", "scan.pdf"}
    assert all(err.startswith(str(tmp_path)) for err in failed.values())  # the path, as given


def test_a_parser_crash_fails_that_file_only(tmp_path, monkeypatch, new_store):
    import policykg.graph.loader as loader

    real = loader.extract

    def flaky(path, data=None):
        if "html" in str(path):
            raise IndexError("list index out of range")
        return real(path, data)

    monkeypatch.setattr(loader, "extract", flaky)
    d = tmp_path / "two"
    d.mkdir()
    shutil.copy(LAYOUTS / "qinnan_task_table.html", d)
    shutil.copy(PLAN, d / "plan.txt")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--store", str(new_store)])
    assert result.exit_code == 1
    assert "internal error while parsing (IndexError" in result.output
    assert "1 ingested (1 new), 1 failed" in result.output


def test_progress_bar_and_replaced_documents(tmp_path, new_store):
    d = tmp_path / "dup"
    d.mkdir()
    shutil.copy(PLAN, d / "a.txt")
    shutil.copy(PLAN, d / "b.txt")
    result = CliRunner().invoke(cli, ["ingest", str(d), "--store", str(new_store), "--no-progress"])
    assert "1 new, 1 unchanged" in result.output  # b.txt is a.txt under another name: nothing changed
    bar = CliRunner().invoke(cli, ["ingest", str(d), "--store", str(new_store), "--progress"])
    assert bar.exit_code == 0 and "ingesting" in bar.output and "2 ingested (2 unchanged), 0 failed" in bar.output
