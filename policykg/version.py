"""The package's version (pyproject.toml's ``version``), in a module of its own so that every
layer can read it without importing the package's Python entry point (``policykg.open``)."""

__version__ = "0.1.0"
