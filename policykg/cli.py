"""The ``policykg`` command. Each sub-command is a thin wrapper over library functions; domain
errors are turned into messages here and nowhere else."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from policykg import settings
from policykg.errors import ExtractionError, PolicyKGError
from policykg.ingest.batch import FileResult, Summary, collect
from policykg.version import __version__

STORE_HELP = "Directory of the Oxigraph store (env POLICYKG_STORE)."
PARALLEL_FROM = 20  # fewer files are parsed in the ingest process: a local cluster takes 1.5 s to start


def _store_option(f):  # type: ignore[no-untyped-def]
    return click.option("--store", "store_dir", default=lambda: settings.get("store"), show_default="data/store",
                        type=click.Path(file_okay=False), help=STORE_HELP)(f)


def _open(store_dir: str, read_only: bool = False):  # type: ignore[no-untyped-def]
    from policykg.graph.store import Store

    return Store(store_dir, read_only=read_only)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except PolicyKGError as exc:
            raise click.ClickException(exc.message) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="policykg")
def cli() -> None:
    """policykg: a knowledge graph of Chinese government policy documents (法治政府建设),
    the agencies they name and the obligations they assign."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text: a line per file (a progress line on a terminal) and a summary; json: the summary as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress line (files done, rate, time left) instead of a line per file, and the failures at the end "
                   "(default: on a terminal, for more than 20 files).")
@click.option("--server", metavar="URL", default=None,
              help="Hand the files to a running `policykg serve` at URL (POST /api/documents) instead of opening the store: "
                   "the server stays its only writer. Needs the server's update token (--token or POLICYKG_UPDATE_TOKEN).")
@click.option("--token", default=lambda: settings.get("update_token"), show_default="POLICYKG_UPDATE_TOKEN",
              help="The update token of the server named by --server.")
@click.option("--workers", type=click.IntRange(min=0), default=lambda: settings.get("ingest_workers"),
              show_default="POLICYKG_INGEST_WORKERS, 0: one per core",
              help="Dask worker processes that parse files in parallel on a local cluster (batches of "
                   f"{PARALLEL_FROM} files or more; 1: parse in this process).")
@click.option("--scheduler", metavar="ADDRESS", default=lambda: settings.get("dask_scheduler"),
              show_default="POLICYKG_DASK_SCHEDULER",
              help="Parse on the workers of a running Dask scheduler (e.g. tcp://10.0.0.5:8786) instead of a local cluster.")
def ingest(paths: tuple[str, ...], store_dir: str, fmt: str, progress: bool | None, server: str | None, token: str,
           workers: int, scheduler: str) -> None:
    """Parse documents (text, HTML, PDF, DOCX) into the graph, one named graph per document.

    Folders are walked for .txt/.html/.htm/.pdf/.docx files. Each file is ingested or fails
    alone (with the file and the reason) and the batch goes on; each is written in one
    transaction, so the store is never half-written. Each line says what became of the file:
    new; same (already stored: nothing changed); replaced (a new text of the same file, same
    IRI); re-extracted (read again by a newer extraction, same IRI); edition (a mirror, excerpt
    or other text of a stored document, kept beside it and linked); homonym (a different
    document with the same title, kept as a node of its own). Exits 1 if any file failed.

    Files are parsed in parallel on a Dask cluster and written by this process alone, in the
    files' order; derived data (alignments, entailments) is computed every POLICYKG_INGEST_CHUNK
    documents. A file already stored as it is is skipped before it is parsed, so a batch run again
    after an interruption goes on where it stopped.

    \b
    Example:
      policykg ingest corpus/seeds --store data/store
    """
    files, skipped = collect(paths)
    if server:
        summary = Summary(skipped=skipped)
        for r in post_files(files, server, str(token or "")):
            summary.results.append(r)
            if fmt == "text":
                _report(r)
        store_dir = server
    else:
        summary = run_ingest(files, store_dir, fmt, skipped, progress, workers, scheduler)
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        extra = f", {len(skipped)} skipped (not .txt/.html/.pdf/.docx)" if skipped else ""
        statuses = Counter(r.status for r in summary.results if r.ok)
        detail = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        click.echo(f"{summary.ok} ingested{f' ({detail})' if detail else ''}, {len(summary.failed)} failed{extra}; store at {store_dir}")
    if summary.failed:
        sys.exit(1)


