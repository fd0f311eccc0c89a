"""policykg: a knowledge graph of Chinese government policy documents (法治政府建设),
the agencies they name and the obligations they assign.

The package is assembled from the design card's top-level folders:
``policykg.ontology`` (ontology/), ``policykg.ingest`` (ingest/), ``policykg.graph`` (graph/),
``policykg.api`` (api/) and ``policykg.queries`` (queries/).

In Python (a notebook, a script)::

    import policykg
    kg = policykg.open("data/store")   # a store directory, or a SPARQL endpoint's URL
    kg.query("obligations", agency="钦南区法制办")   # a pandas DataFrame
    kg.network("lineage", area="广西")               # a networkx graph

(``policykg.workbench``; imported when ``open`` is first called, so the command line and the
server do not pay for it.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policykg.version import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from policykg.graph.remote import RemoteStore
    from policykg.graph.store import Store
    from policykg.workbench import KnowledgeGraph

__all__ = ["__version__", "open"]


def open(source: str | Path | Store | RemoteStore, inferred: bool = True) -> KnowledgeGraph:  # noqa: A001 (the contract's name)
    """The graph of a store directory or a SPARQL endpoint's URL (or a store already open), for analysis in Python
    (``policykg.workbench.KnowledgeGraph``: ``query``, ``network``, ``export``)."""
    from policykg.workbench import KnowledgeGraph

    return KnowledgeGraph(source, inferred=inferred)
