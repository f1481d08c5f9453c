"""The W3C SPARQL 1.1 Protocol tests (every query_* and bad_* test), run against the real server.

Test data as the W3C suite prescribes: named graphs data1.rdf, data2.rdf, data3.rdf, each with one
triple `<dataN.rdf> a foaf:Document`. The positive update_* tests do not apply: the endpoint is
read-only, and every bad_* test, update ones included, must get a 4xx.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import requests

from cspkg.store.builder import StoreBuilder
from server import serving

K = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOC = "http://xmlns.com/foaf/0.1/Document"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    root = tmp_path_factory.mktemp("w3c-store")
    builder = StoreBuilder(root)
    for n in (1, 2, 3):
        doc = ox.NamedNode(f"{K}data{n}.rdf")
        builder.store.load([ox.Triple(doc, ox.NamedNode(RDF_TYPE), ox.NamedNode(FOAF_DOC))], doc.value)
    builder.commit()
    with serving(root, workers=2) as base:
        yield base + "/sparql"


def boolean(response) -> bool:
    assert response.status_code < 400, response.text
    if "json" in response.headers["Content-Type"]:
        return json.loads(response.text)["boolean"]
    root = ElementTree.fromstring(response.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


ASK_12 = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?t }} GRAPH ?g2 {{ <{K}data2.rdf> a ?t }} }}"
ASK_FULL = f"ASK {{ <{K}data3.rdf> a ?type . GRAPH ?g1 {{ <{K}data1.rdf> a ?t }} GRAPH ?g2 {{ <{K}data2.rdf> a ?t }} }}"
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_query_post_form(endpoint):
    assert boolean(requests.post(endpoint, params={"default-graph-uri": f"{K}data0.rdf"}, data="query=ASK%20%7B%7D", headers=FORM))


def test_query_dataset_default_graphs_get(endpoint):
    r = requests.get(endpoint, params=[("query", ASK_12), ("default-graph-uri", f"{K}data1.rdf"), ("default-graph-uri", f"{K}data2.rdf")])
    assert boolean(r)


def test_query_dataset_default_graphs_post(endpoint):
    r = requests.post(endpoint, params=[("default-graph-uri", f"{K}data1.rdf"), ("default-graph-uri", f"{K}data2.rdf")], data=ASK_12, headers=DIRECT)
    assert boolean(r)


def test_query_dataset_named_graphs_post(endpoint):
    r = requests.post(endpoint, params=[("named-graph-uri", f"{K}data1.rdf"), ("named-graph-uri", f"{K}data2.rdf")], data=ASK_NAMED, headers=DIRECT)
    assert boolean(r)


def test_query_dataset_named_graphs_get(endpoint):
    r = requests.get(endpoint, params=[("query", ASK_NAMED), ("named-graph-uri", f"{K}data1.rdf"), ("named-graph-uri", f"{K}data2.rdf")])
    assert boolean(r)


def test_query_dataset_full(endpoint):
    params = [("default-graph-uri", f"{K}data3.rdf"), ("named-graph-uri", f"{K}data1.rdf"), ("named-graph-uri", f"{K}data2.rdf")]
    assert boolean(requests.post(endpoint, params=params, data=ASK_FULL, headers=DIRECT))


def test_query_multiple_dataset(endpoint):
    """The protocol's dataset overrides FROM in the query."""
    query = f"ASK FROM <{K}data3.rdf> {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?t }} GRAPH ?g2 {{ <{K}data2.rdf> a ?t }} }}"
    params = [("named-graph-uri", f"{K}data1.rdf"), ("named-graph-uri", f"{K}data2.rdf")]
    assert boolean(requests.post(endpoint, params=params, data=query, headers=DIRECT))


def test_query_get(endpoint):
    assert boolean(requests.get(endpoint, params={"query": "ASK {}", "default-graph-uri": f"{K}data0.rdf"}))


