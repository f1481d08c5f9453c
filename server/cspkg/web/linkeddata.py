"""Linked data: every IRI the project mints answers on this server.

`/id/...` (things) answers 303 See Other to `/doc/...` (the document about the thing), with
`Vary: Accept`; `/def/...` (ontology terms and shapes) and `/graph/...` (named graphs) are
documents themselves. IRIs keep their one persistent namespace (https://w3id.org/cspkg/); the
server answers for each under the same path, and CSPKG_PUBLIC_BASE says where that is.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, request

from .. import iris
from ..errors import BadInput
from ..namespaces import BASE, CSP, GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from ..answers.messages import Request
from . import context, void
from .documents import FORMATS, Description, fetch, serialize
from .errors import ApiError
from .presentation import incoming_rows, property_rows, title
from .representations import RDF_FORMATS, TRIPLE_FORMATS, negotiate, public, respond, split_suffix

bp = Blueprint("linkeddata", __name__)
def resource(prefix: str, key: str, path: str) -> ox.NamedNode:
    """The IRI a path names (prefix + key), checked; a path that makes no valid IRI names nothing here."""
    try:
        return iris.check(prefix + key, "path")
    except BadInput:
        raise ApiError(404, f"nothing here: {iris.short(path)} does not make a valid IRI") from None


TRACE = [str(CSP) + p for p in ("contributesToDuty", "tracesToProvision", "tracesToLegislation")]


def page(description: Description, path: str) -> str:
    editorial = [q for q in description.asserted if q.graph_name.value.startswith(GRAPH + "editorial/")]
    stated = [q for q in description.asserted if q not in editorial]
    asserted = {q.triple for q in description.asserted}
    every = description.asserted + description.inferred
    return render_template(
        "resource.html", d=description, title=title(description), path=path,
        own=property_rows(stated, description.labels),
        editorial=property_rows(editorial, description.labels),
        trace=[r for p in TRACE for r in property_rows([q for q in every if q.predicate.value == p], description.labels)],
        inferred=property_rows([q for q in description.inferred if q.triple not in asserted], description.labels),
        incoming=incoming_rows(description), source=source(description), formats=TRIPLE_FORMATS, suffixes={k: v[1] for k, v in FORMATS.items()},
        licence=context.settings().licence, sparql_more=more_query(description.iri))


def source(description: Description):
    derived = [q.object.value for q in description.asserted if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"]
    if derived:
        return [(description.labels.get(d, d), "/" + d[len(BASE):] if d.startswith(BASE) else d) for d in dict.fromkeys(derived)]
    graphs = {q.graph_name.value for q in description.asserted if isinstance(q.graph_name, ox.NamedNode)}
    return [(f"cspkg {g[len(GRAPH):].replace('/', ': ', 1)}", "/" + g[len(BASE):]) for g in sorted(graphs)]


def more_query(iri: str) -> str:
    # the IRI is written by the RDF library (it was checked when the request was read)
    return "/sparql?" + urlencode({"query": f"SELECT ?s ?p WHERE {{ ?s ?p {ox.NamedNode(iri)} }} ORDER BY ?p ?s", "format": "csv"})


def document(iri: ox.NamedNode, path: str, suffix: str | None) -> Response:
    fmt = negotiate(suffix, RDF_FORMATS)
    description = fetch(iri.value)
    if description.empty:
        raise ApiError(404, f"no resource {iri.value} in the data")
    if fmt == "html":
        return respond(page(description, path), fmt, path, RDF_FORMATS, suffix=suffix)
    quads = description.quads()
    return respond(serialize(quads, fmt), fmt, path, RDF_FORMATS, suffix=suffix)


@bp.get("/id/<path:rest>")
def identifier(rest: str):
    key, suffix = split_suffix(rest)
    iri = resource(BASE + "id/", key, request.path)
    if key != void.DATASET_KEY and fetch(iri.value).empty:
        raise ApiError(404, f"no resource {iri.value} in the data")
    # relative unless a public base is set: the Host header never makes its way into Location
    target = f"/doc/{quote(rest)}"
    response = redirect(public(target) if context.settings().public_base else target, code=303)
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/doc/<path:rest>")
def doc(rest: str):
    key, suffix = split_suffix(rest)
    if key == void.DATASET_KEY:
        return void.respond_description(suffix)
    return document(resource(BASE + "id/", key, request.path), f"/doc/{quote(key)}", suffix)


@bp.get("/def/")
@bp.get("/def/<path:rest>")
def definition(rest: str = ""):
    key, suffix = split_suffix(rest)
    if key in ("", "shapes", "shapes/", "index"):
        graph = SHAPES_GRAPH if key.startswith("shapes") else ONTOLOGY_GRAPH
        return vocabulary(graph, "/def/shapes" if graph == SHAPES_GRAPH else "/def/index", suffix)
    return document(resource(BASE + "def/", key, request.path), f"/def/{quote(key)}", suffix)


def vocabulary(graph: str, path: str, suffix: str | None) -> Response:
    """The ontology or the shapes as a whole: a readable page, or the graph itself (in TriG and
    N-Quads as the named graph it is in the store)."""
    fmt = negotiate(suffix, RDF_FORMATS)
    if fmt != "html":
        body = serialize(graph_triples(graph), fmt, graph)
        return respond(body, fmt, path, RDF_FORMATS, suffix=suffix)
    from .vocabulary import terms

    html = render_template("vocabulary.html", shapes=graph == SHAPES_GRAPH, groups=terms(graph), path=path,
                           suffixes={k: v[1] for k, v in FORMATS.items()}, formats=TRIPLE_FORMATS, licence=context.settings().licence)
    return respond(html, fmt, path, RDF_FORMATS, suffix=suffix)


def graph_triples(graph: str) -> list[ox.Triple]:
    data = context.runner().run(Request(graph, "ntriples", kind="dump"))
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


GRAPH_EXISTS = "ASK { GRAPH ?graph { ?s ?p ?o } }"
GRAPH_SIZE = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph"  # a bound variable must be projected


def graph_response(graph: ox.NamedNode, path: str, suffix: str | None, url=None) -> Response:
    """A named graph: its page, or its triples (in TriG and N-Quads inside the graph they belong to)."""
    bound = {"graph": str(graph)}  # the graph IRI is bound as a term, never written into the query
    exists = context.runner().run(Request(GRAPH_EXISTS, "json", substitutions=bound)).body
    if not json.loads(exists)["boolean"]:
        raise ApiError(404, f"no graph {graph.value} in the store")
    iri = graph.value
    fmt = negotiate(suffix, RDF_FORMATS)
    if fmt == "html":
        count = context.runner().run(Request(GRAPH_SIZE, "json", substitutions=bound))
        triples = json.loads(count.body)["results"]["bindings"][0]["n"]["value"]
        html = render_template("graph.html", iri=iri, triples=triples, path=path, urls=url and {k: url(FORMATS[k][1]) for k in TRIPLE_FORMATS},
                               suffixes={k: v[1] for k, v in FORMATS.items()}, formats=TRIPLE_FORMATS, licence=context.settings().licence)
        return respond(html, fmt, path, RDF_FORMATS, suffix=suffix, url=url)
    if fmt == "ntriples":
        body = context.runner().run(Request(iri, "ntriples", kind="dump"))
    else:
        body = serialize(graph_triples(iri), fmt, iri)
    return respond(body, fmt, path, RDF_FORMATS, suffix=suffix, url=url)


@bp.get("/graph/<path:rest>")
def named_graph(rest: str):
    key, suffix = split_suffix(rest)
    return graph_response(resource(GRAPH, key, request.path), f"/graph/{quote(key)}", suffix)


@bp.route("/rdf-graph-store", methods=["GET", "HEAD"])
def graph_store():
    """SPARQL 1.1 Graph Store Protocol, read side: `?graph=IRI`, or `?default` (the union, as /sparql has it)."""
    if "default" in request.args:
        fmt = negotiate(None, TRIPLE_FORMATS)
        fmt = "turtle" if fmt == "html" else fmt
        data = context.runner().run(Request("", "nquads", kind="dump"))
        triples = list(dict.fromkeys(q.triple for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)))
        # the default graph has no page and no suffixed URLs: its formats are named by parameter
        url = lambda suffix: public(f"/rdf-graph-store?default&format={suffix}")
        return respond(serialize(triples, fmt), fmt, "/rdf-graph-store", TRIPLE_FORMATS, suffix="x", url=url, html=False)
    if len(request.args.getlist("graph")) > 1:
        raise ApiError(400, "parameter 'graph' is given more than once; give one graph IRI")
    raw = request.args.get("graph")
    if not raw:
        raise ApiError(400, "parameter 'graph' is missing: give ?graph=<graph IRI> or ?default")
    graph = iris.check(raw, "parameter 'graph'", iris.GRAPHS)
    if graph.value.startswith(GRAPH):
        return graph_response(graph, f"/graph/{quote(graph.value[len(GRAPH):])}", None)
    # a graph outside the project's namespace has no /graph/ URL: its formats are named by parameter
    url = lambda suffix: public(f"/rdf-graph-store?{urlencode({'graph': graph.value, 'format': suffix})}")
    return graph_response(graph, "/rdf-graph-store", None, url=url)


DUMPS = {"trig": "application/trig", "nq": "application/n-quads"}


@bp.get("/dumps/cspkg.<ext>")
def dump(ext: str):
    compressed = ext.endswith(".gz")
    kind = ext.removesuffix(".gz")
    if kind not in DUMPS:
        abort(404)
    body = context.runner().run(Request("", "trig" if kind == "trig" else "nquads", kind="dump"))
    etag = hashlib.sha1(f"{context.runner().build_id()}|dump|{ext}".encode()).hexdigest()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    elif compressed:
        response = Response(gzip.compress(body), mimetype="application/gzip")
        response.headers["Content-Disposition"] = f'attachment; filename="cspkg.{ext}"'
    else:
        response = Response(body, mimetype=DUMPS[kind])
        if "gzip" in request.accept_encodings:
            response.set_data(gzip.compress(body))
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(etag)
    return response


@bp.get("/.well-known/void")
def well_known_void():
    return void.respond_description(None)
