"""Resolving what users type to IRIs in the graph: a document by IRI, 文号 or title (normalised,
with the registry's corrections); an agency by IRI or name with its jurisdiction (钦南区法制办);
a jurisdiction by IRI, GB/T 2260 code or name; a measure by IRI or document + number."""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg import iris
from policykg.errors import ParameterError, ResourceNotFound
from policykg.graph import terms
from policykg.graph.remote import RemoteStore
from policykg.graph.store import Store
from policykg.ingest import agencies
from policykg.ingest.citations import match_known
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.text import DOC_NUMBER, fold, normalize_doc_number, normalize_title

LG = iris.ONTOLOGY
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _valid_iri(value: str, kind: str) -> str:
    """The value if it is an IRI Oxigraph accepts, else a ParameterError (400), never a ValueError."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ParameterError(f"{value!r} looks like an IRI of a {kind} but is not a valid one: {exc}", value=value) from None
    return value


class Resolver:
    """Resolves parameters against a graph read by patterns: the embedded store or a SPARQL
    server (``graph.remote.RemoteStore``)."""

    def __init__(self, store: Store | RemoteStore) -> None:
        self.store = store

    def _exists(self, iri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None

    def _known(self, iri: str, kind: str) -> str:
        if self._exists(_valid_iri(iri, kind)):
            return iri
        raise ResourceNotFound(f"no {kind} with IRI {iri}", value=iri)

    def _subjects(self, predicate: str, value: str) -> list[str]:
        """Subjects with this literal value of an lg: property (plain or zh-tagged)."""
        out: list[str] = []
        for obj in (ox.Literal(value), ox.Literal(value, language="zh")):
            for q in self.store.quads_for_pattern(None, ox.NamedNode(LG + predicate), obj):
                if terms.value(q.subject) not in out:
                    out.append(terms.value(q.subject))
        return out

    def document(self, value: str) -> str:
        value = value.strip()
        if _is_iri(value):
            return self._known(value, "document")
        if re.fullmatch(r"[\w-]{1,40}", value) and self._exists(iris.document(value)):
            return iris.document(value)
        folded = fold(value)
        m = DOC_NUMBER.fullmatch(folded) or (DOC_NUMBER.search(folded) if len(folded) < 24 else None)
        if m:
            number = normalize_doc_number(m)
            found = self._subjects("docNumber", number)
            if found:
                return found[0]
        normalized = normalize_title(value)
        found = self._subjects("normalizedTitle", normalized)
        if found:
            return found[0]
        known = match_known(normalized, None)
        if known and self._exists(iris.document(known[0].key)):
            return iris.document(known[0].key)
        raise ResourceNotFound(
            f"no document matches {value!r}; give its IRI, its 文号 (e.g. 钦政发〔2015〕50号) or its title",
            value=value,
        )

    def jurisdiction(self, value: str) -> str:
        value = value.strip()
        divisions = load_divisions()
        if _is_iri(value):
            code = value.rstrip("/").rsplit("/", 1)[-1]
            if divisions.get(code):
                return _valid_iri(value, "jurisdiction")
        elif divisions.get(value):
            return iris.division(value)
        else:
            d = divisions.deepest(value) or divisions.by_name(value) or divisions.named_first(value)  # 献县
            if d is not None:
                return iris.division(d.code)
        raise ResourceNotFound(f"no jurisdiction matches {value!r}; give a GB/T 2260 code (450702) or a name (钦南区)", value=value)

    def agency(self, value: str) -> str:
        value = value.strip()
        if _is_iri(value):
            return self._known(value, "agency")
        divisions = load_divisions()
        parts = value.split()
        if len(parts) == 2:
            home = divisions.deepest(parts[0]) or divisions.by_name(parts[0]) or divisions.named_first(parts[0])
            name = parts[1]
        else:
            found = divisions.find(value)
            home, name = None, value
            if found and found[0][0] == 0:
                # the longest run of division names at the start: 钦州市钦南区法制办 → 钦南区 + 法制办
                end = 0
                for start, d, matched in found:
                    if start == end:
                        home, end = d, start + len(matched)
                name = value[end:]
            elif (first := divisions.named_first(value)) is not None and value.startswith(first.name):
                home, name = first, value[len(first.name):]  # a two-character county: 献县司法局
        if home is None or not name:
            raise ResourceNotFound(
                f"cannot tell which jurisdiction {value!r} belongs to; write it with its jurisdiction, e.g. 钦南区法制办 or '钦南区 区法制办'",
                value=value,
            )
        candidates = [agencies.resolve(name, home, divisions).iri]
        party = agencies.government(value, divisions)
        if party:
            candidates.append(party.iri)
        for iri in candidates:
            if self._exists(iri):
                return iri
        # a label search as a last resort (e.g. a collective written as in the text)
        label = ox.Literal(f"{divisions.short_name(home)}{name}", language="zh")
        for q in self.store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), label):
            return terms.value(q.subject)
        raise ResourceNotFound(f"no agency {name!r} in {home.name}", value=value)

    def measure(self, value: str, number: str | None = None) -> str:
        """A measure by IRI, or by a document reference plus the measure number."""
        if number is None:
            if _is_iri(value):
                return self._known(value, "measure")
            doc, sep, number = value.rpartition("/")
            if not sep:
                raise ResourceNotFound(f"give a measure as its IRI or as DOCUMENT/NUMBER, got {value!r}", value=value)
            value = doc
        number = str(number).strip()
        if not re.fullmatch(r"\d{1,4}(?:-\d{1,3})?", number):
            raise ResourceNotFound(f"a measure number is digits (37), or 3-2 for the second measure numbered 3; got {number!r}", value=number)
        doc = self.document(value)
        iri = f"{doc}/measure/{number}"
        if self._exists(iri):
            return iri
        if "-" not in number and self._exists(f"{doc}/measure/{number}-1"):
            raise ResourceNotFound(
                f"{value} numbers more than one measure {number} (its numbering restarts in each section); "
                f"give {number}-1, {number}-2 … in document order", value=value)
        raise ResourceNotFound(f"no measure {number} in {value}", value=value)