def test_query_content_type_select(endpoint):
    r = requests.post(endpoint, data="SELECT (1 AS ?value) {}", headers=DIRECT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"][0]["value"]["value"] == "1"


def test_query_content_type_ask(endpoint):
    r = requests.post(endpoint, data="ASK {}", headers=DIRECT)
    assert r.headers["Content-Type"].startswith("application/sparql-results+json") and boolean(r)


def test_query_content_type_describe(endpoint):
    r = requests.post(endpoint, data="DESCRIBE <http://example.org/>", headers=DIRECT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")


def test_query_content_type_construct(endpoint):
    r = requests.post(endpoint, data="CONSTRUCT { <s> <p> 1 } WHERE {}", headers=DIRECT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert len(triples) == 1 and triples[0].subject.value.startswith("http")  # relative IRIs resolved


def test_query_post_direct(endpoint):
    assert boolean(requests.post(endpoint, data="ASK {}", headers=DIRECT))


BAD = {
    "bad_query_method": lambda e: requests.put(e, params={"query": "ASK {}"}),
    "bad_multiple_queries": lambda e: requests.get(e, params=[("query", "ASK {}"), ("query", "SELECT * {}")]),
    "bad_query_wrong_media_type": lambda e: requests.post(e, data="ASK {}", headers={"Content-Type": "text/plain"}),
    "bad_query_missing_form_type": lambda e: requests.post(e, data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""}),
    "bad_query_missing_direct_type": lambda e: requests.post(e, data=b"ASK {}", headers={"Content-Type": ""}),
    "bad_query_non_utf8": lambda e: requests.post(e, data="ASK {}".encode("utf-16"), headers={"Content-Type": "application/sparql-query; charset=UTF-16"}),
    "bad_query_syntax": lambda e: requests.get(e, params={"query": "ASK {"}),
    "bad_update_get": lambda e: requests.get(e, params={"update": "CLEAR ALL"}),
    "bad_multiple_updates": lambda e: requests.post(e, data="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", headers=FORM),
    "bad_update_wrong_media_type": lambda e: requests.post(e, data="CLEAR NAMED", headers={"Content-Type": "text/plain"}),
    "bad_update_missing_form_type": lambda e: requests.post(e, data=b"update=CLEAR%20NAMED", headers={"Content-Type": ""}),
    "bad_update_non_utf8": lambda e: requests.post(e, data="CLEAR ALL".encode("utf-16"), headers={"Content-Type": "application/sparql-update; charset=UTF-16"}),
    "bad_update_syntax": lambda e: requests.post(e, data="update=CLEAR%20XYZ", headers=FORM),
    "bad_update_dataset_conflict": lambda e: requests.post(e, params={"using-named-graph-uri": "http://example/people"},
                                                           data="WITH <http://example/addresses> DELETE { ?p ?x ?y } WHERE { ?p ?x ?y }",
                                                           headers={"Content-Type": "application/sparql-update"}),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_requests_get_4xx(endpoint, name):
    response = BAD[name](endpoint)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert response.json()["ok"] is False


def test_status_codes_are_the_right_4xx(endpoint):
    assert requests.put(endpoint, params={"query": "ASK {}"}).status_code == 405
    assert requests.post(endpoint, data="ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    syntax = requests.get(endpoint, params={"query": "ASK {"})
    assert syntax.status_code == 400 and "syntax error" in syntax.json()["error"]
    assert requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": "image/png"}).status_code == 406
    assert requests.get(endpoint, params={"update": "CLEAR ALL"}).status_code == 400


# ---- format= and output=, the parameters SPARQLWrapper, Fuseki and Virtuoso clients send ---------

def content_type(response) -> str:
    assert response.status_code == 200, response.text
    return response.headers["Content-Type"].split(";")[0]


@pytest.mark.parametrize("param", ["format", "output"])
@pytest.mark.parametrize("value,expected", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"), ("sparql", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"), ("JSON", "application/sparql-results+json"),
])
def test_result_format_parameters(endpoint, param, value, expected):
    r = requests.get(endpoint, params={"query": "SELECT (1 AS ?value) {}", param: value}, headers={"Accept": "*/*"})
    assert content_type(r) == expected


@pytest.mark.parametrize("value,expected", [
    ("turtle", "text/turtle"), ("ttl", "text/turtle"), ("n3", "text/turtle"), ("text", "text/turtle"),
    ("nt", "application/n-triples"), ("json-ld", "application/ld+json"), ("json", "application/ld+json"),
    ("xml", "application/rdf+xml"), ("rdf", "application/rdf+xml"), ("rdf+xml", "application/rdf+xml"),
    ("rdf xml", "application/rdf+xml"),  # a '+' typed into a URL arrives as a space
    ("application/ld+json,application/x-json+ld", "application/ld+json"),
])
def test_graph_format_parameters(endpoint, value, expected):
    r = requests.get(endpoint, params={"query": "CONSTRUCT { <urn:s> <urn:p> 1 } WHERE {}", "format": value})
    assert content_type(r) == expected
    reader = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}.get(expected)
    if reader:
        from rdflib import Graph

        assert len(Graph().parse(data=r.text, format=reader)) == 1


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_accept_wins_where_it_can_be_met(endpoint):
    query = "SELECT (1 AS ?value) {}"
    get = lambda accept, **params: requests.get(endpoint, params={"query": query, **params}, headers={"Accept": accept})
    # Accept rules the parameter's format out and can be met: Accept decides
    assert content_type(get("application/sparql-results+xml", format="json")) == "application/sparql-results+xml"
    assert content_type(get("text/csv, application/sparql-results+json;q=0", output="json")) == "text/csv"
    # Accept allows the parameter's format (the query page's form, sent with a browser's Accept): the parameter decides
    assert content_type(get(BROWSER, format="csv")) == "text/csv"
    assert content_type(get("text/csv, */*;q=0.5", format="json")) == "application/sparql-results+json"
    assert content_type(get("*/*", output="tsv")) == "text/tab-separated-values"
    # Accept allows none of the formats: the parameter decides
    assert content_type(get("image/png", format="csv")) == "text/csv"
    # a format of the other query forms leaves the choice to Accept (SPARQLWrapper sends format=turtle with */* for SELECT)
    assert content_type(requests.get(endpoint, params={"query": query, "format": "turtle"})) == "application/sparql-results+json"
    assert requests.get(endpoint, params={"query": query, "format": "turtle"}, headers={"Accept": "image/png"}).status_code == 406
    # in a form POST too, and empty values (SPARQLWrapper sends some) are skipped
    form = requests.post(endpoint, data={"query": query, "format": ["", "csv"]}, headers={"Accept": "*/*"})
    assert content_type(form) == "text/csv"


@pytest.mark.parametrize("param", ["format", "output"])
def test_unknown_format_is_a_400_naming_the_parameter(endpoint, param):
    for query in ("SELECT (1 AS ?value) {}", "ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }"):
        r = requests.get(endpoint, params={"query": query, param: "foo"})
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert f"parameter '{param}'" in error and "'foo'" in error
        assert all(name in error for name in ("json", "xml", "csv", "tsv", "turtle", "json-ld", "rdf+xml"))


@pytest.mark.parametrize("accept,body", [("text/csv", "_askResult\r\n{}\r\n"), ("text/tab-separated-values", "?_askResult\n{}\n")])
def test_ask_in_csv_and_tsv_is_one_column(endpoint, accept, body):
    for query, answer in ((ASK_12, "true"), (f"ASK {{ <{K}data9.rdf> ?p ?o }}", "false")):
        r = requests.get(endpoint, params={"query": query}, headers={"Accept": accept})
        assert content_type(r) == accept and r.text == body.format(answer)


def test_graph_store_links_for_a_graph_outside_the_namespace(endpoint):
    """A graph with no /graph/ URL names its formats by parameter; every one answers in its type."""
    gsp = endpoint.removesuffix("/sparql") + "/rdf-graph-store"
    first = requests.get(gsp, params={"graph": f"{K}data1.rdf"}, headers={"Accept": "text/turtle"})
    links = [link for link in requests.utils.parse_header_links(first.headers["Link"]) if link["rel"] == "alternate"]
    assert len(links) == 7 and all(link["url"].startswith(gsp + "?") for link in links)
    readers = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "application/trig": ox.RdfFormat.TRIG, "application/n-quads": ox.RdfFormat.N_QUADS, "application/ld+json": ox.RdfFormat.JSON_LD}
    for link in links:
        r = requests.get(link["url"])
        assert content_type(r) == link["type"], link
        if link["type"] in readers:
            quads = list(ox.parse(r.content, format=readers[link["type"]]))
            assert [(q.subject.value, q.object.value) for q in quads] == [(f"{K}data1.rdf", FOAF_DOC)]
            if link["type"] in ("application/trig", "application/n-quads"):
                assert quads[0].graph_name.value == f"{K}data1.rdf"
