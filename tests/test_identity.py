"""Document identity (graph.identity): which document a text is among those the store holds.
The texts are made up for these tests, in the style of a county's 实施方案 and a province's
实施意见; what each case should give is decided from reading them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg import iris
from policykg.cli import cli
from policykg.graph import identity
from policykg.graph.store import Store
from policykg.ingest import extract

PLAN = """献县人民政府关于印发献县推进依法行政工作方案的通知
献政发〔2018〕4号

各乡镇人民政府,县政府各部门:
现将《献县推进依法行政工作方案》印发给你们,请认真贯彻执行。

一、健全依法决策机制
1.完善重大行政决策程序,落实公众参与、专家论证、风险评估、合法性审查和集体讨论决定制度。(牵头单位:县司法局;责任单位:县政府各部门;完成时限:2018年12月底前)
2.建立行政规范性文件合法性审核机制,实行统一登记、统一编号、统一印发。(牵头单位:县政府办公室;责任单位:县司法局)
二、严格规范公正文明执法
3.全面推行行政执法公示制度,在县政府门户网站公开执法主体、执法依据和执法结果。(牵头单位:县司法局;责任单位:县各行政执法部门;完成时限:2018年9月底前)
4.推行执法全过程记录,配备执法记录仪,做到执法全过程留痕和可回溯管理。(牵头单位:县公安局、县市场监管局;责任单位:县各行政执法部门)
5.开展重大执法决定法制审核,明确审核机构、审核范围和审核内容。(牵头单位:县司法局;责任单位:县各行政执法部门;完成时限:2019年6月底前)

