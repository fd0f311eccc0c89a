"""The generated national corpus (bench/corpus.py): deterministic by seed, allocated top-down, read
back by extraction as the manifest says, and aligned in a store as it was derived."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bench.corpus import allocation, build_tree, generate, read_manifest
from policykg.ingest import extract
from policykg.ingest.text import normalize_title

DOCUMENTS, SEED = 40, 7


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    generate(out, DOCUMENTS, SEED, report_share=0.1)
    return out, read_manifest(out)


@pytest.fixture(scope="module")
def extracted(corpus):
    out, manifest = corpus
    return {d["file"]: extract(out / d["file"]) for d in manifest["documents"]}


def _files(folder):
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def test_same_seed_same_bytes_another_seed_other_bytes(corpus, tmp_path):
    out, _ = corpus
    generate(tmp_path / "again", DOCUMENTS, SEED, report_share=0.1)
    generate(tmp_path / "other", DOCUMENTS, SEED + 1, report_share=0.1)
    assert _files(tmp_path / "again") == _files(out)
    other = _files(tmp_path / "other")
    assert other != _files(out)
    assert len(other) == DOCUMENTS + 1  # and the manifest


def test_refuses_to_mix_with_a_corpus_already_there(corpus):
    out, _ = corpus
    with pytest.raises(FileExistsError):
        generate(out, DOCUMENTS, SEED)


def test_top_down_allocation(corpus):
    _, manifest = corpus
    docs = manifest["documents"]
    assert manifest["seed"] == SEED and manifest["counts"]["documents"] == len(docs) == DOCUMENTS
    plans = [d for d in docs if d["kind"] == "plan"]
    levels = [d["level"] for d in plans]
    assert levels[:31] == ["provincial"] * 31 and set(levels[31:]) == {"prefectural"}  # every province before any prefecture
    assert len({d["code"] for d in plans}) == len(plans)
    files = [d["file"] for d in docs]
    for d in docs:  # each cites a document written before it, or the central outline
        if d["parent_file"] is None:
            assert d["level"] == "provincial" and d["parent_title"] == manifest["central"]["title"]
        else:
            assert files.index(d["parent_file"]) < files.index(d["file"])
    counted = defaultdict(int)
    for d in docs:
        counted[d["level"]] += 1
    assert manifest["counts"]["by_level"] == counted
    # a larger N: all provinces, then all prefectures, then counties; reports only where there is a plan
    tree = build_tree(SEED)
    planned, reports = allocation(tree, 1000, SEED, 0.15)
    order = ["provincial", "prefectural", "county"]
    ranks = [order.index(p.level) for p in planned]
    assert ranks == sorted(ranks) and ranks.count(0) == 31 and ranks.count(1) == len(tree.levels["prefectural"])
    seen = set()
    for p in planned:
        assert p.parent is None or p.parent in seen
        seen.add(p.code)
    reported = list(reports)
    assert len(planned) + len(reported) == 1000 and {p.code for p, _, _ in reported} <= seen


def test_extraction_matches_the_manifest(corpus, extracted):
    _, manifest = corpus
    for d in manifest["documents"]:
        ex = extracted[d["file"]]
        assert (ex.title, ex.level, ex.jurisdiction_code, ex.doc_number, len(ex.measures)) == \
            (d["title"], d["level"], d["code"], d["doc_number"], d["measure_count"]), d["file"]
        parent = [c for c in ex.citations if normalize_title(c.title) == normalize_title(d["parent_title"])]
        assert parent, f"{d['file']}: no citation of {d['parent_title']}"
        if d["parent_doc_number"]:
            assert d["parent_doc_number"] in {c.doc_number for c in parent}, d["file"]
        for m, gold in zip(ex.measures, d.get("measures", [])):
            assert m.number == gold["n"]
            assert sorted((a.agency, a.role) for a in m.assignments) == sorted(map(tuple, gold["agencies"])), (d["file"], m.number)
            assert {a.party.jurisdiction for a in m.assignments if a.party} == {d["code"]}, (d["file"], m.number)


def test_alignments_in_a_store_follow_the_derivation(corpus, extracted):
    from policykg.graph.store import Store
    from policykg.ingest.divisions import NATIONAL, load

    _, manifest = corpus
    divisions = load()
    codes = {NATIONAL}
    for d in manifest["documents"]:
        division = divisions.get(d["code"])
        assert division is not None
        codes |= {a.code for a in divisions.ancestors(division)}
    store = Store(None)
    store.ensure_vocabularies(frozenset(codes))
    for ex in extracted.values():
        store.add_document(ex, derive=False)
    store.recover()
    found = defaultdict(set)
    for row in store.select("""PREFIX lg: <https://w3id.org/policykg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title ?n ?parent WHERE {
          ?m lg:implementsMeasure ?p ; lg:number ?n ; lg:document ?doc . ?doc dcterms:title ?title . ?p lg:number ?parent }"""):
        found[(row["title"], int(row["n"]))].add(int(row["parent"]))
    checked = agreed = 0
    for d in manifest["documents"]:
        for m in d.get("measures", []):
            if m["kind"] in {"reuse", "reword"}:
                checked += 1
                agreed += found[(d["title"], m["n"])] == set(m["parents"])
    assert checked >= 50
    assert agreed / checked >= 0.9, f"{agreed}/{checked} reused or reworded measures aligned with their parent measures"
