"""Publishing the embedded store to a SPARQL server (``policykg publish``): each of our named graphs
whose content changed since the last publication replaces its namesake on the server, graphs no
longer in the store are dropped there, and nothing else is sent.

The store stays the unit of work: ingest, alignment and reasoning run on it, journalled, and the
server is where the result is read (``serve --endpoint``, ``query --endpoint``, any SPARQL client).
What was published is recorded on the server itself, in the graph ``{base}published``: for each
graph, the SHA-256 of its sorted N-Triples (``lg:sha256``). A graph is sent when its digest differs
from the record; the record is written last, so a publication stopped half-way is finished by the
next one (which sends again what the record does not show as sent). Each graph is replaced in one
request, so a reader never sees half a graph; while a publication runs, it may see some graphs new
and others not yet.

Two ways to send a graph, by what the server offers:
- the Graph Store Protocol (``graph_store`` setting): one ``PUT ?graph=IRI`` of its N-Triples
  (but for a graph holding a literal longer than ``PUT_MAX_LINE``, which goes by Update);
- SPARQL 1.1 Update (``endpoint_update``, else the endpoint): ``DROP SILENT GRAPH``, then
  ``INSERT DATA`` of the triples in chunks of ``CHUNK``; triples with blank nodes go in a single
  ``INSERT { … } WHERE {}`` so that a blank node is one node (Virtuoso 7.2 refuses blank nodes in
  INSERT DATA, which SPARQL 1.1 allows).
For a first load of a national corpus, the server's own bulk loader is faster: ``policykg export
--format nq`` and, for Virtuoso, ``ld_add`` + ``rdf_loader_run`` (README); a publication after it
sends every graph once more, as nothing is recorded.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg import iris
from policykg.errors import StoreError
from policykg.graph.remote import RemoteStore
from policykg.graph.store import Store

CHUNK = 2_000  # triples per INSERT DATA
# a graph with a longer triple (a document's text, a contribution) goes by SPARQL Update: Virtuoso
# 7.2's Graph Store refuses a PUT holding a literal of more than about 64 KB ("unsupported type")
PUT_MAX_LINE = 60_000  # bytes of UTF-8
SHA256 = "https://w3id.org/policykg/ontology#sha256"


def record_graph() -> str:
    """Where the server records what was published (outside ``{base}graph/``: not one of ours)."""
    return f"{iris.base()}published"


@dataclass
class Publication:
    sent: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    triples: int = 0
    seconds: float = 0.0


def _lines(store: Store, graph: ox.NamedNode) -> list[str]:
    return sorted(f"{q.triple} ." for q in store.quads_for_pattern(None, None, None, graph))


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def recorded(remote: RemoteStore) -> dict[str, str]:
    """The graphs the server's record says were published, with their digests."""
    rows = remote.select(f"SELECT ?g ?sha WHERE {{ GRAPH <{record_graph()}> {{ ?g <{SHA256}> ?sha }} }}")
    return {str(r["g"]): str(r["sha"]) for r in rows}


def _chunks(lines: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(lines), size):
        yield lines[i:i + size]


def _send(remote: RemoteStore, graph: str, lines: list[str], graph_store: str | None) -> None:
    if graph_store and max((len(line.encode("utf-8")) for line in lines), default=0) <= PUT_MAX_LINE:
        remote.put_graph(graph_store, graph, ("\n".join(lines) + "\n").encode("utf-8"))
        return
    plain = [line for line in lines if "_:" not in line]  # N-Triples: "_:" only in a blank node's label or in a literal
    blank = [line for line in lines if "_:" in line]
    remote.update(f"DROP SILENT GRAPH <{graph}>")
    for part in _chunks(plain, CHUNK):
        remote.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(part) + "\n} }")
    if blank:  # one request: a label names the same fresh node throughout it
        remote.update(f"INSERT {{ GRAPH <{graph}> {{\n" + "\n".join(blank) + "\n} } WHERE {}")


def publish(store: Store, remote: RemoteStore, graph_store: str | None = None, everything: bool = False,
            progress: Callable[[str], None] | None = None) -> Publication:
    """Send ``store``'s changed graphs to ``remote`` (all of them with ``everything``), drop the
    ones it no longer has, then record what the server now holds."""
    if store.pending():
        raise StoreError("the store has derived data still to compute from an interrupted write (its journal is not "
                         "empty): open it for writing once (e.g. `policykg reason`), then publish")
    started = time.perf_counter()
    done = Publication()
    before = {} if everything else recorded(remote)
    now: dict[str, str] = {}
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        lines = _lines(store, graph)
        now[graph.value] = digest(lines)
        if before.get(graph.value) == now[graph.value]:
            done.unchanged += 1
            continue
        _send(remote, graph.value, lines, graph_store)
        done.sent.append(graph.value)
        done.triples += len(lines)
        if progress:
            progress(f"sent {graph.value} ({len(lines):,} triples)")
    for gone in sorted(set(before) - set(now)):
        remote.update(f"DROP SILENT GRAPH <{gone}>")
        done.dropped.append(gone)
    if done.sent or done.dropped or everything or not before:
        record = [f'<{g}> <{SHA256}> "{sha}" .' for g, sha in sorted(now.items())]
        _send(remote, record_graph(), record, graph_store)
    done.seconds = time.perf_counter() - started
    return done
