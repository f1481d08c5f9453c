"""End to end through the real server (gunicorn via `cspkg serve`) over the built seed data."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from cspkg.answers.catalogue import catalogue

GOLDEN = Path(__file__).parent / "golden"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_canned_query_over_http_matches_its_golden_file(server, name):
    response = requests.get(f"{server}/queries/{name}.csv")
    assert response.status_code == 200, response.text
    expected = rows((GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))
    query = catalogue()[name]
    if query.pagination and len(expected) - 1 > query.pagination:
        expected = expected[: query.pagination + 1]
    assert rows(response.text) == expected


def test_catalogue_lists_every_query_in_json_and_html(server):
    listed = requests.get(f"{server}/queries", headers={"Accept": "application/json"}).json()
    assert {q["name"] for q in listed} == set(catalogue())
    html = requests.get(f"{server}/queries", headers={"Accept": "text/html"}).text
    assert all(f"/queries/{name}" in html for name in catalogue())


def test_query_page_shows_form_table_and_the_sparql_that_ran(server):
    html = requests.get(f"{server}/queries/actions-for-duty", headers={"Accept": "text/html"}).text
    assert "<form" in html and "<table" in html and "How this was computed" in html
    assert "serious-violence-duty" in html and "SELECT" in html


def test_accept_negotiation_and_suffixes_agree(server):
    by_accept = requests.get(f"{server}/queries/plan-summary", headers={"Accept": "text/csv"})
    by_suffix = requests.get(f"{server}/queries/plan-summary.csv")
    assert by_accept.headers["Content-Type"].startswith("text/csv") and by_accept.text == by_suffix.text
    as_json = requests.get(f"{server}/queries/plan-summary.json").json()
    assert as_json["results"]["bindings"][0]["actions"]["value"] == "74"
    tsv = requests.get(f"{server}/queries/plan-summary.tsv")
    assert tsv.headers["Content-Type"].startswith("text/tab-separated-values") and tsv.text.startswith("?plan\t")
    assert requests.get(f"{server}/queries/plan-summary", headers={"Accept": "image/png"}).status_code == 406


def test_short_key_and_full_iri_give_the_same_answer(server):
    short = requests.get(f"{server}/queries/plan-summary.csv", params={"plan": "braintree-2022-23"}).text
    full = requests.get(f"{server}/queries/plan-summary.csv", params={"plan": "https://w3id.org/cspkg/id/plan/braintree-2022-23"}).text
    assert short == full and "Braintree" in short


@pytest.mark.parametrize("params,words", [
    ({"plan": "no such plan"}, ["parameter 'plan'", "not an IRI"]),
    ({"plan": "serious-violence-duty"}, ["parameter 'plan'", "is not a partnership plan"]),
    ({"colour": "red"}, ["parameter 'colour'", "not a parameter"]),
    ({"page": "0"}, ["parameter 'page'"]),
])
def test_bad_parameters_are_a_400_that_names_them(server, params, words):
    response = requests.get(f"{server}/queries/plan-summary.json", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and all(w in body["error"] for w in words)


def test_wrong_class_for_a_duty_parameter(server):
    response = requests.get(f"{server}/queries/actions-for-duty.json", params={"duty": "thurrock-2023-24"})
    assert response.status_code == 400 and "is not a legal duty" in response.json()["error"]


def test_injection_attempts_are_values_not_query_text(server):
    evil = 'knife" ) } UNION { ?s ?p ?o } #'
    response = requests.get(f"{server}/queries/search-actions.json", params={"text": evil})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    iri = "https://w3id.org/cspkg/id/duty/x> } UNION { ?s ?p ?o"
    assert requests.get(f"{server}/queries/actions-for-duty.json", params={"duty": iri}).status_code == 400


def test_pagination_uses_a_look_ahead_row_and_link_headers(server):
    paged = [q for q in catalogue().values() if q.pagination]
    assert paged, "at least one canned query is paginated"
    query = paged[0]
    golden = rows((GOLDEN / f"{query.name}.csv").read_text(encoding="utf-8"))[1:]
    first = requests.get(f"{server}/queries/{query.name}.csv")
    links = first.headers["Link"]
    assert 'rel="first"' in links
    if len(golden) > query.pagination:
        assert 'rel="next"' in links
        second = requests.get(f"{server}/queries/{query.name}.csv", params={"page": 2})
        assert rows(second.text)[1:] == golden[query.pagination: 2 * query.pagination]
        assert 'rel="prev"' in second.headers["Link"]
    else:
        assert 'rel="next"' not in links


def test_answers_carry_an_etag_and_revalidate(server):
    first = requests.get(f"{server}/queries/duty-coverage.json")
    etag = first.headers["ETag"]
    again = requests.get(f"{server}/queries/duty-coverage.json", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_openapi_document_is_valid_and_covers_the_catalogue(server):
    from openapi_spec_validator import validate

    spec = requests.get(f"{server}/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert {f"/queries/{name}" for name in catalogue()} <= set(spec["paths"])


def test_sparqlwrapper_and_rdflib_sparqlstore_get_the_stores_answers(server, store):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    query = """PREFIX csp: <https://w3id.org/cspkg/def/>
        SELECT ?plan (COUNT(?a) AS ?n) WHERE { ?a csp:actionOf ?plan } GROUP BY ?plan ORDER BY ?plan"""
    direct = [(r["plan"].value, int(r["n"].value)) for r in store.query(query)]
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    via_wrapper = [(b["plan"]["value"], int(b["n"]["value"])) for b in client.queryAndConvert()["results"]["bindings"]]
    graph = Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    via_rdflib = [(str(r.plan), int(r.n)) for r in graph.query(query)]
    assert direct == via_wrapper == via_rdflib
    assert sum(n for _, n in direct) == 186


def test_from_a_file_iri_is_an_empty_graph_never_read(server, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:s> <urn:p> <urn:secret> .")
    for iri in (f"file://{secret}", "file:///etc/passwd"):
        response = requests.get(f"{server}/sparql", params={"query": f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}"})
        assert response.status_code == 200 and response.json()["results"]["bindings"] == []
        named = requests.get(f"{server}/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": iri})
        assert named.json()["results"]["bindings"] == []


def test_service_is_refused_without_any_network_access(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"):
            response = requests.get(f"{server}/sparql", params={"query": query})
            assert response.status_code == 400 and "SERVICE is not allowed" in response.json()["error"], query
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


def test_updates_and_load_are_refused(server):
    for body in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:1/data.ttl>", "CLEAR ALL"):
        r = requests.post(f"{server}/sparql", data={"update": body})
        assert r.status_code == 400 and "read-only" in r.json()["error"]
        r = requests.post(f"{server}/sparql", data={"query": body})
        assert r.status_code == 400
    count = requests.get(f"{server}/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}).json()
    assert count["boolean"] is False


def test_a_runaway_query_is_stopped_while_other_requests_are_served(server):
    result = {}

    def runaway():
        started = time.monotonic()
        result["response"] = requests.get(f"{server}/sparql", params={"query": RUNAWAY}, timeout=60)
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    meanwhile = requests.get(f"{server}/queries/plan-summary.json", timeout=10)
    assert meanwhile.status_code == 200  # another worker answers while the runaway runs
    assert thread.is_alive()
    thread.join(60)
    assert result["response"].status_code == 503
    assert "was stopped" in result["response"].json()["error"]
    assert result["seconds"] < 10  # the server's limit is 2 s
    after = requests.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=10)
    assert after.status_code == 200


def test_cors_is_open_for_reads(server):
    response = requests.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(f"{server}/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_browser_get_without_query_shows_a_query_page(server):
    page = requests.get(f"{server}/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<textarea" in page.text and "PREFIX csp:" in page.text
    description = requests.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    assert "sd:Service" in description.text


def test_html_escapes_everything_from_the_data_and_the_request(server):
    page = requests.get(f"{server}/queries/search-actions", params={"text": "<script>alert(1)</script>"},
                        headers={"Accept": "text/html"}).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_row_cap_and_body_cap(tmp_path, store_root):
    from server import serving

    with serving(store_root, workers=1, max_rows=5, max_body=2000) as base:
        r = requests.get(f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert len(r.json()["results"]["bindings"]) == 5 and r.headers["X-Result-Truncated"].startswith("true")
        big = requests.post(f"{base}/sparql", data="ASK {}" + " " * 5000, headers={"Content-Type": "application/sparql-query"})
        assert big.status_code == 413


def test_healthz(server):
    body = requests.get(f"{server}/healthz").json()
    assert body["ok"] is True and body["build"].startswith("build-")


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_rows_are_counted_without_parsing_even_when_literals_look_like_rows(fmt):
    """The row cap counts an answer's rows from its bytes; literals that look like row syntax
    (braces, tags, newlines, tabs) do not throw the count."""
    import pyoxigraph as ox

    from cspkg.answers.results import RESULT_FORMATS
    from cspkg.answers.runner_child import count_rows

    store = ox.Store()
    tricky = ['a},{"x": 1}', "<result><binding name='x'>", "two\nlines\tand a tab", 'quote " and \\ backslash', ""]
    store.extend(ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(text)) for i, text in enumerate(tricky))
    body = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }").serialize(format=RESULT_FORMATS[fmt])
    assert count_rows(body, fmt) == len(tricky) == len(list(ox.parse_query_results(body, format=RESULT_FORMATS[fmt])))


def test_a_cached_answer_carries_the_links_of_the_request_it_answers(server):
    # An empty ?format= must not leak into the Link headers of a later request without it.
    first = requests.get(f"{server}/queries/agency-workload.json?format=", timeout=30)
    plain = requests.get(f"{server}/queries/agency-workload.json", timeout=30)
    assert first.status_code == plain.status_code == 200
    assert "format=" not in plain.headers["Link"] and "format=" not in first.headers["Link"]
    again = requests.get(f"{server}/queries/agency-workload?format=json", timeout=30)
    assert "format=json" in again.headers["Link"]
