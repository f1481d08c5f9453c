"""Every route against hostile input, through the real server: request text never becomes query text,
bad input is a 400 that names the parameter (or a 404 for a path that names nothing), and links and
redirects never carry a Host header the server does not know."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pyoxigraph as ox
import pytest
import requests

from cspkg.namespaces import GRAPH

ONTOLOGY = GRAPH + "ontology"
# Values that would change a query if they were pasted into it, or that a careless parser chokes on.
BREAKOUTS = [
    ONTOLOGY + "> { ?s ?p ?o } } UNION { GRAPH ?g { ?s ?p ?o } } #",  # close the IRI, add patterns
    ONTOLOGY + '" ?x',  # a quote
    ONTOLOGY + "\n} UNION { ?s ?p ?o }",  # a newline
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ontology",  # relative
    "http://[",  # urllib raises ValueError on this one
    "https://w3id.org/" + "a" * 3000,  # very long
]


def error(response) -> str:
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code
    return body["error"]


@pytest.mark.parametrize("value", BREAKOUTS)
def test_graph_store_takes_only_an_iri_and_binds_it(server, value):
    response = requests.get(f"{server}/rdf-graph-store", params={"graph": value}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 400, response.text[:300]
    message = error(response)
    assert "parameter 'graph'" in message and "http: or https: or urn:" in message


def test_graph_store_answers_a_real_graph_and_404s_an_unknown_one(server):
    ontology = requests.get(f"{server}/rdf-graph-store", params={"graph": ONTOLOGY}, headers={"Accept": "application/n-triples"})
    assert ontology.status_code == 200 and ontology.text.count("\n") > 50
    for value in ("urn:cspkg:none", GRAPH + "caf\u00e9", GRAPH + "\u65e5\u672c"):  # valid IRIs, non-Latin-1 too
        response = requests.get(f"{server}/rdf-graph-store", params={"graph": value})
        assert response.status_code == 404 and "no graph" in error(response)
    assert "parameter 'graph'" in error(requests.get(f"{server}/rdf-graph-store"))
    twice = requests.get(f"{server}/rdf-graph-store", params=[("graph", ONTOLOGY), ("graph", ONTOLOGY)])
    assert twice.status_code == 400 and "more than once" in error(twice)


@pytest.mark.parametrize("route", ["/graph/", "/doc/", "/id/", "/def/"])
@pytest.mark.parametrize("tail", [
    "ontology> { ?s ?p ?o } } UNION { GRAPH ?g { ?s ?p ?o } } #",
    'plan/thurrock-2023-24" ?x',
    "plan/thurrock-2023-24\n} UNION { ?s ?p ?o }",
    "plan/thurrock-2023-24 x",
    "caf\u00e9/\u65e5\u672c",
    "x" * 3000,
])
def test_paths_that_make_no_iri_of_ours_are_404s_with_no_effect(server, route, tail):
    response = requests.get(server + route + quote(tail), headers={"Accept": "application/n-triples"}, allow_redirects=False)
    assert response.status_code == 404, response.text[:300]
    assert "nothing here" in error(response) or "no resource" in error(response) or "no graph" in error(response)


def test_graph_and_doc_paths_still_answer(server):
    assert requests.get(f"{server}/graph/ontology.nt").text.count("\n") > 50
    assert "Thurrock" in requests.get(f"{server}/doc/plan/thurrock-2023-24.ttl").text
    assert requests.get(f"{server}/id/plan/thurrock-2023-24", allow_redirects=False).status_code == 303


@pytest.mark.parametrize("params,name,words", [
    ({"plan": "https://w3id.org/cspkg/id/plan/x> } UNION { ?s ?p ?o"}, "plan", "not an IRI"),
    ({"plan": "thurrock-2023-24\n"}, "plan", "not an IRI"),
    ({"plan": "javascript:alert(1)"}, "plan", "scheme 'javascript'"),
    ({"plan": "file:///etc/passwd"}, "plan", "scheme 'file'"),
    ({"plan": "http://["}, "plan", "not an IRI"),
    ({"plan": "https://w3id.org/cspkg/id/plan/caf\u00e9"}, "plan", "is not a partnership plan"),
    ({"plan": "no-such-plan"}, "plan", "is not a partnership plan"),
    ({"plan": "p" * 3000}, "plan", "at most 500"),
    ({"page": "\u0663"}, "page", "whole number from 1"),  # Arabic-Indic three: int() would take it
    ({"page": "\u00b2"}, "page", "whole number from 1"),  # superscript two: isdigit() but not int()
    ({"page": "9" * 5000}, "page", "whole number from 1"),
    ({"page": "0"}, "page", "whole number from 1"),
    ({"page": ""}, "page", "whole number from 1"),
    ({"page": "-1"}, "page", "whole number from 1"),
])
def test_canned_query_parameters_are_400s_that_name_them(server, params, name, words):
    response = requests.get(f"{server}/queries/plan-summary.json", params=params)
    assert response.status_code == 400, response.text[:300]
    message = error(response)
    assert f"parameter '{name}'" in message and words in message


def test_repeated_and_unknown_parameters_are_400s(server):
    twice = requests.get(f"{server}/queries/plan-summary.json", params=[("plan", "thurrock-2023-24"), ("plan", "tendring-2021-22")])
    assert twice.status_code == 400 and "parameter 'plan' is given more than once" in error(twice)
    odd = requests.get(f"{server}/queries/plan-summary.json", params={"\u65e5": "x"})
    assert odd.status_code == 400 and "is not a parameter" in error(odd)


def test_non_latin1_values_are_answered_and_the_bindings_header_is_percent_encoded(server):
    for text in ("\u65e5\u672c\u8a9e", "caf\u00e9 \u0394", 'knife" ) } UNION { ?s ?p ?o } #'):
        response = requests.get(f"{server}/queries/search-actions.json", params={"text": text})
        assert response.status_code == 200 and response.json()["results"]["bindings"] == []
        header = response.headers["X-Bindings"]
        assert header.isascii() and " " not in header and "\n" not in header
        name, _, value = header.partition("=")
        assert name == "_text" and unquote(value) == str(ox.Literal(text))  # the term in N-Triples, percent-encoded
    long = requests.get(f"{server}/queries/search-actions.json", params={"text": "k" * 600})
    assert long.status_code == 400 and "parameter 'text'" in error(long)


def test_an_iri_breakout_in_a_canned_query_returns_nothing_extra(server):
    plain = requests.get(f"{server}/queries/plan-summary.csv", params={"plan": "thurrock-2023-24"})
    assert plain.status_code == 200 and plain.text.count("\n") == 2
    evil = requests.get(f"{server}/queries/plan-summary.csv",
                        params={"plan": "https://w3id.org/cspkg/id/plan/thurrock-2023-24> . ?s ?p ?o . <urn:x"})
    assert evil.status_code == 400 and "parameter 'plan'" in error(evil)


@pytest.mark.parametrize("params,name", [
    ({"before": "../../etc/passwd", "after": "thurrock-2023-24"}, "before"),
    ({"before": "thurrock-2023-24", "after": "thurrock-2023-24\n"}, "after"),
    ({"before": "thurrock-2023-24> } UNION { ?s ?p ?o", "after": "thurrock-2023-24"}, "before"),
    ({"before": "\u65e5\u672c", "after": "thurrock-2023-24"}, "before"),
    ({"before": "thurrock-2023-24", "after": "x" * 3000}, "after"),
])
def test_diff_takes_only_known_plan_keys(server, params, name):
    response = requests.get(f"{server}/diff.json", params=params)
    assert response.status_code == 400
    assert f"parameter '{name}'" in error(response) and "give one of" in error(response)


def test_pages_refuse_bad_keys_and_long_search_text(server):
    for path in ("/plans/", "/duties/", "/plans/"):
        for key in ("x> } UNION { ?s ?p ?o", "caf\u00e9", "javascript:alert(1)"):
            response = requests.get(server + path + quote(key, safe="") + ".json")
            assert response.status_code == 404, (path, key, response.status_code)
    assert requests.get(f"{server}/search.json", params={"text": "\u65e5\u672c"}).status_code == 200
    long = requests.get(f"{server}/search.json", params={"text": "k" * 600})
    assert long.status_code == 400 and "parameter 'text'" in error(long)


EVIL = "evil.example"


def carries_evil(response) -> bool:
    return EVIL in "".join(f"{k}: {v}\n" for k, v in response.headers.items()) + response.text


@pytest.mark.parametrize("path,accept", [
    ("/id/plan/thurrock-2023-24", "text/turtle"),
    ("/doc/plan/thurrock-2023-24", "text/turtle"),
    ("/doc/plan/thurrock-2023-24", "text/html"),
    ("/graph/ontology", "text/turtle"),
    ("/def/index", "text/turtle"),
    ("/openapi.json", "application/json"),
    ("/queries.json", "application/json"),
    ("/queries/agency-workload.json", "application/json"),
    ("/queries/plan-summary", "text/html"),
    ("/.well-known/void", "text/turtle"),
    ("/rdf-graph-store?graph=" + quote(ONTOLOGY, safe=""), "text/turtle"),
    ("/sparql", "text/turtle"),  # the service description names the endpoint
    ("/sparql?query=" + quote("SELECT ?iri WHERE { BIND(<relative> AS ?iri) }"), "application/sparql-results+json"),
])
def test_an_unknown_host_header_never_reaches_a_link(server, path, accept):
    response = requests.get(server + path, headers={"Host": EVIL, "Accept": accept}, allow_redirects=False)
    assert response.status_code in (200, 303), response.text[:300]
    assert not carries_evil(response)
    port = server.rsplit(":", 1)[1]
    if "Link" in response.headers:  # built from the bind address instead
        assert f"http://127.0.0.1:{port}/" in response.headers["Link"]
    if response.status_code == 303:
        assert response.headers["Location"] == "/doc/plan/thurrock-2023-24"  # relative: no host at all


def test_loopback_names_are_known_hosts(server):
    port = server.rsplit(":", 1)[1]
    spec = requests.get(f"{server}/openapi.json", headers={"Host": f"localhost:{port}"}).json()
    assert spec["servers"] == [{"url": f"http://localhost:{port}"}]
    spec = requests.get(f"{server}/openapi.json", headers={"Host": EVIL}).json()
    assert spec["servers"] == [{"url": f"http://127.0.0.1:{port}"}]


def test_allowed_hosts_and_public_base(store_root):
    from server import serving

    with serving(store_root, workers=1, allowed_hosts="data.example.org, proxy.example.net:8443") as base:
        def servers(host):
            return requests.get(f"{base}/openapi.json", headers={"Host": host}).json()["servers"][0]["url"]

        port = base.rsplit(":", 1)[1]
        assert servers("data.example.org") == "http://data.example.org"
        assert servers("DATA.example.org:81") == "http://DATA.example.org:81"  # a name alone allows any port
        assert servers("proxy.example.net:8443") == "http://proxy.example.net:8443"
        assert servers("proxy.example.net:9999") == f"http://127.0.0.1:{port}"
        assert servers("data.example.org.evil.example") == f"http://127.0.0.1:{port}"
        links = requests.get(f"{base}/doc/plan/thurrock-2023-24.ttl", headers={"Host": "data.example.org"}).headers["Link"]
        assert "<http://data.example.org/doc/plan/thurrock-2023-24.html>" in links
    with serving(store_root, workers=1, public_base="https://csp.example.org/") as base:
        for host in (EVIL, "localhost"):
            r = requests.get(f"{base}/id/plan/thurrock-2023-24", headers={"Host": host}, allow_redirects=False)
            assert r.headers["Location"] == "https://csp.example.org/doc/plan/thurrock-2023-24"
            spec = requests.get(f"{base}/openapi.json", headers={"Host": host}).json()
            assert spec["servers"] == [{"url": "https://csp.example.org"}]
            assert not carries_evil(requests.get(f"{base}/queries/agency-workload.json", headers={"Host": host}))