献县人民政府
2018年3月12日
"""


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _documents(store: Store) -> dict[str, dict[str, object]]:
    rows = store.select("""SELECT ?d ?file ?of ?kind (COUNT(DISTINCT ?m) AS ?measures) WHERE {
        ?d lg:inCorpus true ; lg:sourceFile ?file .
        OPTIONAL { ?d lg:editionOf ?of ; lg:editionKind ?kind }
        OPTIONAL { ?m a lg:Measure ; lg:document ?d }
    } GROUP BY ?d ?file ?of ?kind""", inferred=False)
    return {str(r["file"]): r for r in rows}


@pytest.fixture
def store() -> Store:
    return Store(None)


def test_same_file_twice_is_a_no_op(tmp_path, store):
    path = _write(tmp_path, "plan.txt", PLAN)
    first = store.add_document(extract(path))
    size = len(store.ox)
    again = store.add_document(extract(_write(tmp_path / "copy", "plan-again.txt", PLAN)))
    assert first.status == "new" and first.triples > 0
    assert again.status == "unchanged" and again.iri == first.iri and again.triples == 0
    assert len(store.ox) == size
    assert list(_documents(store)) == ["plan.txt"]


def test_an_excerpt_is_kept_beside_the_original_and_linked(tmp_path, store):
    original = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    excerpt_text = PLAN.split("二、严格规范公正文明执法")[0]  # the title and the first part's two measures
    excerpt = store.add_document(extract(_write(tmp_path, "excerpt.txt", excerpt_text)))
    assert excerpt.status == "edition" and excerpt.kind == "excerpt"
    assert excerpt.iri != original.iri and excerpt.related == original.iri
    docs = _documents(store)
    assert docs["plan.txt"]["measures"] == 5 and docs["plan.txt"]["of"] is None  # the original keeps its five measures
    assert docs["excerpt.txt"]["measures"] == 2
    assert docs["excerpt.txt"]["of"] == original.iri and docs["excerpt.txt"]["kind"] == "excerpt"


def test_a_mirror_with_portal_furniture_in_another_encoding_is_a_mirror(tmp_path, store):
    original = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    mirror = "首页 > 政务公开 > 政策文件\n" + PLAN.replace("\n", "\r\n") + "\n打印本页 关闭窗口\n"
    result = store.add_document(extract(_write(tmp_path, "mirror.txt", mirror, "gb18030")))
    assert result.status == "edition" and result.kind == "mirror" and result.related == original.iri
    # deterministic: the key is the title key with a suffix from the content, whatever the order
    assert result.key.startswith(original.key + "-")


def test_a_fuller_text_of_a_stored_excerpt_says_so(tmp_path, store):
    excerpt = store.add_document(extract(_write(tmp_path, "excerpt.txt", PLAN.split("二、严格规范公正文明执法")[0])))
    full = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    assert full.status == "edition" and full.kind == "fuller" and full.related == excerpt.iri


def test_two_documents_with_the_same_title_are_two_nodes(tmp_path, store):
    first = store.add_document(extract(_write(tmp_path, "2018.txt", PLAN)))
    other = PLAN.replace("献政发〔2018〕4号", "献政发〔2020〕11号").replace("2018年3月12日", "2020年4月2日")
    second = store.add_document(extract(_write(tmp_path, "2020.txt", other)))
    assert second.status == "homonym" and second.iri != first.iri and second.related == first.iri
    assert "文号" in second.reason
    docs = _documents(store)
    assert docs["2018.txt"]["measures"] == docs["2020.txt"]["measures"] == 5
    assert docs["2020.txt"]["of"] is None


def test_a_new_text_of_the_same_file_replaces_it_under_its_iri(tmp_path, store):
    first = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    corrected = PLAN.replace("配备执法记录仪", "配备执法记录仪和音像记录设备")
    second = store.add_document(extract(_write(tmp_path / "new", "plan.txt", corrected)))
    assert second.status == "replaced" and second.iri == first.iri
    assert list(_documents(store)) == ["plan.txt"]
    text = store.select("SELECT ?t WHERE { ?m lg:document ?d ; lg:number ?n ; lg:text ?t FILTER(CONTAINS(?t, '执法记录仪')) }")
    assert text and "音像记录设备" in str(text[0]["t"])


def test_a_newer_extraction_reads_the_same_file_again_under_the_same_iri(tmp_path, store, monkeypatch):
    first = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    monkeypatch.setattr(identity, "extraction_version", lambda: "a-newer-version")
    again = store.add_document(extract(tmp_path / "plan.txt"))
    assert again.status == "re-extracted" and again.iri == first.iri and again.triples > 0


def test_a_county_citing_the_provinces_document_of_the_same_title_cites_another_document(tmp_path, store):
    province = """关于加快推进法治政府建设的实施意见
青发〔2015〕8号

为贯彻落实中共中央、国务院《法治政府建设实施纲要(2015—2020年)》,结合全省实际,提出如下实施意见。
一、依法全面履行政府职能
(一)深化行政审批制度改革。(省发展改革委牵头,省直各部门配合)
"""
    county = """关于加快推进法治政府建设的实施意见
献发〔2016〕2号

为深入贯彻落实省委、省政府《关于加快推进法治政府建设的实施意见》(青发〔2015〕8号)精神,结合我县实际,提出如下实施意见。
一、依法全面履行政府职能
(一)深化行政审批制度改革。(县发展改革局牵头,县直各部门配合)

