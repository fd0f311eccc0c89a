"""`policykg eval` on a development set of real pages (format of ../shared/realworld/): the matching
mirrors score.py's ``meta`` mode, every miss is listed with its class, and the two kinds of documents
are labelled apart. The pages of tests/fixtures/realworld_mini/ are made up (invented places 青山市,
青山县); their gold.json was written by reading them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.errors import InputError
from policykg.graph.evaluation import SET_PARSER, SET_REAL, RealPages, evaluate_realworld, page_body, rw_norm, rw_same

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "realworld_mini"
SHARED = ROOT.parent / "shared" / "realworld"
SCORE_PY = SHARED / "score.py"
CHECKOUT = ["--gold", str(ROOT / "tests" / "gold"), "--corpus", str(ROOT / "corpus" / "seeds"),
            "--corpus", str(ROOT / "tests" / "fixtures" / "layouts"), "--corpus", str(ROOT / "tests" / "fixtures" / "cascade")]
MISSED = "青山省人民政府关于加快推进法治政府建设的实施意见"  # named without 《》 in M01: a parser reading 《》 misses it


@pytest.fixture(scope="module")
def mini() -> RealPages:
    return evaluate_realworld(MINI)


# --- matching, as score.py matches -----------------------------------------------------------------

def test_norm_and_same_follow_score_py():
    assert rw_norm("《法治政府建设实施纲要（2015—2020年）》") == "法治政府建设实施纲要(2015-2020年)"
    assert rw_norm("實施綱要(20152020年)") == "实施纲要(2015-2020年)"
    assert rw_norm("建設(shè)方案") == "建设方案"
    assert rw_same("法治政府建设实施纲要(2015-2020)", "法治政府建设实施纲要(2015-2020年)")
    # a fuzzy match must agree on every number, and a citation on its first two characters
    assert not rw_same("法治政府建设实施纲要(2015-2020年)", "法治政府建设实施纲要(2021-2025年)")
    a, b = "青山县推行行政执法公示制度执法全过程记录制度实施方案", "白山县推行行政执法公示制度执法全过程记录制度实施方案"
    assert rw_same(a, b) and not rw_same(a, b, strict_head=True)
    assert not rw_same(None, "x") and not rw_same("", "")


def _gold(citations: list[dict[str, object]], **in_body: object) -> dict[str, object]:
    return {"file": "X01_made-up.txt", "in_body": in_body, "citations": citations}


def _cite(title: str, relation: str = "cites", **more: object) -> dict[str, object]:
    return {"title": title, "title_normalized": title, "relation": relation, **more}


def test_citation_matching_variants_transmits_and_same_target():
    gold = _gold([_cite("青山县2022年行政执法工作方案", "transmits"),
                  _cite("法治政府建设实施纲要(2021-2025)", "implements", title_variants=["法治政府建设实施纲要(2021-2025年)"]),
                  _cite("青山市行政执法监督办法", "based_on", relation_acceptable=["based_on", "cites"])])
    out = {"citations": [
        {"title": "青山县2022年行政执法工作方案", "relation": "cites", "target": "t0"},  # transmitted: optional
        {"title": "法治政府建设实施纲要(2021-2025)", "relation": "cites", "target": "t1"},  # relation outside the accepted
        {"title": "法治政府建设实施纲要(2021-2025年)", "relation": "implements", "target": "t9"},  # a variant: not spurious
        {"title": "《纲要》", "relation": "cites", "target": "t1"},  # the same document again: not spurious
        {"title": "青山日报", "relation": "cites", "target": "t2"},  # spurious
    ]}
    r = RealPages("mini")
    r.add(gold, out)
    assert (r.tp, r.fp, r.fn) == (1, 1, 1)
    kinds = {m.kind: m for m in r.misses}
    assert kinds["citation: missed"].gold == "《青山市行政执法监督办法》 (based_on)"
    assert kinds["citation: spurious"].got == "《青山日报》 (cites)"
    relation = kinds["citation: relation differs (not scored)"]
    assert not relation.counted and relation.got == "cites"
    assert r.summary_line() == "1 docs: citations P=0.50 R=0.50 (tp=1 fp=1 fn=1); title=1.00 docno=1.00 level=1.00 genre=1.00"


def test_alias_mention_is_judged_by_its_target():
    gold = _gold([_cite("青山市法治政府建设指标体系")])
    r = RealPages("mini")
    r.add(gold, {"citations": [{"title": "指标体系", "alias": True, "target_title": "青山市法治政府建设指标体系", "target": "t"}]})
    assert (r.tp, r.fp, r.fn) == (1, 0, 0)


def test_fields_and_their_failure_classes():
    gold = _gold([], title="青山县2022年行政执法工作方案", title_alternatives=["关于印发青山县2022年行政执法工作方案的通知"],
                 doc_number="青县政办发〔2022〕7号", level="district", genre="工作方案", genre_acceptable=["工作方案", "通知"])
    r = RealPages("mini")
    r.add(gold, {"title": "关于印发青山县2022年行政执法工作方案的通知", "doc_number": "青县政办发[2022]7号",
                 "jurisdiction": "青山省青山市", "level": "prefectural", "genre": "通知"})
    assert r.counts == {"title": [1, 1], "docno": [0, 1], "level": [0, 1], "genre": [1, 1]}
    assert [(m.field, m.kind, m.got) for m in r.misses] == [
        ("文号", "文号: wrong", "青县政办发[2022]7号"),
        ("level", "level: wrong level", "jurisdiction 青山省青山市, level prefectural")]
    r.add({**gold, "file": "X02_made-up.txt"}, {"title": "(无标题) 各乡镇人民政府 [X02_made-up.txt]", "title_derived": True})
    assert {m.kind for m in r.misses if m.page == "X02_made-up.txt"} == {
        "title: provisional", "文号: missing", "level: no jurisdiction", "genre: missing"}


def test_a_rejected_page_counts_against_every_field_under_one_class():
    gold = _gold([_cite("青山市行政执法监督办法")], title="青山县2022年行政执法工作方案", level="district", genre="工作方案")
    r = RealPages("mini")
    r.add(gold, None, "no document title found")
    assert r.rejected == [("X01_made-up.txt", "no document title found")]
    assert {m.kind for m in r.misses} == {"page: rejected"} and len(r.misses) == 4
    assert r.summary_line().endswith("; no JSON for ['X01']")


def test_the_header_block_is_cut_off_as_score_py_cuts_it():
    assert page_body("source: x\ntitle: y\n\n青山县2022年行政执法工作方案\n\n一、…") == "青山县2022年行政执法工作方案\n\n一、…"
    with pytest.raises(InputError):
        page_body("青山县2022年行政执法工作方案\n一、…", "X01")


# --- the made-up development set, extracted for real ----------------------------------------------

def test_mini_set_is_scored_with_every_miss_listed(mini):
    assert mini.pages == 4 and not mini.rejected
    # totals are what the gold says is there: 4 titled pages, one 文号, 8 citations that must be found
    assert [mini.counts[k][1] for k in ("title", "docno", "level", "genre")] == [4, 1, 4, 4]
    assert mini.tp + mini.fn == 8
    missed = [m for m in mini.misses if m.kind == "citation: missed"]
    assert any(m.page.startswith("M01_") and MISSED in m.gold for m in missed), mini.misses
    # every counted miss is one of the figures, and its class names its field
    counted = [m for m in mini.misses if m.counted]
    assert len(counted) == sum(t - ok for ok, t in mini.counts.values()) + mini.fp + mini.fn
    assert all(m.kind.startswith(m.field + ":") for m in counted)


def test_eval_command_labels_the_two_sets_apart():
    result = CliRunner().invoke(cli, ["eval", *CHECKOUT, "--realworld", str(MINI)])
    assert result.exit_code == 0, result.output
    assert f"== {SET_PARSER} ==" in result.output and f"== {SET_REAL}: {MINI} ==" in result.output
    assert result.output.index(SET_PARSER) < result.output.index(SET_REAL)
    assert "pages extracted  4 / 4" in result.output
    assert "  citation: missed (" in result.output and MISSED in result.output


def test_eval_json_gives_the_same_data(mini):
    result = CliRunner().invoke(cli, ["eval", *CHECKOUT, "--realworld", str(MINI), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["set"] for r in rows} == {SET_PARSER, SET_REAL}
    real = {r["field"]: r for r in rows if r["set"] == SET_REAL and r["field"] != "failure class"}
    assert real["pages extracted"]["extracted"] == 4
    assert (real["citations"]["tp"], real["citations"]["fp"], real["citations"]["fn"]) == (mini.tp, mini.fp, mini.fn)
    assert real["score.py meta summary"]["summary"] == mini.summary_line()
    classes = {r["class"]: r for r in rows if r.get("field") == "failure class"}
    assert any(MISSED in m["gold"] for m in classes["citation: missed"]["misses"])


def test_eval_says_when_the_development_set_is_not_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing beside it: ../shared/realworld does not exist
    result = CliRunner().invoke(cli, ["eval", *CHECKOUT])
    assert result.exit_code == 0, result.output
    assert f"{SET_REAL}: not found at" in result.output and "--realworld DIR" in result.output
    assert "document.title" in result.output
    for skip in (["--realworld", ""], ["--no-realworld"]):
        result = CliRunner().invoke(cli, ["eval", *CHECKOUT, *skip])
        assert result.exit_code == 0 and SET_REAL not in result.output
    result = CliRunner().invoke(cli, ["eval", *CHECKOUT, "--realworld", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such folder" in result.output


# --- agreement with score.py itself ----------------------------------------------------------------

@pytest.mark.parametrize("folder", [MINI, SHARED], ids=["realworld_mini", "shared_realworld"])
def test_figures_agree_with_score_py(folder):
    if not SCORE_PY.is_file() or not (folder / "gold.json").is_file():
        pytest.skip(f"no {SCORE_PY} or {folder}/gold.json beside this checkout")
    policykg = Path(sys.executable).with_name("policykg")
    env = {k: v for k, v in os.environ.items() if k not in ("VERBOSE", "EXTRACT_CACHE")}
    run = subprocess.run([sys.executable, str(SCORE_PY), str(policykg), str(folder / "docs"), str(folder / "gold.json"), "meta", "0.9"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.strip().splitlines()[-1] == evaluate_realworld(folder).summary_line()
