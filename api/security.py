"""The headers that keep browsers safe around the service: CORS that never lets another origin
send the update token, and the security headers of every response.

CORS (``add_cors``)
    Reads (GET, HEAD, POST without ``Authorization``: queries, the JSON API, the pages) may be
    called from the origins of ``cors_origins`` (``*``: any; empty: none). A request that
    carries ``Authorization`` or uses PUT, DELETE or PATCH (SPARQL Update, Graph Store writes)
    is allowed only from an origin listed in ``write_origins`` (exact origins; ``*`` is not
    honoured there; empty, the default: none). A preflight for such a request from any other
    origin is answered 403 without allow headers, so the browser never sends it; an actual
    request from such an origin gets no ``Access-Control-Allow-Origin``.

Security headers (``add_security_headers``)
    Every response: ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY``. HTML
    pages also carry ``Content-Security-Policy`` (``CSP``): everything from our own origin only
    (the pages load /assets and /static; no inline script, no inline style but the two YASGUI
    injects, by hash: ``LIBRARY_STYLES``), and ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders

from policykg import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

READ_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
WRITE_METHODS = ("PUT", "DELETE", "PATCH")
EXPOSED = "Location, Retry-After, X-Policykg-Truncated, X-Policykg-Row-Limit, X-Policykg-Rows"
# The inline <style> elements a library on our pages injects, allowed by hash (no other inline style or
# script is): YASGUI's table column resizer (@zazuko/yasgui 4.6.2, yasgui.min.js: createStyle(head,
# " .grip-resizable{…}") when a result table is drawn, and "*{cursor:col-resize!important}" while a column
# is dragged). Cytoscape's is not needed: api/static/cytoscape.css stands in for it. A new version of a
# library may inject something else: the browser tests then fail with Chromium's message, which names its hash.
LIBRARY_STYLES = ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='", "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='")
CSP = (f"default-src 'self'; script-src 'self'; style-src 'self' {' '.join(LIBRARY_STYLES)}; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def origins(value: object) -> list[str]:
    return [o.strip().rstrip("/") for o in str(value or "").split(",") if o.strip()]


class CORS:
    """CORS with two origin lists: one for reads, one for requests that carry the update token
    or write (see the module's docstring)."""

    def __init__(self, app: ASGIApp, read_origins: list[str], write_origins: list[str]) -> None:
        self.app = app
        self.read_any = "*" in read_origins
        self.read = set(read_origins) - {"*"}
        self.write = set(write_origins) - {"*"}

    def allowed(self, origin: str, write: bool) -> bool:
        if write:
            return origin in self.write
        return self.read_any or origin in self.read or origin in self.write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, headers, send)
            return
        write = method in WRITE_METHODS or "authorization" in headers
        if not self.allowed(origin, write):
            await self.app(scope, receive, send)  # answered, but the browser will not show it to the page
            return
        allow = "*" if not write and self.read_any and origin not in self.write else origin

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h["Access-Control-Allow-Origin"] = allow
                h["Access-Control-Expose-Headers"] = EXPOSED
                if allow != "*":
                    h.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def preflight(self, origin: str, headers: Headers, send: Send) -> None:
        method = headers["access-control-request-method"].strip().upper()
        asked = [h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()]
        write = method in WRITE_METHODS or "authorization" in asked
        known = method in READ_METHODS or method in WRITE_METHODS
        out: dict[str, str] = {"Vary": "Origin"}
        if known and self.allowed(origin, write):
            status, body = 200, b"OK"
            out |= {"Access-Control-Allow-Origin": "*" if not write and self.read_any and origin not in self.write else origin,
                    "Access-Control-Allow-Methods": ", ".join((*READ_METHODS, *WRITE_METHODS) if write else READ_METHODS),
                    "Access-Control-Max-Age": "600", "Content-Type": "text/plain; charset=utf-8"}
            if asked:
                out["Access-Control-Allow-Headers"] = ", ".join(asked)
        else:
            status = 403
            why = ("a request with Authorization or a write (PUT, DELETE, PATCH) is allowed only from the origins in the "
                   "setting write_origins" if write else f"the origin {origin} is not in the setting cors_origins")
            body = json.dumps({"ok": False, "error": "CORSRefused", "message": f"CORS preflight refused: {why}",
                               "status": status}).encode()
            out["Content-Type"] = "application/json"
        out["Content-Length"] = str(len(body))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in out.items()]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """``nosniff`` and ``X-Frame-Options: DENY`` on every response, the CSP on HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h["X-Content-Type-Options"] = "nosniff"
                h["X-Frame-Options"] = "DENY"
                if h.get("content-type", "").startswith("text/html"):
                    h["Content-Security-Policy"] = CSP
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_cors(app: FastAPI) -> None:
    """CORS for every route, from the settings ``cors_origins`` and ``write_origins``."""
    read, write = origins(settings.get("cors_origins")), origins(settings.get("write_origins"))
    if read or write:
        app.add_middleware(CORS, read_origins=read, write_origins=write)


def add_security_headers(app: FastAPI) -> None:
    """The security headers on every response (added last: the outermost middleware)."""
    app.add_middleware(SecurityHeaders)
