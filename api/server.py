"""The HTTP server: uvicorn, with a request line that may carry raw UTF-8.

People paste Chinese into URLs (``curl '…/api/queries/implementers?document=钦州市…'``) and curl
sends it as raw UTF-8 bytes. HTTP/1.1 allows only ASCII in the request target, so h11 refuses the
request and uvicorn answers ``400 Invalid HTTP request received.`` in plain text, before the app
sees it. ``Utf8RequestLine`` percent-encodes the bytes above 0x7F of each request line before h11
parses it: the same request a browser would send for the same address. Nothing else changes: the
headers and the body are passed on as they came.
"""

from __future__ import annotations

from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


def _quote_high(data: bytes) -> bytes:
    return b"".join(b"%%%02X" % b if b > 0x7F else bytes((b,)) for b in data) if any(b > 0x7F for b in data) else data


class Utf8RequestLine(H11Protocol):
    """uvicorn's h11 protocol, with the bytes above 0x7F of each request line percent-encoded."""

    _line_done = False

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and not self._line_done:
            end = data.find(b"\n")
            head, rest = (data, b"") if end < 0 else (data[:end], data[end:])
            data = _quote_high(head) + rest
            self._line_done = end >= 0
        super().data_received(data)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._line_done = False  # the next request on this connection has its own request line


def config(app: Any, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """uvicorn's configuration for the app, with the protocol above."""
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http=Utf8RequestLine)


def run(app: Any, host: str, port: int) -> None:
    """Serve the app until interrupted."""
    uvicorn.Server(config(app, host, port)).run()