中共献县县委 献县人民政府
2016年4月1日
"""
    cited = extract(_write(tmp_path, "county.txt", county))
    # the citation is kept (not taken for a self-citation), and points at the title's node
    citations = [c for c in cited.citations if "加快推进法治政府建设" in c.title]
    assert len(citations) == 1 and citations[0].doc_number == "青发〔2015〕8号"
    assert cited.iri != citations[0].target
    assert citations[0].target == iris.document(iris.title_key(cited.normalized_title))
    county_result = store.add_document(cited)
    province_result = store.add_document(extract(_write(tmp_path, "province.txt", province)))
    # a document of the same title is in the store: the province's is another one, under the title key
    assert province_result.status == "homonym" and province_result.iri == citations[0].target
    rows = store.select("SELECT ?d ?parent WHERE { ?d ?lineage ?parent VALUES ?lineage { lg:basedOn lg:implementsPlan } }",
                        inferred=False)
    assert {"d": county_result.iri, "parent": province_result.iri} in rows


def test_the_ingest_summary_says_what_became_of_each_file(tmp_path, new_store):
    folder = tmp_path / "batch"
    _write(folder, "a.txt", PLAN)
    _write(folder, "b.txt", PLAN)  # the same file under another name
    _write(folder, "c.txt", PLAN.split("二、严格规范公正文明执法")[0])
    result = CliRunner().invoke(cli, ["ingest", str(folder), "--store", str(new_store), "--no-progress"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1].rstrip(":"): line for line in result.output.splitlines() if line.split()[:1] != ["WARNING"] and ":" in line}
    assert lines["a.txt"].startswith("new ")
    assert lines["b.txt"].startswith("same ") and "nothing changed" in lines["b.txt"]
    assert lines["c.txt"].startswith("edition ") and "excerpt" in lines["c.txt"] and "a.txt" in lines["c.txt"]
    assert "3 ingested (1 edition, 1 new, 1 unchanged), 0 failed" in result.output
    shutil.rmtree(folder)


def test_canned_queries_count_an_excerpts_measures_once(tmp_path, store):
    from policykg import queries
    from policykg.graph.resolve import Resolver

    def run_canned(store, name, params):
        q = queries.get(name)
        return store.select(q.render(q.bind(params, Resolver(store))))

    store.ensure_vocabularies(frozenset({"100000", "130000", "130900", "130929"}))
    store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))

    def answers() -> tuple[int, object]:
        duties = run_canned(store, "obligations", {"agency": "献县司法局"})
        load = {r["label"]: r["lead"] for r in run_canned(store, "agency-load", {"jurisdiction": "献县"})}
        return len(duties), load.get("献县司法局")

    before = answers()
    assert before == (4, 3)  # leads measures 1, 3 and 5 and is responsible for 2
    excerpt = store.add_document(extract(_write(tmp_path, "excerpt.txt", PLAN.split("二、严格规范公正文明执法")[0])))
    assert excerpt.status == "edition"
    assert answers() == before
    documents = {r["document"]: r for r in run_canned(store, "documents", {})}
    assert documents[excerpt.iri]["editionKind"] == "excerpt"


def test_a_documents_page_lists_its_editions_and_an_editions_page_its_original(tmp_path, store):
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app
    from policykg.api.resources import local

    store.ensure_vocabularies(frozenset({"100000", "130000", "130900", "130929"}))
    original = store.add_document(extract(_write(tmp_path, "plan.txt", PLAN)))
    excerpt = store.add_document(extract(_write(tmp_path, "excerpt.txt", PLAN.split("二、严格规范公正文明执法")[0])))
    client = TestClient(create_app(store))
    page = client.get(local(original.iri) + ".json").json()
    assert [(e["relation"], e["kind"], e["source_file"]) for e in page["editions"]] == [("edition", "excerpt", "excerpt.txt")]
    back = client.get(local(excerpt.iri) + ".json").json()
    assert [(e["relation"], e["document"]) for e in back["editions"]] == [("edition of", original.iri)]
    html = client.get(local(original.iri), headers={"Accept": "text/html"}).text
    assert "Editions 版本" in html and "excerpt.txt" in html


def test_two_editions_without_a_file_hash_get_different_keys(store):
    from policykg.ingest import extract_text

    original = store.add_document(extract_text(PLAN, "plan.txt"))
    first = store.add_document(extract_text(PLAN.split("二、严格规范公正文明执法")[0], "a.txt"))
    second = store.add_document(extract_text(PLAN.split("3.全面推行")[0], "b.txt"))
    assert first.status == second.status == "edition" and len({original.iri, first.iri, second.iri}) == 3