def run_ingest(files: list[Path], store_dir: str, fmt: str = "text", skipped: list[Path] | None = None,
               progress: bool | None = None, workers: int | None = None, scheduler: str | None = None) -> Summary:
    """Ingest files into the store at ``store_dir``, parsed on a Dask cluster (``workers`` local
    processes, or the scheduler at ``scheduler``); the store is closed on return."""
    from policykg.graph.loader import cluster, ingest_files

    store = _open(store_dir)  # opening finishes what an interrupted write left in the journal
    store.ensure_vocabularies()  # nothing to do when the store's vocabulary is current
    summary = Summary(skipped=skipped or [])
    shown = fmt == "text" and (progress if progress is not None else len(files) > 20 and sys.stderr.isatty())
    if not scheduler and len(files) < PARALLEL_FROM:
        workers = 1
    try:
        with cluster(workers, scheduler) as executor:
            meter = _Progress(len(files)) if shown else None
            for r in ingest_files(files, store, executor):
                summary.results.append(r)
                if meter is not None:
                    meter.step(r)
                elif fmt == "text":
                    _report(r)
            if meter is not None:
                meter.done()
                for r in summary.failed:  # the failure report, after the bar
                    _report(r)
    finally:
        store.compact()  # to its files, without the write-ahead log of the batch
    return summary


