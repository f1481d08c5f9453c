"""The dataset's own description (VoID and DCAT), at /.well-known/void and at the dataset's IRI."""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..namespaces import BASE, CSP, GRAPH, ROLLUP, rollup_graph, sparql_prefixes
from ..answers.messages import Request
from . import context

DATASET_KEY = "dataset/cspkg"
DATASET = BASE + "id/" + DATASET_KEY
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
VOCABULARIES = [str(CSP), "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#",
                "http://purl.org/net/p-plan#", "http://purl.org/dc/terms/", "http://schema.org/", "http://data.europa.eu/eli/ontology#",
                "http://www.w3.org/ns/shacl#", ROLLUP]


def _rows(query: str) -> list[dict]:
    answer = context.runner().run(Request(sparql_prefixes() + query, "json"))
    return json.loads(answer.body)["results"]["bindings"]


def description() -> list[ox.Triple]:
    from .representations import public

    n, lit = ox.NamedNode, ox.Literal
    ds = n(DATASET)
    out: list[ox.Triple] = []

    def add(s, p, o):
        out.append(ox.Triple(s, n(p), o))

    add(ds, RDF + "type", n(VOID + "Dataset"))
    add(ds, RDF + "type", n(DCAT + "Dataset"))
    add(ds, DCT + "title", lit("Community Safety Partnership plans (cspkg)", language="en"))
    add(ds, DCT + "description", lit("Community Safety Partnership plans as linked data: priorities, actions, lead agencies, "
                                     "funding, outcomes and progress, traced to the legal duties and legislation behind them.", language="en"))
    licence = context.settings().licence
    if licence:
        add(ds, DCT + "license", n(licence))
    add(ds, VOID + "uriSpace", lit(BASE + "id/"))
    add(ds, VOID + "sparqlEndpoint", n(public("/sparql")))
    add(ds, VOID + "exampleResource", n(BASE + "id/action/thurrock-2023-24/pop-3"))
    for vocab in VOCABULARIES:
        add(ds, VOID + "vocabulary", n(vocab))
    for ext, media in (("nq", "application/n-quads"), ("trig", "application/trig")):
        for suffix, compress in (("", None), (".gz", "application/gzip")):
            url = n(public(f"/dumps/cspkg.{ext}{suffix}"))
            add(ds, VOID + "dataDump", url)
            add(ds, DCAT + "distribution", url)
            add(url, RDF + "type", n(DCAT + "Distribution"))
            add(url, DCAT + "downloadURL", url)
            add(url, DCAT + "mediaType", n(f"https://www.iana.org/assignments/media-types/{media}"))
            if compress:
                add(url, DCAT + "compressFormat", n(f"https://www.iana.org/assignments/media-types/{compress}"))
    service = n(public("/queries"))
    add(service, RDF + "type", n(DCAT + "DataService"))
    add(service, DCT + "title", lit("Canned questions about the plans", language="en"))
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "endpointDescription", n(public("/openapi.json")))
    add(service, DCAT + "servesDataset", ds)
    for q in context.catalogue().values():
        url = n(public(f"/queries/{q.name}"))
        add(service, DCT + "hasPart", url)
        add(url, RDF + "type", n(DCAT + "DataService"))
        add(url, DCT + "title", lit(q.summary, language="en"))
        add(url, DCAT + "endpointURL", url)
    # The roll-ups: each plan's rows of the national questions (pipeline/rollups.py), one graph per plan.
    rolled = n(DATASET + "#rollups")
    add(ds, VOID + "subset", rolled)
    add(rolled, RDF + "type", n(VOID + "Dataset"))
    add(rolled, DCT + "title", lit("Per-plan roll-ups of the national questions", language="en"))
    add(rolled, DCT + "description", lit("Each plan's rows of the canned questions answered from roll-ups, in graph/rollup/<plan key>: "
                                         "one rup:Row per row, its columns as rup: properties. The build computes them when the "
                                         "plan changes, with the companion queries in queries/from-plans/.", language="en"))
    add(rolled, VOID + "vocabulary", n(ROLLUP))
    add(rolled, VOID + "exampleResource", n(rollup_graph("thurrock-2023-24")))
    total = 0
    for row in _rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"):
        graph, count = n(row["g"]["value"]), int(row["n"]["value"])
        total += count
        add(ds, VOID + "subset", graph)
        add(graph, RDF + "type", n(VOID + "Dataset"))
        add(graph, VOID + "triples", lit(str(count), datatype=n("http://www.w3.org/2001/XMLSchema#integer")))
        if graph.value.startswith(GRAPH):
            add(graph, VOID + "dataDump", n(public("/" + graph.value[len(BASE):])))
        if graph.value.startswith(rollup_graph("")):
            add(rolled, VOID + "subset", graph)
    add(ds, VOID + "triples", lit(str(total), datatype=n("http://www.w3.org/2001/XMLSchema#integer")))
    for row in _rows("SELECT DISTINCT ?d WHERE { ?d a csp:SourceDocument } ORDER BY ?d"):
        add(ds, DCT + "source", n(row["d"]["value"]))
    linkset = n(DATASET + "#legislation-links")
    add(ds, VOID + "subset", linkset)
    add(linkset, RDF + "type", n(VOID + "Linkset"))
    add(linkset, VOID + "linkPredicate", n(str(CSP) + "imposedBy"))
    add(linkset, VOID + "objectsTarget", n("http://www.legislation.gov.uk/id/"))
    return out


def respond_description(suffix: str | None):
    from flask import render_template

    from .documents import FORMATS, serialize
    from .representations import RDF_FORMATS, TRIPLE_FORMATS, negotiate, respond

    fmt = negotiate(suffix, RDF_FORMATS)
    triples = description()
    path = "/doc/" + DATASET_KEY
    if fmt == "html":
        from .presentation import property_rows

        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples if t.subject.value == DATASET]
        html = render_template("dataset.html", rows=property_rows(quads, {}), path=path, formats=TRIPLE_FORMATS,
                               suffixes={k: v[1] for k, v in FORMATS.items()}, licence=context.settings().licence)
        return respond(html, fmt, path, RDF_FORMATS, suffix=suffix)
    return respond(serialize(triples, fmt), fmt, path, RDF_FORMATS, suffix=suffix)
