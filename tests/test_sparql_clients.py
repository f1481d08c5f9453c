"""The SPARQL endpoint with the clients analysts already run, against the real server over the seed
data: SPARQLWrapper in its default mode (it sends `format=`/`output=` as well as Accept) and in
conneg-only mode, over every query form and every return format it offers for that form, and
rdflib's SPARQLStore. Answers are parsed and compared with what the store itself answers."""

from __future__ import annotations

import csv
import io
import warnings

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from cspkg.namespaces import BASE, sparql_prefixes
from conftest import PLANS, select

# SPARQLWrapper 2.0 reads RDF/XML and JSON-LD answers into rdflib's ConjunctiveGraph, which rdflib 7 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

PLAN = f"{BASE}id/plan/thurrock-2023-24"
QUERIES = {
    # an unbound cell (not every plan states its approval date), typed and non-ASCII values
    "SELECT": """SELECT ?plan ?title (COUNT(DISTINCT ?action) AS ?actions) (SAMPLE(?date) AS ?approved) WHERE {
        ?plan a csp:Plan ; dct:title ?title .
        OPTIONAL { ?plan csp:hasAction ?action } OPTIONAL { ?plan csp:approvedOn ?date }
    } GROUP BY ?plan ?title ORDER BY ?plan""",
    "ASK": f"ASK {{ <{PLAN}> a csp:Plan }}",
    "ASK-false": f"ASK {{ <{BASE}id/plan/no-such-plan> ?p ?o }}",
    "CONSTRUCT": "CONSTRUCT { ?plan dct:title ?title ; csp:hasPriority ?priority } WHERE { ?plan a csp:Plan ; dct:title ?title ; csp:hasPriority ?priority }",
    "DESCRIBE": f"DESCRIBE <{PLAN}>",
}
# what SPARQLWrapper offers for each form: the formats it sends a matching Accept header for
OFFERED = {"SELECT": [XML, JSON, CSV, TSV], "ASK": [XML, JSON, CSV, TSV],
           "CONSTRUCT": [XML, RDFXML, TURTLE, N3, JSONLD], "DESCRIBE": [XML, RDFXML, TURTLE, N3, JSONLD]}
CONTENT_TYPES = {XML: "application/sparql-results+xml", JSON: "application/sparql-results+json", CSV: "text/csv",
                 TSV: "text/tab-separated-values"}
GRAPH_TYPES = {XML: "application/rdf+xml", RDFXML: "application/rdf+xml", RDF: "application/rdf+xml", TURTLE: "text/turtle",
               N3: "text/turtle", JSONLD: "application/ld+json", JSON: "application/ld+json"}


def text(form: str) -> str:
    return sparql_prefixes() + QUERIES[form]


@pytest.fixture(scope="module")
def expected(store):
    """The store's own answers to the same queries (the endpoint's default graph is the union)."""
    rows = [{k: v or "" for k, v in row.items()} for row in select(store, QUERIES["SELECT"])]
    assert {f"{BASE}id/plan/{key}" for key in PLANS} <= {r["plan"] for r in rows}
    assert any(r["approved"] == "" for r in rows) and any(r["approved"] for r in rows)  # both kinds of cell are tested

    def graph(form):
        triples = list(store.query(text(form)))
        assert triples
        return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")

    return {"SELECT": rows, "ASK": True, "ASK-false": False, "CONSTRUCT": graph("CONSTRUCT"), "DESCRIBE": graph("DESCRIBE")}


# ---- reading each answer as a client gets it -------------------------------------------------

def value(term) -> str:
    return "" if term is None else str(term)


def rows_of(converted, fmt: str) -> list[dict]:
    if fmt == JSON:
        return [{k: v["value"] for k, v in b.items()} for b in converted["results"]["bindings"]]
    if fmt == XML:
        body = io.BytesIO(converted.toxml("utf-8"))
        return [{k: value(v) for k, v in row.asdict().items()} for row in Result.parse(body, format="xml")]
    if fmt == CSV:
        return list(csv.DictReader(io.StringIO(converted.decode("utf-8"), newline="")))
    result = Result.parse(io.BytesIO(converted), format="tsv")
    return [{k: value(v) for k, v in row.asdict().items()} for row in result]


def boolean_of(converted, fmt: str) -> bool:
    if fmt == JSON:
        return converted["boolean"]
    if fmt == XML:
        return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    header, answer = converted.decode("utf-8").splitlines()  # one column: its name, then the answer
    assert header == ("_askResult" if fmt == CSV else "?_askResult")
    return {"true": True, "false": False}[answer]


