"""Linked data: every resource IRI (``{base}id/…``) dereferences at ``/id/…`` on this server.
Browsers get an HTML page, RDF clients Turtle, JSON-LD or N-Triples by Accept, programs the
``.json`` twin (the same data the page is rendered from). A document's page shows its text with
the extracted measures, assignments and citations highlighted at their source spans and linked;
an agency's page its obligations, inherited duties and successor; a measure's page its
implementers, the measures it implements and who carries it down the levels."""

from __future__ import annotations

import html
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from policykg import iris, queries
from policykg.api.admission import Gate
from policykg.api.views.common import agency_labels, in_language, language, page, short
from policykg.errors import ResourceNotFound
from policykg.graph.executor import Reader
from policykg.graph.lineage import lineage as document_lineage, measure_cascade
from policykg.graph.reasoning import asserted_pattern
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES
from policykg.negotiation import FormatTable, negotiate

RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}
# what a resource is served as, by Accept (keyed by media type; Turtle when nothing we write is accepted)
_REPRESENTATIONS: FormatTable = {mime: (mime, None, "", ()) for mime in ("text/html", *RDF_TYPES, "application/json")}
LG = PREFIXES["lg"]


_KINDS = {f"{LG}Measure": "measure", f"{LG}Agency": "agency", f"{LG}Government": "agency", f"{LG}PartyBody": "agency",
          f"{LG}BranchOffice": "agency", f"{LG}LeadingGroup": "agency", f"{LG}Collective": "agency"}


def local(iri: str) -> str:
    """The path on this server where a resource of ours dereferences; other IRIs stay as they are."""
    prefix = f"{iris.base()}id/"
    return "/id/" + iri[len(prefix):] if iri.startswith(prefix) else iri


def qname(iri: str) -> str:
    for p, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def _choose(request: Request) -> str:
    return negotiate(request.headers.get("accept"), _REPRESENTATIONS, "text/turtle") or "text/turtle"


