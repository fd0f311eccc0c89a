"""Reasoning benchmark: the rule materialisation in Oxigraph (graph/reasoning.py) against owlrl's
OWL 2 RL closure on the same graphs, from 5 k triples up to the largest size owlrl finishes within
its time limit, then ours alone at 1 M+ triples.

The graphs are multi-level corpora built from a municipal plan of the layout fixtures: each copy is the plan of
another (synthetic) district, with its own document IRI, its own division (under a synthetic city
and province) and its agencies, and it is based on the plan one level up (a 4-ary tree: outline →
provinces → cities → districts …), so lineage chains are several documents deep. At every size
where both run, the two results are compared (restricted to the rules' predicates and classes,
asserted triples removed) and must be equal.

Usage::

    python -m bench.reasoning                      # writes bench/results/reasoning.{json,md}
    python -m bench.reasoning --sizes 5000 20000 --big 1000000 --owlrl-limit 600
    python -m bench.reasoning --vocab national     # with all of GB/T 2260 (+100 k triples) in every corpus

The division vocabulary is by default the corpus's own divisions and their ancestors; the rules
are compiled from the ontology once per process, outside the timed section.

Figures are ratios within one run on one machine; they are not a test.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import time
from pathlib import Path

import pyoxigraph as ox

RESULTS = Path(__file__).resolve().parent / "results"
# the unit copied: a municipal plan of 14 measures (about 1.7 k triples), small enough to reach 5 k
UNIT_PLAN = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "layouts" / "qinzhou_labelled_fields.txt"
HOME = "450700"


def _base(vocab: str = "corpus") -> tuple[str, str, list[str]]:
    """The seed plan's N-Triples, its document IRI, and the vocabulary + ontology N-Triples.

    ``vocab``: "corpus" keeps the divisions the plan names and their ancestors (the synthetic
    districts are added by :func:`build`), so that the data triples are the corpus; "national"
    is the whole GB/T 2260 vocabulary every store carries (about 100 k triples)."""
    import re

    from policykg import iris
    from policykg.graph.rdf import divisions_graph, document_graph, schemes_graph
    from policykg.ingest import extract
    from policykg.ingest.divisions import load
    from policykg.ontology import ontology_graph

    ex = extract(UNIT_PLAN)
    divisions = load()
    doc_nt = document_graph(ex, divisions).serialize(format="nt")
    codes = None
    if vocab == "corpus":
        named = set(re.findall(re.escape(iris.division("")) + r"([^>/]+)>", doc_nt))
        named |= set(re.findall(re.escape(iris.base()) + r"id/agency/([^>/]+)/", doc_nt))
        codes = set()
        for code in named:
            while code and code not in codes and code in divisions.by_code:
                codes.add(code)
                code = divisions.by_code[code].parent
    vocab_nt = (divisions_graph(divisions, codes) + schemes_graph()).serialize(format="nt")
    return doc_nt, ex.iri, [vocab_nt, ontology_graph().serialize(format="nt")]


def build(store: ox.Store, target: int, vocab: str = "corpus") -> int:
    """Load a corpus of about ``target`` data triples (plus vocabulary and ontology); return the
    number of data triples (the vocabulary counted)."""
    from policykg import iris

    doc_nt, doc_iri, (vocab_nt, onto_nt) = _base(vocab)
    lines = [ln for ln in doc_nt.splitlines() if ln.strip()]
    copies = max(1, round(target / len(lines)))
    division = iris.division(HOME)
    quads: list[ox.Quad] = []
    vocab_extra: list[str] = []
    for i in range(copies):
        code = f"9{i:05d}"
        parent = (i - 1) // 4 if i else None
        text = "\n".join(lines).replace(doc_iri, f"{doc_iri}-c{i}").replace(f"/{HOME}/", f"/{code}/").replace(division, iris.division(code))
        graph = ox.NamedNode(iris.doc_graph(f"bench-c{i}"))
        for t in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if parent is not None:
            quads.append(ox.Quad(ox.NamedNode(f"{doc_iri}-c{i}"), ox.NamedNode("https://w3id.org/policykg/ontology#basedOn"),
                                 ox.NamedNode(f"{doc_iri}-c{parent}"), graph))
        up = iris.division(f"9{parent:05d}") if parent is not None else iris.division("450000")
        vocab_extra.append(f"<{iris.division(code)}> <http://www.w3.org/2004/02/skos/core#broader> <{up}> .")
        vocab_extra.append(f"<{iris.division(code)}> <https://w3id.org/policykg/ontology#areaLevel> <https://w3id.org/policykg/ontology#LevelCounty> .")
    vocab = ox.NamedNode(f"{iris.base()}graph/vocab")
    for t in ox.parse((vocab_nt + "\n" + "\n".join(vocab_extra)).encode(), format=ox.RdfFormat.N_TRIPLES):
        quads.append(ox.Quad(t.subject, t.predicate, t.object, vocab))
    onto = ox.NamedNode(iris.ontology_graph())
    for t in ox.parse(onto_nt.encode(), format=ox.RdfFormat.N_TRIPLES):
        quads.append(ox.Quad(t.subject, t.predicate, t.object, onto))
    store.bulk_extend(quads)
    return sum(1 for q in quads if q.graph_name != onto)


def ours(target: int, vocab: str = "corpus") -> dict[str, object]:
    from policykg.graph import reasoning

    store = ox.Store()
    data = build(store, target, vocab)
    reasoning._rules()  # compiled from the ontology once per process (cached), as owlrl's import and parsing are not timed either
    started = time.perf_counter()
    reasoning.refresh(store, count=False)  # counting the result is reporting, not reasoning
    seconds = time.perf_counter() - started
    inferred = reasoning._count(store, [g.value for g in store.named_graphs() if g.value.startswith(reasoning.inferred_prefix())])
    return {"data_triples": data, "seconds": seconds, "inferred": inferred, "store": store}


def _owlrl_worker(nt: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import owlrl
    from rdflib import Graph

    g = Graph()
    g.parse(data=nt, format="nt")
    asserted = set(g)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    seconds = time.perf_counter() - started
    queue.put((seconds, [t for t in g if t not in asserted]))


def owlrl_run(store: ox.Store, limit: float) -> tuple[float, set] | None:
    """owlrl's closure of the asserted graphs of ``store`` in a child process, or None if it does
    not finish within ``limit`` seconds."""
    from policykg.graph import reasoning

    names = [ox.NamedNode(g) for g in reasoning.asserted_graphs(store)]
    nt = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for g in names for q in store.quads_for_pattern(None, None, None, g)),
                      format=ox.RdfFormat.N_TRIPLES).decode()
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=_owlrl_worker, args=(nt, queue))
    proc.start()
    try:
        seconds, derived = queue.get(timeout=limit)
    except Exception:  # queue.Empty: over the limit
        proc.terminate()
        proc.join()
        return None
    proc.join()
    return seconds, set(derived)


def same_output(store: ox.Store, derived: set) -> tuple[bool, int]:
    """Whether owlrl's derived triples, restricted to the rules, equal ours (asserted removed)."""
    from rdflib import RDF, Graph

    from policykg.graph import reasoning
    from policykg.ontology import ontology_graph

    rules = reasoning.RuleSet.from_ontology(ontology_graph())

    def kept(t: tuple) -> bool:
        return str(t[1]) in rules.predicates or (t[1] == RDF.type and str(t[2]) in rules.classes)

    def graph(names: list[str]) -> set:
        g = Graph()
        for n in names:
            g.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(n)), format="nt")
        return set(g)

    inferred_names = [g.value for g in store.named_graphs() if g.value.startswith(reasoning.inferred_prefix())]
    asserted = graph(reasoning.asserted_graphs(store))
    mine = graph(inferred_names) - asserted
    expected = {t for t in derived if kept(t)}
    return mine == expected, len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 20_000, 40_000, 80_000, 160_000])
    parser.add_argument("--big", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--owlrl-limit", type=float, default=600.0, help="seconds owlrl may take for one size")
    parser.add_argument("--vocab", choices=["corpus", "national"], default="corpus",
                        help="division vocabulary: the corpus's divisions and their ancestors, or all of GB/T 2260 (about 100 k triples)")
    args = parser.parse_args()
    rows = []
    owlrl_ok = True
    for size in args.sizes:
        mine = ours(size, args.vocab)
        row = {"target": size, "data_triples": mine["data_triples"], "ours_seconds": round(mine["seconds"], 3),
               "inferred": mine["inferred"]}
        if owlrl_ok:
            ref = owlrl_run(mine["store"], args.owlrl_limit)  # type: ignore[arg-type]
            if ref is None:
                owlrl_ok = False
                row["owlrl_seconds"] = f"> {args.owlrl_limit:.0f} (stopped)"
            else:
                equal, n = same_output(mine["store"], ref[1])  # type: ignore[arg-type]
                row.update({"owlrl_seconds": round(ref[0], 2), "speedup": round(ref[0] / mine["seconds"], 1),
                            "equal_output": equal, "compared_triples": n})
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    for size in args.big:
        mine = ours(size, args.vocab)
        row = {"target": size, "data_triples": mine["data_triples"], "ours_seconds": round(mine["seconds"], 3),
               "inferred": mine["inferred"], "owlrl_seconds": "not run"}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    RESULTS.mkdir(exist_ok=True)
    meta = {"machine": f"{platform.machine()} {platform.system()}, {mp.cpu_count()} cores, Python {platform.python_version()}",
            "when": time.strftime("%Y-%m-%d %H:%M:%S"), "owlrl_limit_seconds": args.owlrl_limit, "vocab": args.vocab}
    (RESULTS / "reasoning.json").write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
    md = ["# Reasoning: rule materialisation in Oxigraph vs owlrl (OWL 2 RL)", "",
          f"{meta['machine']}; {meta['when']}; owlrl limit {args.owlrl_limit:.0f} s per size; "
          f"division vocabulary: {args.vocab}.", "",
          "| data triples | ours (s) | owlrl (s) | speed-up | same output (triples compared) | inferred |",
          "|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        same = f"{r.get('equal_output')} ({r.get('compared_triples')})" if "equal_output" in r else "—"
        md.append(f"| {r['data_triples']:,} | {r['ours_seconds']} | {r['owlrl_seconds']} | {r.get('speedup', '—')} | {same} | {r['inferred']:,} |")
    (RESULTS / "reasoning.md").write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