class _Progress:
    """A line on stderr: files done of all, the rate and the time left (rewritten in place on a
    terminal; on other outputs a line every ten seconds)."""

    def __init__(self, total: int) -> None:
        import time

        self.total, self.done_, self.failed, self.clock = total, 0, 0, time.monotonic
        self.started = self.last = self.clock()
        self.tty = sys.stderr.isatty()

    def step(self, r: FileResult) -> None:
        self.done_ += 1
        self.failed += not r.ok
        now = self.clock()
        if now - self.last >= (0.5 if self.tty else 10.0) or self.done_ == self.total:
            self.last = now
            click.echo(("\r" if self.tty else "") + self.line(now), err=True, nl=not self.tty)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done_ / elapsed
        left = (self.total - self.done_) / rate if rate else 0.0
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"ingesting: {self.done_}/{self.total} files ({100 * self.done_ // max(self.total, 1)}%){failed}, "
                f"{rate:.1f} files/s, {_duration(elapsed)} elapsed, about {_duration(left)} left")

    def done(self) -> None:
        if self.tty:
            click.echo("", err=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def post_files(files: list[Path], server: str, token: str) -> Iterator[FileResult]:
    """Send each file to a running server's POST /api/documents; one result per file."""
    import time
    import urllib.error
    import urllib.request
    from urllib.parse import quote

    url = server.rstrip("/") + "/api/documents?filename="
    for path in files:
        started = time.perf_counter()
        try:
            request = urllib.request.Request(url + quote(path.name), data=path.read_bytes(), method="POST", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
            with urllib.request.urlopen(request, timeout=600) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("message", exc.reason)
            except ValueError:
                message = exc.reason
            yield FileResult(path, False, error=f"{path}: {message} (HTTP {exc.code} from {server})", seconds=time.perf_counter() - started)
            continue
        except (OSError, ValueError) as exc:
            yield FileResult(path, False, error=f"{path}: cannot reach the server at {server}: {exc}", seconds=time.perf_counter() - started)
            continue
        yield FileResult(path, True, title=body["title"], key=body["key"], measures=body["measures"], citations=body["citations"],
                         observations=body["observations"], triples=body["triples"], warnings=body["warnings"],
                         status=body.get("status", "new"), related=body.get("related"), note=body.get("note", ""),
                         seconds=time.perf_counter() - started)


def _report(r: FileResult) -> None:
    if not r.ok:
        click.echo(f"FAILED {r.error}", err=True)
        return
    if r.status == "unchanged":
        click.echo(f"same   {r.path.name}: {r.title} — {r.note}")
    else:
        click.echo(f"{r.status:<6} {r.path.name}: {r.title} — {r.measures} measures, {r.citations} citations, "
                   f"{r.observations} figures, {r.triples} triples{f' ({r.note})' if r.note else ''}")
    for warning in r.warnings:
        click.echo(f"WARNING {warning}", err=True)


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", help="Output format.")
def extract(path: str, fmt: str) -> None:
    """Print what ingest would store for one file, without storing it.

    \b
    Example:
      policykg extract corpus/seeds/004_8a0f2a3241cfe731.txt --format json
    """
    from policykg.ingest import extract as run

    try:
        ex = run(path)
    except PolicyKGError:
        raise
    except Exception as exc:  # a parser bug: say so, with the file, instead of a traceback
        raise ExtractionError(f"{path}: internal error while parsing ({type(exc).__name__}: {exc}); please report it with the file") from exc
    click.echo(json.dumps(ex.to_json(), ensure_ascii=False, indent=2))


def _emit(columns: list[str], rows: list[dict[str, object]], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        from policykg.tables import csv_text

        click.echo(csv_text(rows, columns), nl=False)
        return
    if not rows:
        click.echo("(no rows)")
        return
    cells = [[("" if r[c] is None else str(r[c])).replace("\n", " ")[:60] for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def _endpoint_option(f):  # type: ignore[no-untyped-def]
    return click.option("--endpoint", metavar="URL", default=lambda: settings.get("endpoint") or None, show_default="POLICYKG_ENDPOINT",
                        help="Read the graph from this SPARQL 1.1 endpoint (loaded from `policykg export --format nq`) instead of "
                             "--store; credentials from POLICYKG_ENDPOINT_USER and POLICYKG_ENDPOINT_PASSWORD.")(f)


@cli.command()
@click.argument("name_or_file")
@_store_option
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="A query parameter, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", help="Output format.")
@click.option("--inferred/--no-inferred", default=True,
              help="Include the materialised entailments (transitive lineage, role roll-ups, types); see `policykg reason`.")
@_endpoint_option
def query(name_or_file: str, store_dir: str, params: tuple[str, ...], fmt: str, inferred: bool, endpoint: str | None) -> None:
    """Run a canned query (by name) or a .rq file.

    \b
    Examples:
      policykg query implementers -p 'document=钦州市钦南区法治政府建设实施方案(2016-2020年)' -p measure=37
      policykg query lineage -p 'document=钦州市钦南区法治政府建设实施方案(2016-2020年)' --format json
      policykg query due-by -p date=2017-12-31 --format csv
    Canned queries: the .rq files in queries/ (also listed by GET /api/queries).
    """
    from policykg import queries
    from policykg.workbench import KnowledgeGraph

    q = queries.get(name_or_file)  # a name or a .rq file, never SPARQL text here
    kg = KnowledgeGraph(endpoint or store_dir, inferred=inferred)
    _emit(*kg.table(kg.sparql(str(q.path) if Path(name_or_file).suffix == ".rq" else q.name, **_pairs(params, "--param"))), fmt)


def _pairs(given: tuple[str, ...], option: str) -> dict[str, str]:
    from policykg.errors import ParameterError

    values: dict[str, str] = {}
    for p in given:
        if "=" not in p:
            raise ParameterError(f"{option} must be KEY=VALUE, got {p!r}")
        k, v = p.split("=", 1)
        values[k.strip()] = v
    return values


@cli.command()
@_store_option
@click.option("--host", default=lambda: settings.get("host"), show_default="127.0.0.1", help="Interface to listen on.")
@click.option("--port", default=lambda: settings.get("port"), show_default="8000", type=int, help="Port to listen on.")
@_endpoint_option
def serve(store_dir: str, host: str, port: int, endpoint: str | None) -> None:
    """Serve the SPARQL endpoint, the JSON API and the web pages.

    \b
    Examples:
      policykg serve --store data/store --host 127.0.0.1 --port 8000
      policykg serve --endpoint http://127.0.0.1:8890/sparql
    then open http://127.0.0.1:8000/ (API docs at /docs, SPARQL at /sparql). Over --endpoint
    every page and query reads that server, and writes through this one are refused.
    """
    from policykg.api.app import create_app
    from policykg.api.server import run

    if endpoint:
        from policykg.graph.remote import RemoteStore

        remote = RemoteStore(endpoint)
        len(remote)  # reach it now: a wrong URL is told at start, not at the first page
        run(create_app(remote), host, port)
        return
    store = _open(store_dir)
    store.ensure_vocabularies()
    run(create_app(store), host, port)


EXPORT_FORMATS = {"nq": "N-Quads", "trig": "TriG", "ttl": "Turtle (union of all graphs)", "nt": "N-Triples (union)"}


@cli.command()
@_store_option
@click.option("--endpoint", metavar="URL", default=lambda: settings.get("endpoint") or None, show_default="POLICYKG_ENDPOINT",
              help="The SPARQL 1.1 server to publish to (its query service; POLICYKG_ENDPOINT_UPDATE names its update service "
                   "if it is another URL); credentials from POLICYKG_ENDPOINT_USER and POLICYKG_ENDPOINT_PASSWORD.")
@click.option("--graph-store", metavar="URL", default=lambda: settings.get("graph_store") or None, show_default="POLICYKG_GRAPH_STORE",
              help="The server's Graph Store Protocol service: each changed graph replaced by one PUT (else by SPARQL Update).")
@click.option("--all", "everything", is_flag=True, help="Send every graph, whatever the server's record says was published.")
def publish(store_dir: str, endpoint: str | None, graph_store: str | None, everything: bool) -> None:
    """Publish the store to a SPARQL server: its changed graphs replace theirs there.

    \b
    Example:
      policykg publish --store data/store --endpoint http://127.0.0.1:8890/sparql \\
        --graph-store http://127.0.0.1:8890/sparql-graph-crud
    then `policykg serve --endpoint http://127.0.0.1:8890/sparql` serves it from there.
    """
    from policykg.errors import ConfigError
    from policykg.graph.publish import publish as send
    from policykg.graph.remote import RemoteStore

    if not endpoint:
        raise ConfigError("name the SPARQL server to publish to: --endpoint URL (or POLICYKG_ENDPOINT)")
    done = send(_open(store_dir, read_only=True), RemoteStore(endpoint), graph_store, everything,
                progress=lambda line: click.echo(line, err=True))
    click.echo(f"published {len(done.sent)} graphs ({done.triples:,} triples), dropped {len(done.dropped)}, "
               f"{done.unchanged} unchanged, in {done.seconds:.1f} s to {endpoint}")


@cli.command()
@click.argument("document")
@_store_option
@click.option("--level", required=True, help="The level of the adopting divisions: provincial, prefectural or county (省级, 市级, 县级).")
@click.option("--table", type=click.Choice(["adoption", "curve", "history"]), default="adoption",
              help="adoption: each division, its first plan and lag; curve: adoptions per year; history: the event-history table.")
@click.option("--years", help="With --table history: the years at risk (2016-2020); default: the document's year to the last adoption.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", help="Output format.")
@_endpoint_option
def diffusion(document: str, store_dir: str, level: str, table: str, years: str | None, fmt: str, endpoint: str | None) -> None:
    """How a document spread down a level: who adopted it, when, how fast.

    \b
    Examples:
      policykg diffusion "法治政府建设实施纲要(2015—2020年)" --level provincial
      policykg diffusion "广西壮族自治区法治政府建设实施方案(2016—2020年)" --level county --table history --format csv
    """
    from policykg.workbench import KnowledgeGraph

    rows = KnowledgeGraph(endpoint or store_dir).diffusion_rows(table, document, level, years)
    _emit(list(rows[0]) if rows else [], rows, fmt)


@cli.command()
@click.argument("analysis", type=click.Choice(["load", "communities", "lineage", "lineage-by-level", "unled", "similar-measures"]))
@_store_option
@click.option("--area", help="A division (code or name): its documents and those below it.")
@click.option("--level", help="national, provincial, prefectural, county or township (省级, 市级, 县级 …).")
@click.option("--years", help="The years documents were signed or published: 2016-2020, or one year.")
@click.option("--task-area", "task_area", help="The measures of one task area (notation or Chinese name).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", help="Output format.")
@_endpoint_option
def analyse(analysis: str, store_dir: str, area: str | None, level: str | None, years: str | None, task_area: str | None,
            fmt: str, endpoint: str | None) -> None:
    """Who carries the load, who works with whom, how deep lineage runs, which measures have no lead,
    which measures of sibling jurisdictions carry the same work.

    \b
    load: per agency, measures led / responsible / cooperating, partners, centrality, community
    communities: agencies that share measures (co-responsibility), by community
    lineage, lineage-by-level: per document (or level), the depth of lineage above it and its fan-out
    unled: measures assigned to bodies but to no lead
    similar-measures: pairs of measures of sibling jurisdictions' plans with the same work, most similar first
    Examples:
      policykg analyse load --area 钦南区
      policykg analyse lineage-by-level --area 450000 --format csv
    """
    from policykg.workbench import KnowledgeGraph

    rows = KnowledgeGraph(endpoint or store_dir).analysis_rows(analysis, area=area, level=level, years=years, task_area=task_area)
    _emit(list(rows[0]) if rows else [], rows, fmt)


NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "csv")


@cli.command()
@_store_option
@click.option("--format", "fmt", type=click.Choice([*sorted(EXPORT_FORMATS), "dump", *NETWORK_FORMATS]), default="nq",
              help="RDF: nq, trig, ttl, nt; dump: N-Quads and its manifest (needs -o); a projection: graphml, gexf, "
                   "cytoscape, csv (needs --projection).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--projection", type=click.Choice(["lineage", "responsibility", "co-responsibility", "citations", "jurisdictions",
                                                 "similarity"]),
              help="The network to export (with --format graphml, gexf, cytoscape or csv).")
@click.option("--area", help="A division (code or name): its documents and those below it.")
@click.option("--level", help="national, provincial, prefectural, county or township (省级, 市级, 县级 …).")
@click.option("--years", help="The years documents were signed or published: 2016-2020, or one year.")
@click.option("--task-area", "task_area", help="The measures of one task area (notation or Chinese name).")
@click.option("--table", type=click.Choice(["edges", "nodes"]), default="edges", help="With --format csv: the edge or the node list.")
def export(store_dir: str, fmt: str, output: str | None, projection: str | None, area: str | None, level: str | None,
           years: str | None, task_area: str | None, table: str) -> None:
    """Dump the graph (N-Quads/TriG keep the named graphs; Turtle/N-Triples give their union), a
    citable release (N-Quads and a manifest), or a network projection for Gephi, Cytoscape,
    networkx or pandas.

    \b
    Examples:
      policykg export --store data/store --format trig -o policykg.trig
      policykg export --format dump -o policykg.nq        # and policykg.nq.manifest.json
      policykg export --format graphml --projection lineage --area 450000 -o lineage.graphml
      policykg export --format csv --projection responsibility --area 钦南区 --table nodes
    """
    from policykg.errors import ParameterError

    filters = {"area": area, "level": level, "years": years, "task_area": task_area}
    if fmt in NETWORK_FORMATS:
        if not projection:
            raise ParameterError(f"--format {fmt} exports a network: name it with --projection")
        from policykg.queries import network_formats
        from policykg.workbench import KnowledgeGraph

        data = network_formats.write(KnowledgeGraph(store_dir).network(projection, **filters), fmt, table)
    elif projection or any(filters.values()):
        raise ParameterError(f"--projection and its filters go with --format {', '.join(NETWORK_FORMATS)}, not {fmt}")
    elif fmt == "dump":
        if not output:
            raise ParameterError("--format dump writes a file and its manifest beside it: give the file with -o")
        from policykg.graph.export import release

        with open(output, "wb") as out:
            manifest = release(_open(store_dir, read_only=True).ox, out)
        Path(output + ".manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(f"wrote {manifest['quads']:,} quads ({manifest['bytes']:,} bytes, sha256 {manifest['sha256'][:12]}…) to "
                   f"{output} and its manifest to {output}.manifest.json", err=True)
        return
    else:
        from policykg.graph.export import dump

        data = dump(_open(store_dir, read_only=True), fmt)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {len(data):,} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@_store_option
@click.option("--owl/--no-owl", default=False, help="Also run owlrl's OWL 2 RL closure and report inconsistencies (slow).")
def validate(store_dir: str, owl: bool) -> None:
    """Check the graph against the SHACL shapes (and optionally OWL 2 RL consistency).

    \b
    Example:
      policykg validate --store data/store --owl
    """
    from policykg import ontology
    from policykg.graph.export import union_graph

    data = union_graph(_open(store_dir, read_only=True))
    report = ontology.validate(data)
    click.echo(f"SHACL: {'conforms' if report.conforms else 'does not conform'} "
               f"({report.violations} violations, {report.warnings} warnings)")
    if not report.conforms:
        click.echo(report.text)
    bad = False
    if owl:
        problems = ontology.owl_inconsistencies(data)
        click.echo(f"OWL 2 RL: {'consistent' if not problems else f'{len(problems)} inconsistencies'}")
        for p in problems[:20]:
            click.echo(f"  {p}")
        bad = bool(problems)
    if not report.conforms or bad:
        sys.exit(1)


@cli.command()
@_store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format.")
def stats(store_dir: str, fmt: str) -> None:
    """Counts: triples, graphs, documents with text and only cited, measures, assignments, citations,
    agencies named in documents, collectives, other bodies and the vocabulary's governments.

    \b
    Example:
      policykg stats --store data/store
    """
    s = _open(store_dir, read_only=True).stats().to_dict()
    if fmt == "json":
        click.echo(json.dumps(s))
    else:
        for k, v in s.items():
            click.echo(f"{k:<20} {v:>8}")


@cli.command()
@_store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def reason(store_dir: str, fmt: str) -> None:
    """Rebuild the materialised entailments (graph/inferred/…) from the ontology's OWL 2 RL axioms.

    Ingest keeps them up to date; run this after changing the ontology. Rules: sub-properties,
    inverses, transitive properties, property chains, domains, ranges and sub-classes; owlrl is
    the reference semantics (`policykg validate --owl`).

    \b
    Example:
      policykg reason --store data/store
    """
    from policykg.graph import reasoning

    store = _open(store_dir)
    runs = store.refresh_inferences()
    store.flush()
    total = sum(r.added for r in runs.values())
    documents = len(reasoning.document_keys(store.ox))
    seconds = sum(r.seconds for r in runs.values())
    if fmt == "json":
        click.echo(json.dumps({"added": total, "seconds": round(seconds, 3), "documents": documents,
                               "steps": {k: r.__dict__ for k, r in runs.items()}}, ensure_ascii=False, indent=2))
        return
    closure = runs["closure"]
    click.echo(f"{total} triples inferred in {seconds:.2f} s ({documents} documents; each graph's own: "
               f"{runs['local'].added if 'local' in runs else 0}; across graphs: {closure.added} in {closure.rounds} rounds)")
    for rule, n in sorted(closure.per_rule.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {n:>8}  {rule}")


@cli.command(name="eval")
@click.option("--gold", type=click.Path(file_okay=False), default="tests/gold", show_default=True,
              help="Folder of gold annotations (in a checkout of policykg; paths are relative to the current folder).")
@click.option("--corpus", type=click.Path(file_okay=False), multiple=True,
              default=lambda: [settings.get("corpus"), "tests/fixtures/layouts", "tests/fixtures/cascade"],
              show_default="corpus/seeds, tests/fixtures/layouts and tests/fixtures/cascade", help="Folder of the source documents (repeatable).")
@click.option("--realworld", metavar="DIR", default=None, show_default="../shared/realworld if it exists",
              help="Development set of real pages: a folder with docs/ and gold.json (format of ../shared/realworld); '' skips it.")
@click.option("--no-realworld", is_flag=True, help="Skip the development set of real pages.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format.")
def evaluate(gold: str, corpus: tuple[str, ...], realworld: str | None, no_realworld: bool, fmt: str) -> None:
    """Extraction against gold: the documents written beside the parser (seeds and layout fixtures,
    precision and recall per field and layout) and, apart, a development set of real pages nobody
    here wrote (per field, per class of failure, every miss listed; scored as score.py scores them).

    \b
    Example:
      policykg eval --gold tests/gold --corpus corpus/seeds --corpus tests/fixtures/layouts
      policykg eval --realworld ../shared/realworld --format json
    """
    from policykg.graph.evaluation import SET_PARSER, SET_REAL, evaluate as run, evaluate_realworld, format_realworld, format_table

    # the gold annotations and their documents come with a checkout of the repository, not with the package
    missing = [f for f in (gold, *corpus) if not Path(f).is_dir()]
    if missing:
        raise click.UsageError(f"no folder {', '.join(missing)} (in {Path.cwd()}): `policykg eval` needs the gold annotations "
                               "and documents of a checkout of policykg: run it from the checkout's root (make eval) or "
                               "pass --gold DIR and --corpus DIR")
    default = Path("..") / "shared" / "realworld"
    folder = None if no_realworld or realworld == "" else Path(realworld) if realworld is not None else default
    if folder is not None and realworld is not None and not folder.is_dir():
        raise click.UsageError(f"--realworld {realworld}: no such folder (in {Path.cwd()}); pass a folder with docs/ and gold.json")
    not_found = None
    if folder is not None and not folder.is_dir():
        not_found = (f"{SET_REAL}: not found at {folder} (from {Path.cwd()}); pass --realworld DIR "
                     "(a folder with docs/ and gold.json) to score it, or --no-realworld to say you skip it")
        folder = None
    scores = run(Path(gold), [Path(c) for c in corpus])
    real = evaluate_realworld(folder) if folder is not None else None
    if fmt == "json":
        rows: list[dict[str, object]] = [s.to_dict() for s in scores]
        if real is not None:
            rows += real.rows()
        elif not_found:
            rows.append({"set": SET_REAL, "layout": "development set", "field": "not found", "note": not_found})
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"== {SET_PARSER} ==\n\n{format_table(scores)}")
    if real is not None:
        click.echo(f"\n== {SET_REAL}: {real.folder} ==\n\n{format_realworld(real)}")
    elif not_found:
        click.echo(f"\n{not_found}")


def main() -> None:
    cli(prog_name="policykg")