def graph_of(converted) -> Graph:
    graph = Graph()
    if isinstance(converted, bytes):  # Turtle (SPARQLWrapper hands N3 and Turtle over unparsed)
        return graph.parse(data=converted.decode("utf-8"), format="turtle")
    for triple in converted.triples((None, None, None)):  # a Dataset: RDF/XML and JSON-LD
        graph.add(triple)
    return graph


def check(form: str, fmt: str, result, expected) -> None:
    converted = result.convert()
    if form == "SELECT":
        rows = [{k: r.get(k, "") for k in expected[form][0]} for r in rows_of(converted, fmt)]
        assert rows == expected[form]
    elif form.startswith("ASK"):
        assert boolean_of(converted, fmt) is expected[form]
    else:
        graph = graph_of(converted)
        assert len(graph) == len(expected[form]) and isomorphic(graph, expected[form])


def wrapper(server: str, form: str, fmt: str, method: str, conneg: bool) -> SPARQLWrapper:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(text(form))
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setOnlyConneg(conneg)
    return client


CASES = [(form, fmt) for form, formats in OFFERED.items() for fmt in formats] + [("ASK-false", fmt) for fmt in OFFERED["ASK"]]


@pytest.mark.parametrize("conneg", [False, True], ids=["default-mode", "conneg-only"])
@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("form,fmt", CASES)
def test_sparqlwrapper_every_form_and_format(server, expected, form, fmt, method, conneg):
    """No warning either way (the suite turns warnings into errors): SPARQLWrapper warns when the
    answer's type is not the one it asked for."""
    result = wrapper(server, form, fmt, method, conneg).query()
    content_type = result.info()["content-type"]
    wanted = CONTENT_TYPES[fmt] if form in ("SELECT", "ASK", "ASK-false") else GRAPH_TYPES[fmt]
    assert content_type.split(";")[0] == wanted
    check(form, fmt, result, expected)


# Formats SPARQLWrapper sends with `Accept: */*` (it warns that it does): in its default mode the
# format parameter alone says what it wants; one that does not fit the query form leaves the choice
# to Accept, and the form's default format comes back (as SPARQLWrapper's own tests expect of servers).
PARAMETER_ONLY = [("CONSTRUCT", RDF, "application/rdf+xml"), ("DESCRIBE", RDF, "application/rdf+xml"),
                  ("CONSTRUCT", JSON, "application/ld+json"), ("DESCRIBE", JSON, "application/ld+json"),
                  ("DESCRIBE", CSV, "text/turtle"), ("SELECT", JSONLD, "application/sparql-results+json"),
                  ("SELECT", TURTLE, "application/sparql-results+json"), ("SELECT", RDF, "application/sparql-results+json"),
                  ("ASK", N3, "application/sparql-results+json"), ("ASK", RDFXML, "application/sparql-results+json")]


@pytest.mark.parametrize("form,fmt,content_type", PARAMETER_ONLY)
def test_sparqlwrapper_formats_sent_with_any_accept(server, expected, form, fmt, content_type):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = wrapper(server, form, fmt, GET, False).query()
        assert result.info()["content-type"].split(";")[0] == content_type
        converted = result.convert()
    assert any("*/*" in str(w.message) for w in caught)  # the client's own warning: it sent Accept */*
    if form == "SELECT":
        rows = [{k: r.get(k, "") for k in expected[form][0]} for r in rows_of(converted, JSON)]
        assert rows == expected[form]
    elif form == "ASK":
        assert boolean_of(converted, JSON) is True
    else:
        assert isomorphic(graph_of(converted), expected[form])


# rdflib reads CSV and TSV as tables only, and asks for RDF only in its XML mode
SPARQLSTORE = [(form, fmt) for form in ("SELECT", "ASK", "ASK-false") for fmt in ("xml", "json")] + [
    ("SELECT", "csv"), ("SELECT", "tsv"), ("CONSTRUCT", "xml")]


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("form,return_format", SPARQLSTORE)
def test_rdflib_sparqlstore(server, expected, form, return_format, method):
    """rdflib's SPARQLStore: answers read by rdflib's own parsers, chosen by the content type we send."""
    store = SPARQLStore(query_endpoint=server + "/sparql", returnFormat=return_format, method=method)
    result = store.query(text(form))
    if form == "SELECT":
        rows = [{k: value(row[k]) for k in expected[form][0]} for row in result]
        assert rows == expected[form]
    elif form.startswith("ASK"):
        assert result.askAnswer is expected[form]
    else:
        assert isomorphic(result.graph, expected[form])
