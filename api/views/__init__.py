"""The web UI's views, one module per view: ``editor`` (the SPARQL editor's tabs), ``lineage``,
``responsibility`` and ``search`` build the data each page is drawn from (its JSON twin);
``common`` holds what they share (language and UI strings, URLs, page rendering, labels). The
routes are in ``policykg.api.ui``."""
