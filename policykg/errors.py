"""Typed errors of policykg.

The tree::

    PolicyKGError                 base; ``status`` is the HTTP status the API answers with
    ├── InputError (400)          a file or parameter we cannot use
    │   ├── SourceFileError       unreadable, binary, empty, too large or wrongly encoded file
    │   │   └── ArchiveTooLarge   a .docx (ZIP) whose directory is over the entry or unpacked-size cap
    │   ├── ExtractionError       the text is readable but is not a document we can parse
    │   └── ParameterError        a query parameter is missing, malformed or of the wrong type
    ├── NotFound (404)            a named thing does not exist
    │   ├── QueryNotFound         no canned query of that name
    │   └── ResourceNotFound      a document, measure or agency could not be resolved
    ├── QueryError (400)          a SPARQL query is malformed or not allowed (e.g. an update)
    │   └── ProtocolError         a request the SPARQL Protocol does not allow
    │       ├── PayloadTooLarge (413)       a query, update or graph payload over the size limit
    │       ├── UnsupportedMediaType (415)  a body in a media type or charset we do not read
    │       ├── NotAcceptable (406)         no format the client accepts can be written
    │       └── MethodNotAllowed (405)      a method the endpoint does not take
    ├── Unauthorized (401)        a write without the right bearer token
    ├── UpdatesDisabled (403)     a write while the service is read-only
    ├── ComputedGraph (403)       a write to a graph the store derives (inferred, ontology, vocabulary, journal)
    ├── FetchRefused (403)        SERVICE or LOAD to a host not in ``service_hosts``
    ├── TooManyRequests (429)     a client with ``per_client_queries`` requests already under way
    ├── LimitExceeded (503)       a query stopped by a server limit, or no worker free
    │   ├── QueryTimeout          past ``query_timeout``
    │   ├── QueryAborted          the query ended its worker (most often: out of memory)
    │   └── ServiceBusy           every worker stayed busy, or the queue for them is full
    ├── StoreError (500/503)      the store cannot be opened or written
    └── ConfigError (500)         the installation is incomplete (a data package is missing)

Errors are raised by library code and turned into messages only at the CLI and HTTP
boundary (``policykg.cli`` and ``policykg.api``).
"""

from __future__ import annotations


class PolicyKGError(Exception):
    """Base of all policykg errors."""

    status: int = 500
    retry_after: int | None = None  # seconds: answered with a Retry-After header

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def headers(self) -> dict[str, str]:
        """The HTTP headers the error is answered with (Retry-After)."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}

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


class ArchiveTooLarge(SourceFileError):
    """A ZIP archive (.docx) whose directory says it unpacks to more bytes, or holds more
    entries, than we read (a zip bomb, or a document far larger than a policy text)."""


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


class ProtocolError(QueryError):
    """A request the SPARQL Protocol does not allow: no query, two queries, an update by GET…"""


class PayloadTooLarge(ProtocolError):
    """A query, update or graph payload over the size limit."""

    status = 413


class UnsupportedMediaType(ProtocolError):
    """A request body in a media type or charset the service does not read."""

    status = 415


class NotAcceptable(ProtocolError):
    """No format the client accepts can be written for this result."""

    status = 406


class MethodNotAllowed(ProtocolError):
    """A method the endpoint does not take."""

    status = 405


class Unauthorized(PolicyKGError):
    """A write without the right ``Authorization: Bearer`` token."""

    status = 401


class UpdatesDisabled(PolicyKGError):
    """A write (SPARQL Update, Graph Store PUT/POST/DELETE) while the service is read-only."""

    status = 403


class Unsupported(PolicyKGError):
    """What this kind of store cannot do (a whole dump of a graph that lives on a SPARQL server)."""

    status = 501


class ComputedGraph(PolicyKGError):
    """A write to a graph the store derives: the inferred graphs (only the reasoner writes them),
    the ontology and vocabulary graphs, and the store's own bookkeeping under ``graph/``; or an
    update that could reach one (a graph named by a variable)."""

    status = 403


class FetchRefused(PolicyKGError):
    """A SPARQL query or update that would make the server fetch a URL (SERVICE, LOAD) from a
    host not in the setting ``service_hosts``, or from an endpoint named by a variable."""

    status = 403


class TooManyRequests(PolicyKGError):
    """A client already has ``per_client_queries`` requests running or waiting for the query
    workers."""

    status = 429
    retry_after = 1


class LimitExceeded(PolicyKGError):
    """A query stopped by a limit the server enforces, or no worker free to run it."""

    status = 503


class QueryTimeout(LimitExceeded):
    """The query ran past ``query_timeout`` and was stopped."""


class QueryAborted(LimitExceeded):
    """The query ended its worker process (most often: past ``query_memory_mb``)."""


class ServiceBusy(LimitExceeded):
    """Every query worker stayed busy, or ``query_queue`` requests already wait for one."""

    retry_after = 1


class StoreError(PolicyKGError):
    """The store cannot be opened, read or written."""

    status = 503


class ConfigError(PolicyKGError):
    """The installation is incomplete: a package or data file policykg needs is missing."""

    status = 500
