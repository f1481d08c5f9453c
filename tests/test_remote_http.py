"""`cspkg serve` over a remote store (a real Oxigraph server) answers as it does over the embedded one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from cspkg.pipeline.build import run
from cspkg.answers.catalogue import catalogue
from cspkg.sources import DEFAULT_DATA
from server import oxigraph_server, remote_settings, serving

ORDERED = """PREFIX csp: <https://w3id.org/cspkg/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?duty ?label (COUNT(?action) AS ?actions) WHERE {
  ?duty a csp:LegalDuty ; skos:prefLabel ?label . OPTIONAL { ?action csp:contributesToDuty ?duty }
} GROUP BY ?duty ?label ORDER BY DESC(?actions) ?duty"""


@pytest.fixture(scope="module")
def remote_server(remote_settings, store_root):
    settings = {k: getattr(remote_settings, k) for k in ("backend", "sparql_query", "sparql_update")}
    with serving(store_root, workers=2, query_timeout=2, **settings) as base:
        yield base


def get(base: str, path: str, **kwargs) -> requests.Response:
    return requests.get(base + path, timeout=30, **kwargs)


def local(response: requests.Response, base: str) -> str:
    return response.text.replace(base, "BASE")


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_canned_query_answers_the_same(server, remote_server, name):
    for suffix in (".csv", ".json"):
        embedded, remote = get(server, f"/queries/{name}{suffix}"), get(remote_server, f"/queries/{name}{suffix}")
        assert remote.status_code == embedded.status_code == 200
        assert remote.content == embedded.content and len(embedded.content) > 50
        for header in ("Content-Type", "X-Bindings"):
            assert remote.headers.get(header) == embedded.headers.get(header)
        assert remote.headers["Link"].replace(remote_server, "") == embedded.headers["Link"].replace(server, "")


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+xml"])
def test_sparql_endpoint_answers_the_same(server, remote_server, accept):
    embedded = get(server, "/sparql", params={"query": ORDERED}, headers={"Accept": accept})
    remote = get(remote_server, "/sparql", params={"query": ORDERED}, headers={"Accept": accept})
    assert remote.status_code == embedded.status_code == 200
    assert remote.headers["Content-Type"] == embedded.headers["Content-Type"]
    assert remote.content == embedded.content and embedded.content.count(b"duty/") > 10


def test_ask_construct_dataset_and_errors_answer_the_same(server, remote_server):
    queries = [
        ({"query": "ASK { GRAPH <https://w3id.org/cspkg/graph/plan/thurrock-2023-24> { ?s ?p ?o } }"}, None),
        ({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": "https://w3id.org/cspkg/graph/ontology"}, None),
        ({"query": "SELECT ?g WHERE { GRAPH ?g { ?s a ?o } } GROUP BY ?g ORDER BY ?g",
          "named-graph-uri": ["https://w3id.org/cspkg/graph/shapes", "https://w3id.org/cspkg/graph/ontology"]}, None),
        ({"query": "SELECT * WHERE { ?s ?p "}, 400),
    ]
    for params, status in queries:
        embedded, remote = get(server, "/sparql", params=params), get(remote_server, "/sparql", params=params)
        assert remote.status_code == embedded.status_code == (status or 200)
        if status is None:
            assert remote.content == embedded.content
        else:
            assert "syntax error" in remote.json()["error"]
    construct = {"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/cspkg/graph/ontology> { ?s ?p ?o } }"}
    graphs = [Graph().parse(data=get(base, "/sparql", params=construct).text, format="turtle") for base in (server, remote_server)]
    assert len(graphs[0]) > 100 and isomorphic(*graphs)


@pytest.mark.parametrize("path", ["/doc/action/thurrock-2023-24/pop-3", "/def/contributesToDuty", "/doc/plan/braintree-2022-23",
                                  "/graph/plan/colchester-2018-19", "/def/index"])
def test_linked_data_answers_the_same(server, remote_server, path):
    for suffix, fmt in ((".ttl", "turtle"), (".nt", "nt")):
        embedded, remote = get(server, path + suffix), get(remote_server, path + suffix)
        assert remote.status_code == embedded.status_code == 200
        assert isomorphic(Graph().parse(data=embedded.text, format=fmt), Graph().parse(data=remote.text, format=fmt))
    embedded, remote = get(server, path + ".html"), get(remote_server, path + ".html")
    if "/graph/" not in path:  # the graph page's triple count is the same, its links name the host
        assert local(remote, remote_server) == local(embedded, server)


def test_dumps_and_dataset_description_hold_the_same_data(server, remote_server):
    dumps = [list(ox.parse(get(base, "/dumps/cspkg.nq").content, format=ox.RdfFormat.N_QUADS)) for base in (server, remote_server)]
    assert len(dumps[0]) == len(dumps[1]) > 10_000
    assert {q.graph_name for q in dumps[0]} == {q.graph_name for q in dumps[1]}
    voids = [local(get(base, "/.well-known/void", headers={"Accept": "application/n-triples"}), base) for base in (server, remote_server)]
    assert sorted(voids[0].splitlines()) == sorted(voids[1].splitlines())


def test_etag_is_the_remote_build_and_changes_with_it(remote_server, remote_settings, remote_store, tmp_path):
    assert get(remote_server, "/healthz").json()["build"] == remote_store.build_id()
    url = "/queries/plan-summary.json"
    first = get(remote_server, url)
    assert get(remote_server, url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    run(DEFAULT_DATA, tmp_path, settings=remote_settings)  # the same data, built again into the store
    second = get(remote_server, url)
    assert second.headers["ETag"] != first.headers["ETag"] and second.content == first.content
    assert get(remote_server, url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_row_cap_truncation_and_time_limit_hold_on_the_remote_store(remote_settings, store_root):
    settings = {k: getattr(remote_settings, k) for k in ("backend", "sparql_query", "sparql_update")}
    with serving(store_root, workers=1, query_timeout=1, max_rows=5, **settings) as base:
        answer = get(base, "/sparql", params={"query": ORDERED}, headers={"Accept": "text/csv"})
        assert answer.headers["X-Result-Truncated"] == "true; limit=5"
        assert len(answer.text.strip().splitlines()) == 6
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        stopped = get(base, "/sparql", params={"query": slow})
        assert stopped.status_code == 503 and "stopped" in stopped.json()["error"]
        assert get(base, "/queries/plan-summary.json").status_code == 200  # and the next query is served


def test_store_gone_is_a_503_that_says_so(tmp_path, store_root):
    from cspkg.settings import Settings

    store = oxigraph_server(tmp_path / "db")
    store_base = store.__enter__()
    try:
        settings = remote_settings(store_base)
        run(DEFAULT_DATA, tmp_path / "unused", settings=Settings(**settings))
        with serving(store_root, workers=1, **settings) as base:
            assert get(base, "/queries/plan-summary.json").status_code == 200
            store.__exit__(None, None, None)
            store = None
            for path in ("/sparql?query=ASK%7B%7D", "/queries/plan-summary.json", "/doc/plan/braintree-2022-23.ttl"):
                answer = get(base, path, headers={"Accept": "application/json"})
                assert answer.status_code == 503, path
                assert f"{store_base}/query: cannot reach the SPARQL store" in answer.json()["error"]
    finally:
        if store is not None:
            store.__exit__(None, None, None)
