"""The one table of settings.

Each setting has a name, a typed default, an environment variable and a help text. The same
table feeds the CLI options, the ``/api/settings`` endpoint and the README's settings section (a
test checks that every setting is documented there). Values are resolved once per environment
(``resolve``): each variable parsed to its setting's type, a value that does not parse reported
as a ``ConfigError`` naming the variable, the result a frozen mapping that ``get`` reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from policykg.errors import ConfigError

Value = str | int | float | bool  # a setting's value has its default's type


@dataclass(frozen=True)
class Setting:
    name: str
    default: Value
    help: str
    secret: bool = False  # the value is never shown (``/api/settings`` says only whether it is set)

    @property
    def env(self) -> str:
        return "POLICYKG_" + self.name.upper()

    def value(self) -> Value:
        return resolve()[self.name]

    def parse(self, raw: str | None) -> Value:
        """The value of the environment variable's text, in the type of the default."""
        if raw is None:
            return self.default
        try:
            if isinstance(self.default, bool):
                if raw.strip().lower() not in _BOOLEANS:
                    raise ValueError(raw)
                return _BOOLEANS[raw.strip().lower()]
            if isinstance(self.default, int):
                return int(raw)
            if isinstance(self.default, float):
                return float(raw)
        except ValueError:
            kind = "yes or no" if isinstance(self.default, bool) else type(self.default).__name__
            raise ConfigError(f"{self.env}={raw!r} is not a valid {self.name} setting (expected {kind}; default {self.default!r})") from None
        return raw

    def shown(self) -> Value:
        """The value as the API may show it: a secret only as "(set)" or empty."""
        value = self.value()
        return ("(set)" if value else "") if self.secret else value


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "data/store", "Directory of the embedded Oxigraph store (created if missing)."),
    Setting("corpus", "corpus/seeds", "Folder of source documents ingested by `make run`."),  # relative: a checkout's root
    Setting("divisions", "", "Divisions the vocabulary holds: empty for every division of China (GB/T 2260); or comma-separated GB/T 2260 codes (e.g. `450000` for 广西), each kept with its ancestors and their children, for a smaller, faster store of one region. Changing it rebuilds the vocabulary at the next start."),
    Setting("host", "127.0.0.1", "Interface the HTTP server listens on."),
    Setting("port", 8000, "Port the HTTP server listens on."),
    Setting("endpoint", "", "URL of a SPARQL 1.1 endpoint holding the graph (loaded from `policykg export --format nq`) that `policykg query --endpoint` and `policykg serve --endpoint` read instead of the embedded store, and `policykg publish` writes to; empty: the store."),
    Setting("endpoint_update", "", "URL of the SPARQL 1.1 Update service of that server, for `policykg publish`; empty: the endpoint's URL."),
    Setting("graph_store", "", "URL of that server's Graph Store Protocol service (Virtuoso: `http://HOST:8890/sparql-graph-crud`), for `policykg publish` to replace each changed graph with one PUT; empty: SPARQL Update."),
    Setting("endpoint_user", "", "User name for the SPARQL endpoint (HTTP authentication); empty: none."),
    Setting("endpoint_password", "", "Password for the SPARQL endpoint.", secret=True),
    Setting("base_iri", "https://w3id.org/policykg/", "Base of every IRI minted for documents, agencies and measures."),
    Setting("max_file_bytes", 20_000_000, "Largest source file ingest accepts, in bytes."),
    Setting("ingest_workers", 0, "Dask worker processes that read and parse files in parallel on a local cluster (0: one per core; 1: no cluster, in the ingest process)."),
    Setting("dask_scheduler", "", "Address of a running Dask scheduler (e.g. `tcp://10.0.0.5:8786`) whose workers parse the files, for a batch larger than one machine; its workers need policykg installed, not the files (they are sent). Empty: a local cluster of `ingest_workers`."),
    Setting("ingest_chunk", 50, "Documents an ingest writes before it derives their data (alignments, entailments) and lets go of its memory; an interrupted batch loses at most this much derived work, never a document."),
    Setting("sibling_measures", True, "Link each plan's measures to those of its sibling jurisdictions' plans that carry the same work (the similar-measures query and analysis) when plans are written: each new plan is compared with every sibling plan, about 2 s a plan at 10,000 generated documents with 9 siblings each, half of what aligning its measures with its parents' costs (bench/results/similarity-10000.md); no, for a faster national load without those links."),
    Setting("max_query_bytes", 100_000, "Largest SPARQL query text the endpoint accepts, in bytes."),
    Setting("page_size", 100, "Default number of rows per page of a canned query."),
    Setting("query_timeout", 30.0, "Seconds a SPARQL query may run; past it the query is stopped and answered 503."),
    Setting("max_rows", 10_000, "Most solutions or triples a SPARQL query returns; a cut result says `X-Policykg-Truncated: true`."),
    Setting("dump_streams", 2, "Whole-graph downloads (`/api/dump`) that may run at once; past it the answer is 503 with `Retry-After`."),
    Setting("query_workers", 2, "Worker processes that evaluate SPARQL queries (0: in the server process, where the time limit is only checked between solutions)."),
    Setting("query_queue", 32, "Requests for the query workers (SPARQL, canned queries, resource pages, UI views) that may wait beyond those running, each at most twice `query_timeout`; past it the answer is 503 with `Retry-After`. Other requests never wait behind them."),
    Setting("per_client_queries", 8, "Requests one client (remote address) may have running or waiting for the query workers; past it the answer is 429 with `Retry-After`."),
    Setting("query_memory_mb", 2048, "Memory a query worker may allocate beyond its start-up size, in MB; a query that needs more is answered 503."),
    Setting("update_token", "", "Bearer token that enables SPARQL Update and Graph Store writes; empty: the service is read-only.", secret=True),
    Setting("max_upload_bytes", 20_000_000, "Largest SPARQL Update or Graph Store payload accepted, in bytes."),
    Setting("service_hosts", "", "Hosts (comma-separated names, e.g. `query.wikidata.org`) that SERVICE in queries and updates and LOAD in updates may fetch from, over http(s); empty: SERVICE and LOAD are refused (403), since the server would fetch any URL a request names."),
    Setting("cors_origins", "*", "Origins allowed to read from the service in a browser (comma-separated; `*` any; empty: no CORS headers). Requests with `Authorization` and writes need `write_origins`."),
    Setting("write_origins", "", "Origins (comma-separated, exact, e.g. `https://admin.example`; `*` is not honoured) whose pages may send `Authorization` or write (PUT, DELETE, updates) across origins; empty: none."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False, "": False}


@lru_cache(maxsize=8)
def _resolved(environment: tuple[tuple[str, str], ...]) -> MappingProxyType[str, Value]:
    values = dict(environment)
    return MappingProxyType({s.name: s.parse(values.get(s.env)) for s in SETTINGS})


_ENVS = tuple(s.env for s in SETTINGS)


def resolve() -> MappingProxyType[str, Value]:
    """Every setting's value, parsed and checked once for the current POLICYKG_* environment."""
    get = os.environ.get
    return _resolved(tuple((name, value) for name in _ENVS if (value := get(name)) is not None))


@lru_cache(maxsize=256)
def _one(name: str, raw: str | None) -> Value:
    return SETTINGS_BY_NAME[name].parse(raw)


def get(name: str) -> Value:
    """The current value of a setting: environment variable if set, else the default (one
    variable read: hot paths such as minting IRIs call this per triple)."""
    return _one(name, os.environ.get(SETTINGS_BY_NAME[name].env))
