"""policykg: a knowledge graph of Chinese government policy documents (法治政府建设),
the agencies they name and the obligations they assign.

The package is assembled from the design card's top-level folders:
``policykg.ontology`` (ontology/), ``policykg.ingest`` (ingest/), ``policykg.graph`` (graph/),
``policykg.api`` (api/) and ``policykg.queries`` (queries/).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
