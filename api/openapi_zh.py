"""The OpenAPI document in Chinese: ``/openapi.json?lang=zh``, which ``/docs`` shows when the page
is Chinese. The English document (``create_app``'s ``openapi()``) is copied and its human texts
replaced from a curated table, ``api/openapi_zh.yaml`` (package data, read through
importlib.resources): every operation's summary and description, every parameter's description,
the tag names, the response descriptions and the document's description. Paths, methods,
operationIds, parameter names and schemas, request bodies and responses stay as they are, so
a request built from either document is the same request.

The table is keyed by what the document itself says and a route keeps: an operation by ``METHOD
/path`` (the canned queries by their name, ``GET /api/queries/NAME``), a parameter by its name
within its operation, a tag by its name and a response by its English description. A text the
table lacks stays English (``missing`` lists them; tests/test_docs_zh.py asserts there are none)."""

from __future__ import annotations

import copy
import functools
import re
from importlib import resources
from typing import Any

import yaml

FILE = "openapi_zh.yaml"
CANNED = "/api/queries/"  # GET /api/queries/NAME: a canned query (api/canned.openapi_paths)
EXAMPLE = "\n\nExample: "  # a canned query's description: the prose of its file, then its example and SPARQL text
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CJK = re.compile(r"[\u3400-\u9fff]")


def _joined(value: Any) -> Any:
    """The table's texts with their lines joined without a space: a long text is a literal block
    (``|-``) broken where Chinese puts no space, which YAML's folding (``>``) would add."""
    if isinstance(value, dict):
        return {k: _joined(v) for k, v in value.items()}
    return "".join(value.splitlines()) if isinstance(value, str) else value


@functools.cache
def table() -> dict[str, Any]:
    """The Chinese texts (api/openapi_zh.yaml), read once."""
    loaded: dict[str, Any] = _joined(yaml.safe_load(resources.files("policykg.api").joinpath(FILE).read_text(encoding="utf-8")))
    return loaded


def operation_texts(method: str, path: str) -> dict[str, Any] | None:
    """The Chinese texts of an operation: ``{"summary", "description"?, "parameters": {name: text}}``,
    or None when the table has none. A canned query's parameters include the paging and format
    parameters every canned query takes."""
    t = table()
    found: dict[str, Any] | None = t["operations"].get(f"{method.upper()} {path}")
    if found is None and method == "get" and path.startswith(CANNED):
        query = t["queries"].get(path[len(CANNED):])
        if query is not None:
            found = {**query, "parameters": {**t["query_parameters"], **query.get("parameters", {})}}
    return found


def _description(english: str, chinese: str) -> str:
    """The Chinese description; a canned query's keeps its example and SPARQL text, under 示例."""
    _, sep, tail = english.partition(EXAMPLE)
    return chinese + (f"\n\n示例：{tail}" if sep else "")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation of the document."""
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items() if method in METHODS]


def translate(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of the English OpenAPI document with its Chinese texts, where the table has them."""
    t = table()
    zh = copy.deepcopy(spec)
    zh["info"]["description"] = t["info"].get("description", spec["info"].get("description"))
    for tag in zh.get("tags", []):  # top-level tag objects, if the document has any
        tag["name"] = t["tags"].get(tag["name"], tag["name"])
    for method, path, op in operations(zh):
        if "tags" in op:
            op["tags"] = [t["tags"].get(tag, tag) for tag in op["tags"]]
        texts = operation_texts(method, path) or {}
        if texts.get("summary"):
            op["summary"] = texts["summary"]
        if op.get("description") and texts.get("description"):
            op["description"] = _description(op["description"], texts["description"])
        for p in op.get("parameters", []):
            if p["name"] in texts.get("parameters", {}):
                p["description"] = texts["parameters"][p["name"]]
        for response in op.get("responses", {}).values():
            if response.get("description") in t["responses"]:
                response["description"] = t["responses"][response["description"]]
    return zh


def missing(spec: dict[str, Any]) -> list[str]:
    """What of the English document the table has no Chinese text for (empty: nothing)."""
    t = table()
    gaps: list[str] = []
    for method, path, op in operations(spec):
        where = f"{method.upper()} {path}"
        texts = operation_texts(method, path)
        if texts is None:
            gaps.append(f"{where}: no entry")
            continue
        if not CJK.search(texts.get("summary") or ""):
            gaps.append(f"{where}: summary")
        if op.get("description") and not CJK.search(texts.get("description") or ""):
            gaps.append(f"{where}: description")
        gaps += [f"{where}: parameter {p['name']}" for p in op.get("parameters", [])
                 if not CJK.search(texts.get("parameters", {}).get(p["name"]) or "")]
        gaps += [f"{where}: tag {tag!r}" for tag in op.get("tags", []) if tag not in t["tags"]]
        gaps += [f"{where}: response {code} {r['description']!r}" for code, r in op.get("responses", {}).items()
                 if r.get("description") and r["description"] not in t["responses"]]
    return gaps
