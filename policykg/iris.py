"""IRIs minted by policykg, derived only from invariant facts so that they are stable.

- documents:  ``{base}id/doc/{key}`` where key is a registry key or a hash of the normalised title
- measures:   ``{doc}/measure/{n}``, sections ``{doc}/section/{path}``, assignments ``{measure}/assignment/{i}``
- agencies:   ``{base}id/agency/{division code}/{canonical name}``
- collectives ``{base}id/collective/{division code}/{canonical name}``
- divisions:  ``{base}id/division/{GB/T 2260 code}``
- named graphs: ``{base}graph/doc/{doc key}``, ``{base}graph/ontology``, ``{base}graph/vocab``
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from policykg import settings

ONTOLOGY = "https://w3id.org/policykg/ontology#"


def base() -> str:
    return str(settings.get("base_iri"))


def segment(text: str) -> str:
    """One path segment of an IRI we mint (Chinese kept, unsafe ASCII percent-encoded)."""
    return _seg(text)


def _seg(text: str) -> str:
    # IRIs (RFC 3987) keep Chinese characters readable; ASCII characters that are not allowed
    # in a path segment are percent-encoded.
    return "".join(ch if ord(ch) > 127 else quote(ch, safe="-_.~()") for ch in text)


def title_key(normalized_title: str) -> str:
    return "d" + hashlib.sha1(normalized_title.encode("utf-8")).hexdigest()[:12]


def distinct_key(key: str, *parts: str | None) -> str:
    """The key of a document that may not take ``key`` (another document of the same title holds
    it): ``key`` with a suffix drawn from what sets it apart (its 文号, jurisdiction, date and title;
    or, for another edition, its content)."""
    return f"{key}-{hashlib.sha1('|'.join(p or '' for p in parts).encode('utf-8')).hexdigest()[:8]}"


def document(key: str) -> str:
    return f"{base()}id/doc/{key}"


def doc_graph(key: str) -> str:
    return f"{base()}graph/doc/{key}"


def division(code: str) -> str:
    return f"{base()}id/division/{code}"


def agency(division_code: str, name: str) -> str:
    return f"{base()}id/agency/{division_code}/{_seg(name)}"


def collective(division_code: str, name: str) -> str:
    return f"{base()}id/collective/{division_code}/{_seg(name)}"


def ontology_graph() -> str:
    return f"{base()}graph/ontology"


def key_of_document(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def task_area(concept_id: str) -> str:
    """A concept of the task-area scheme (依法全面履行政府职能 …) or one of its topics."""
    return f"{base()}id/task-area/{concept_id}"


def indicator(concept_id: str) -> str:
    """A concept of the indicator scheme (行政复议申请 …)."""
    return f"{base()}id/indicator/{concept_id}"
