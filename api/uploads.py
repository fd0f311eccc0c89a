"""Adding documents to a running server: ``POST /api/documents?filename=NAME`` with the source
file (text, HTML, PDF, DOCX) as the body and the update token. The server parses it and writes
it as one unit of work (``Store.add_document`` through the write lock of ``graph.executor``), so
it stays the store's single writer and a new document needs no restart:
``policykg ingest FILE --server URL`` uses it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from policykg import settings
from policykg.api.sparql import Limits, error_response, read_body
from policykg.errors import ExtractionError, PolicyKGError, UnsupportedMediaType
from policykg.graph.executor import Service
from policykg.ingest import extract
from policykg.ingest.batch import SUPPORTED_SUFFIXES

PATH = "/api/documents"


def _ingest(svc: Service, data: bytes, filename: str) -> dict[str, Any]:
    name = Path(filename).name  # no directories from the client
    with tempfile.TemporaryDirectory(prefix="policykg-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            ex = extract(path)
        except PolicyKGError:
            raise
        except Exception as exc:  # a parser bug: the store is untouched, the client told why
            raise ExtractionError(f"{name}: internal error while parsing ({type(exc).__name__}: {exc}); please report it with the file") from exc
    # the store decides which document the text is (graph.identity) and journals the key it writes
    admission, seconds = svc.write(lambda s: s.add_document(ex, derive=False), [])
    return {"ok": True, "document": admission.iri, "key": admission.key, "title": ex.title, "filename": name,
            "status": admission.status, "related": admission.related, "edition_kind": admission.kind,
            "note": admission.reason, "replaced": admission.status in {"replaced", "re-extracted"},
            "measures": len(ex.measures), "citations": len(ex.citations), "observations": len(ex.observations),
            "triples": admission.triples, "warnings": list(ex.warnings), "seconds": round(seconds, 3)}


def router(svc: Service, limits: Limits) -> APIRouter:
    r = APIRouter(tags=["documents"])

    @r.post(PATH, summary="Add or replace a document: the source file as the request body (needs the update token)",
            openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            responses={200: {"description": "Ingested: the document's IRI, key, title, counts, warnings and what became of it "
                                       "(status: new, unchanged, re-extracted, replaced, edition or homonym; related: the stored "
                                       "document it replaced, is an edition of or shares a title with; note: that in a sentence)"},
                       400: {"description": "The file could not be read or parsed"}, 401: {"description": "Without the right token"},
                       403: {"description": "The service is read-only"}, 413: {"description": "Larger than max_file_bytes"},
                       415: {"description": "Not a .txt/.html/.pdf/.docx file"}})
    async def add_document(request: Request, filename: str = Query(..., max_length=255, description="The file's name; its suffix says its format")) -> JSONResponse:
        try:
            limits.authorize(request)
            if Path(filename).suffix.lower() not in SUPPORTED_SUFFIXES:
                raise UnsupportedMediaType(f"{filename}: policykg reads {', '.join(sorted(SUPPORTED_SUFFIXES))} files")
            data = await read_body(request, int(settings.get("max_file_bytes")), f"the file {filename}")
            body = await run_in_threadpool(_ingest, svc, data, filename)
        except PolicyKGError as exc:
            return error_response(exc)
        return JSONResponse(body)

    return r