def highlighted(text: str, marks: list[dict[str, Any]]) -> str:
    """The text as HTML with each mark (start, end, kind, href, title) highlighted: the text is cut
    at every mark boundary; a piece carries the classes of all marks over it and links to the
    innermost one, so overlapping spans stay valid HTML."""
    cuts = sorted({0, len(text), *(m["start"] for m in marks), *(m["end"] for m in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        over = [m for m in marks if m["start"] <= a and b <= m["end"]]
        piece = html.escape(text[a:b]).replace("\n", "<br>\n")
        if not over:
            out.append(piece)
            continue
        inner = min(over, key=lambda m: m["end"] - m["start"])
        classes = " ".join(sorted({f"mark-{m['kind']}" for m in over}))
        title = html.escape(inner.get("title", ""), quote=True)
        if inner.get("href"):
            out.append(f'<a class="{classes}" href="{html.escape(inner["href"], quote=True)}" title="{title}">{piece}</a>')
        else:
            out.append(f'<span class="{classes}" title="{title}">{piece}</span>')
    return "".join(out)


def router(store: Store | RemoteStore, resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["linked data"])

    def canned(reader: Reader, name: str, **values: str) -> list[dict[str, Any]]:
        q = queries.get(name)
        return reader.select(q.executable(q.bind(values, resolver), reader.lateral))

    def properties(reader: Reader, iri: str, lang: str = "zh") -> list[dict[str, Any]]:
        """The resource's triples, each object with its label in the page's language (an English
        label where the vocabulary has one, else the Chinese one)."""
        rows = reader.select(f"""SELECT ?p ?o ?label ?en WHERE {{ {asserted_pattern(f"<{iri}> ?p ?o")}
                                FILTER(?p != lg:content && ?p != lg:originalText)
                                OPTIONAL {{ ?o rdfs:label ?label . FILTER(lang(?label) = "zh" || lang(?label) = "") }}
                                OPTIONAL {{ ?o skos:prefLabel|rdfs:label ?en . FILTER(lang(?en) = "en") }} }}""")
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            o = str(row["o"])
            label = (row["en"] if lang == "en" else None) or row["label"]
            seen.setdefault((str(row["p"]), o), {"property": qname(str(row["p"])), "value": o, "label": label,
                                                 "href": local(o) if o.startswith("http") else None})
        return sorted(seen.values(), key=lambda x: (x["property"], x["value"]))

    def names(reader: Reader, iri: str) -> dict[str, Any]:
        """The resource's label in Chinese (rdfs:label) and in English (its English skos:prefLabel
        or rdfs:label: the curated English names of divisions and agencies, the schemes' concepts)."""
        rows = reader.select(f"""SELECT ?zh ?en WHERE {{ OPTIONAL {{ <{iri}> rdfs:label ?zh FILTER(lang(?zh) = "zh" || lang(?zh) = "") }}
                                OPTIONAL {{ <{iri}> skos:prefLabel|rdfs:label ?en FILTER(lang(?en) = "en") }} }} LIMIT 1""")
        zh = rows[0]["zh"] if rows else None
        if zh is None:  # a label in another language only
            any_label = reader.select(f"SELECT ?l WHERE {{ <{iri}> rdfs:label ?l }} LIMIT 1")
            zh = any_label[0]["l"] if any_label else None
        return {"zh": zh, "en": (rows[0]["en"] if rows else None) or zh}

    def document(reader: Reader, iri: str, lang: str = "zh") -> dict[str, Any]:
        meta = reader.select(f"SELECT ?title ?text WHERE {{ <{iri}> dcterms:title ?title . OPTIONAL {{ <{iri}> lg:content ?text }} }} LIMIT 1")
        text = meta[0]["text"] if meta else None
        measures = reader.select(f"""SELECT ?m ?n ?t (MIN(?start) AS ?s) (MAX(?end) AS ?e) WHERE {{ ?m lg:document <{iri}> ; a lg:Measure ;
                                    lg:number ?n ; lg:text ?t ; lg:evidence [ lg:startOffset ?start ; lg:endOffset ?end ] }}
                                    GROUP BY ?m ?n ?t ORDER BY ?s""")  # a measure's widest span: the whole of it
        parties = reader.select(f"""SELECT DISTINCT ?a ?label ?role ?s ?e WHERE {{ ?m lg:document <{iri}> ; lg:assignment ?x .
                                   ?x prov:agent ?a ; prov:hadRole/skos:notation ?role ; lg:evidence [ lg:startOffset ?s ; lg:endOffset ?e ] .
                                   ?a rdfs:label ?label FILTER(lang(?label) = "zh" || lang(?label) = "") }} ORDER BY ?s""")
        if lang != "zh":  # the agencies' names in the page's language where the curated kinds give one
            english = agency_labels(reader, {str(p["a"]) for p in parties})
            for p in parties:
                p["label"] = in_language(english.get(str(p["a"]), {"zh": str(p["label"])}), lang)
        citations = reader.select(f"""SELECT DISTINCT ?target ?title ?rel ?s ?e WHERE {{ <{iri}> lg:citation ?c .
                                     ?c lg:citedDocument ?target ; lg:relation ?rel ; lg:evidence [ lg:startOffset ?s ; lg:endOffset ?e ] .
                                     OPTIONAL {{ ?target dcterms:title ?title }} }} ORDER BY ?s""")
        # other texts of this document (mirrors, excerpts) kept beside it, and the one it is a text of
        editions = reader.select(f"""SELECT DISTINCT ?e ?kind ?file ?direction WHERE {{
                                    {{ ?e lg:editionOf <{iri}> ; lg:editionKind ?kind BIND("has" AS ?direction) }}
                                    UNION {{ <{iri}> lg:editionOf ?e ; lg:editionKind ?kind BIND("of" AS ?direction) }}
                                    OPTIONAL {{ ?e lg:sourceFile ?file }} }} ORDER BY ?direction ?file""")
        marks = [{"start": m["s"], "end": m["e"], "kind": "measure", "href": local(str(m["m"])), "title": f"措施 measure {m['n']}"} for m in measures]
        marks += [{"start": p["s"], "end": p["e"], "kind": f"role-{p['role']}", "href": local(str(p["a"])), "title": f"{p['label']} ({p['role']})"} for p in parties]
        marks += [{"start": c["s"], "end": c["e"], "kind": "citation", "href": local(str(c["target"])), "title": f"{qname(str(c['rel']))}: {c['title'] or ''}"} for c in citations]
        return {"title": meta[0]["title"] if meta else None, "text": text,
                "measures": [{"measure": m["m"], "href": local(str(m["m"])), "number": m["n"], "text": m["t"]} for m in measures],
                "agencies": sorted({(p["label"], local(str(p["a"]))) for p in parties}),
                "citations": [{"target": c["target"], "href": local(str(c["target"])), "title": c["title"], "relation": qname(str(c["rel"])),
                               "start": c["s"], "end": c["e"]} for c in citations],
                "editions": [{"document": e["e"], "href": local(str(e["e"])), "kind": e["kind"], "source_file": e["file"],
                              "relation": "edition" if e["direction"] == "has" else "edition of"} for e in editions],
                "lineage": document_lineage(reader, iri), "marks": marks, "schema_org": schema_org(reader, iri)}

    def schema_org(reader: Reader, iri: str) -> dict[str, Any]:
        """The document as schema.org Legislation (a report: Report), for search engines and
        citation tools: name, 文号, dates, jurisdiction, genre, issuers, period, what it is based on."""
        rows = reader.select(f"""SELECT ?title ?number ?signed ?published ?area ?code ?genre ?issuer ?begin ?end ?report WHERE {{
          <{iri}> dcterms:title ?title .
          OPTIONAL {{ <{iri}> lg:docNumber ?number }} OPTIONAL {{ <{iri}> lg:dateSigned ?signed }}
          OPTIONAL {{ <{iri}> lg:datePublished ?published }}
          OPTIONAL {{ <{iri}> lg:issuingArea ?a . ?a rdfs:label ?area ; skos:notation ?code }}
          OPTIONAL {{ <{iri}> lg:genre/skos:prefLabel ?genre FILTER(lang(?genre) = "zh") }}
          OPTIONAL {{ <{iri}> lg:issuedBy/rdfs:label ?issuer }}
          OPTIONAL {{ <{iri}> lg:planPeriod [ time:hasBeginning/time:inXSDgYear ?begin ; time:hasEnd/time:inXSDgYear ?end ] }}
          BIND(EXISTS {{ <{iri}> a lg:Report }} AS ?report) }}""")
        parents = reader.select(f"SELECT DISTINCT ?p WHERE {{ <{iri}> lg:basedOn|lg:implementsPlan ?p }} ORDER BY ?p")
        if not rows:
            return {}
        first = rows[0]
        out: dict[str, Any] = {"@context": "https://schema.org", "@type": "Report" if first["report"] else "Legislation",
                               "@id": iri, "name": first["title"], "inLanguage": "zh"}
        if first["number"]:
            out["legislationIdentifier" if not first["report"] else "identifier"] = first["number"]
        if first["signed"]:
            out["legislationDate" if not first["report"] else "dateCreated"] = first["signed"]
        if first["published"]:
            out["datePublished"] = first["published"]
        if first["area"]:
            out["legislationJurisdiction" if not first["report"] else "spatialCoverage"] = {
                "@type": "AdministrativeArea", "name": first["area"], "identifier": first["code"]}
        if first["genre"]:
            out["legislationType" if not first["report"] else "genre"] = first["genre"]
        issuers = sorted({str(r["issuer"]) for r in rows if r["issuer"]})
        if issuers:
            out["legislationPassedBy" if not first["report"] else "author"] = [
                {"@type": "GovernmentOrganization", "name": name} for name in issuers]
        if first["begin"] and first["end"]:
            out["temporalCoverage"] = f"{first['begin']}/{first['end']}"
        if parents:
            out["isBasedOn"] = [str(p["p"]) for p in parents]
        return out

    def measure(reader: Reader, iri: str, lang: str = "zh") -> dict[str, Any]:
        info = reader.select(f"""SELECT ?d ?title ?n ?t ?short WHERE {{ <{iri}> lg:document ?d ; lg:number ?n ; lg:text ?t . ?d dcterms:title ?title
                                OPTIONAL {{ <{iri}> lg:shortTitle ?short }} }} LIMIT 1""")
        if not info:
            return {}
        doc, number = str(info[0]["d"]), str(info[0]["n"])
        rows = [x for x in canned(reader, "implementers", document=doc, measure=number.split("-")[0]) if str(x["measureIri"]) == iri]
        parents = reader.select(f"""SELECT ?p ?n ?title ?score ?kind WHERE {{ <{iri}> lg:alignment ?r . ?r prov:entity ?p ; lg:score ?score ;
                                   lg:alignmentKind ?kind . ?p lg:number ?n ; lg:document/dcterms:title ?title }} ORDER BY DESC(?score)""")
        cascade = measure_cascade(canned(reader, "cascade-implementers", document=doc, measure=number.split("-")[0]), iri)
        return {"document": doc, "document_href": local(doc), "document_title": info[0]["title"], "number": number, "text": info[0]["t"],
                "short_title": info[0]["short"] or short(str(info[0]["t"]), 30),
                "implementers": [{**x, "href": local(str(x["agency"]))} for x in rows],
                "implements": [{**p, "href": local(str(p["p"]))} for p in parents],
                "carried_by": [{**c, "href": local(str(c["measure"]))} for c in cascade if c["depth"] != 0]}  # depth ≥ 0

    def agency(reader: Reader, iri: str, lang: str = "zh") -> dict[str, Any]:
        return {"obligations": [{**x, "href": local(str(x["measure"]))} for x in canned(reader, "obligations", agency=iri)],
                "inherited": [{**x, "href": local(str(x["measure"]))} for x in canned(reader, "inherited-duties", agency=iri)],
                "successor": [{**x, "today_href": local(str(x["today"]))} for x in canned(reader, "successor", agency=iri)]}

    @r.get("/id/{path:path}", summary="Dereference a resource IRI: HTML, Turtle, JSON-LD, N-Triples or RDF/XML by Accept; PATH.json for the JSON twin",
           response_class=Response, responses={200: {"description": "The resource", "content": {
               "text/html": {}, "application/json": {"schema": {"type": "object"}}, **{m: {} for m in RDF_TYPES}}}})
    async def resource(path: str, request: Request) -> Response:
        twin = path.endswith(".json")
        path = path.removesuffix(".json") if twin else path
        iri = f"{iris.base()}id/" + "/".join(iris.segment(part) for part in path.split("/"))
        try:
            ox.NamedNode(iri)  # checked before it is written into any query: no injection
        except ValueError:
            raise ResourceNotFound(f"{path!r} is not the path of a resource IRI", path=path) from None
        mime = "application/json" if twin else _choose(request)
        return await gate.run(request, represent, path, iri, mime, language(request), request)  # type: ignore[no-any-return]

    def represent(reader: Reader, path: str, iri: str, mime: str, lang: str, request: Request) -> Response:
        if not reader.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"):
            raise ResourceNotFound(f"no resource {iri} in the graph", iri=iri)
        if mime in RDF_TYPES:
            # what was asserted (over the union with the inferred graphs left out: graph.reasoning.asserted_pattern)
            triples = reader.triples(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ {asserted_pattern(f'<{iri}> ?p ?o')} }}")
            fmt = RDF_TYPES[mime]  # Turtle and TriG with our prefixes, as /sparql writes them
            return Response(ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None),
                            media_type=mime)
        types = {str(t["t"]) for t in reader.select(f"SELECT DISTINCT ?t WHERE {{ <{iri}> a ?t }}")}
        label = names(reader, iri)  # the label in the page's language (?lang= or the lang cookie), zh by default
        kind = "document" if reader.ask(f"ASK {{ <{iri}> dcterms:title ?t }}") else next((_KINDS[t] for t in types if t in _KINDS), "resource")
        data: dict[str, Any] = {"ok": True, "iri": iri, "kind": kind, "label": label.get(lang) or label["zh"],
                                "label_zh": label["zh"], "label_en": label["en"],
                                "types": sorted(qname(t) for t in types), "properties": properties(reader, iri, lang)}
        views: dict[str, Any] = {"document": document, "measure": measure, "agency": agency}
        data.update(views[kind](reader, iri, lang) if kind in views else {})
        if reader.truncated:  # the row cap cut a list of this page
            data |= {"truncated": True, "row_limit": reader.max_rows}
        if mime == "application/json":
            data.pop("marks", None)
            return JSONResponse(data)
        body = dict(data)
        if kind == "document" and data.get("text"):
            body["text_html"] = highlighted(str(data["text"]), data["marks"])
        return page(request, "resource.html", f"/id/{path}.json", r=body, json_href=f"/id/{path}.json")

    return r
