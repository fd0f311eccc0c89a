"""Typed errors of policykg.

The tree::

    PolicyKGError                 base; ``status`` is the HTTP status the API answers with
    ├── InputError (400)          a file or parameter we cannot use
    │   ├── SourceFileError       unreadable, binary, empty, too large or wrongly encoded file
    │   ├── ExtractionError       the text is readable but is not a document we can parse
    │   └── ParameterError        a query parameter is missing, malformed or of the wrong type
    ├── NotFound (404)            a named thing does not exist
    │   ├── QueryNotFound         no canned query of that name
    │   └── ResourceNotFound      a document, measure or agency could not be resolved
    ├── QueryError (400)          a SPARQL query is malformed or not allowed (e.g. an update)
    ├── StoreError (500/503)      the store cannot be opened or written
    └── ConfigError (500)         the installation is incomplete (a data package is missing)

Errors are raised by library code and turned into messages only at the CLI and HTTP
boundary (``policykg.cli`` and ``policykg.api``).
"""

from __future__ import annotations


class PolicyKGError(Exception):
    """Base of all policykg errors."""

    status: int = 500

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {
            "ok": False,
            "error": type(self).__name__,
            "message": self.message,
            "status": self.status,
        }
        if self.context:
            body["context"] = {k: str(v) for k, v in self.context.items()}
        return body


class InputError(PolicyKGError):
    """Input we cannot use."""

    status = 400


class SourceFileError(InputError):
    """A source file is unreadable, binary, empty, too large or in an unknown encoding."""


class ExtractionError(InputError):
    """A readable text that is not a policy document or report we can parse."""


class ParameterError(InputError):
    """A parameter is missing, malformed or of the wrong type."""


class NotFound(PolicyKGError):
    """A named thing does not exist."""

    status = 404


class QueryNotFound(NotFound):
    """No canned query has this name."""


class ResourceNotFound(NotFound):
    """A document, measure or agency named by the user could not be resolved."""


class QueryError(PolicyKGError):
    """A SPARQL query is malformed or not allowed here."""

    status = 400


class StoreError(PolicyKGError):
    """The store cannot be opened, read or written."""

    status = 503


class ConfigError(PolicyKGError):
    """The installation is incomplete: a package or data file policykg needs is missing."""

    status = 500
