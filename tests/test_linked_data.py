"""Crawl the published dataset: every IRI the project minted dereferences in every format, every
RDF answer parses with an independent parser and means the same in every format, and the HTML
pages show labels, not IRIs."""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urljoin, urlsplit

import pyoxigraph as ox
import pytest
import requests
from pyld import jsonld
from rdflib import BNode, Graph
from rdflib.compare import isomorphic

from cspkg.namespaces import BASE
from conftest import select

FORMATS = {
    "html": "text/html",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def minted(store) -> list[str]:
    rows = select(store, f"""SELECT DISTINCT ?x WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?a ?b ?c }} }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}""")
    iris = sorted({r["x"] for r in rows} | {BASE + "def/", BASE + "id/dataset/cspkg"})
    assert len(iris) > 1000
    return iris


@pytest.fixture(scope="module")
def labelled(store) -> dict[str, str]:
    rows = select(store, f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ ?x skos:prefLabel|rdfs:label|dct:title ?l
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }} GROUP BY ?x""")
    return {r["x"]: r["label"] for r in rows}


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def rapper(body: bytes, syntax: str, base: str) -> Graph:
    done = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "ntriples", "-", base], input=body, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[:500]
    return Graph().parse(data=done.stdout.decode(), format="nt")


def no_fetching_loader(url, options=None):
    raise AssertionError(f"JSON-LD processing tried to fetch {url}")


def pyld_graph(body: bytes) -> Graph:
    doc = json.loads(body)
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetching_loader})
    return Graph().parse(data=nquads, format="nt")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def crawl_one(server: str, iri: str, labelled: dict[str, str]) -> list[str]:
    problems, graphs = [], {}
    session = requests.Session()
    for key, accept in FORMATS.items():
        first = session.get(server + path_of(iri), headers={"Accept": accept}, allow_redirects=False)
        response = first
        if first.status_code == 303:
            assert first.headers["Vary"] == "Accept"
            # Location may be relative (it is, unless CSPKG_PUBLIC_BASE is set): resolve it as a client does
            response = session.get(urljoin(first.url, first.headers["Location"]), headers={"Accept": accept}, allow_redirects=False)
        if response.status_code != 200:
            problems.append(f"{iri} as {key}: {first.status_code} then {response.status_code}")
            continue
        if not response.headers["Content-Type"].startswith(accept):
            problems.append(f"{iri} as {key}: got {response.headers['Content-Type']}")
            continue
        if key == "html":
            text = visible_text(response.text)
            raw = [other for other in labelled if other in text]
            if raw:
                problems.append(f"{iri} HTML shows raw IRIs that have labels: {raw[:3]}")
        elif key == "jsonld":
            graphs[key] = pyld_graph(response.content)
        else:
            graphs[key] = rapper(response.content, RAPPER[key], iri)
    reference = graphs.get("ntriples")
    for key, graph in graphs.items():
        if reference is not None and not isomorphic(graph, reference):
            problems.append(f"{iri}: {key} differs from N-Triples ({len(graph)} vs {len(reference)} triples)")
    return problems


@pytest.mark.slow
def test_every_minted_iri_dereferences_in_every_format(server, minted, labelled):
    with ThreadPoolExecutor(6) as pool:
        problems = [p for found in pool.map(lambda iri: crawl_one(server, iri, labelled), minted) for p in found]
    assert not problems, "\n".join(problems[:20])


def test_conneg_browser_curl_rdf_client_and_unsupported(server):
    url = f"{server}/id/plan/thurrock-2023-24"
    browser = requests.get(url, headers={"Accept": BROWSER})
    assert browser.history[0].status_code == 303 and browser.headers["Content-Type"].startswith("text/html")
    curl = requests.get(url, headers={"Accept": "*/*"})
    assert curl.headers["Content-Type"].startswith("text/turtle")
    client = requests.get(url, headers={"Accept": "application/rdf+xml, text/turtle;q=0.9"})
    assert client.headers["Content-Type"].startswith("application/rdf+xml")
    unsupported = requests.get(url, headers={"Accept": "image/png"})
    assert unsupported.status_code == 406
    assert "text/turtle" in unsupported.json()["error"] and "application/ld+json" in unsupported.json()["error"]
    assert requests.get(f"{server}/id/plan/no-such-plan", headers={"Accept": "text/turtle"}).status_code == 404


def test_documents_carry_alternates_suffixes_and_vary(server):
    doc = requests.get(f"{server}/doc/duty/serious-violence-duty", headers={"Accept": "text/turtle"})
    assert doc.headers["Vary"] == "Accept"
    links = doc.headers["Link"]
    for suffix, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                          ("rdf", "application/rdf+xml"), ("html", "text/html")):
        assert f'serious-violence-duty.{suffix}>; rel="alternate"; type="{media}"' in links
        assert requests.get(f"{server}/doc/duty/serious-violence-duty.{suffix}").headers["Content-Type"].startswith(media)
    assert doc.headers["Content-Location"].endswith("/doc/duty/serious-violence-duty.ttl")


def test_description_has_own_incoming_and_inferred_apart(server):
    trig = requests.get(f"{server}/doc/action/thurrock-2023-24/pop-3.trig").content
    quads = list(ox.parse(trig, format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert "https://w3id.org/cspkg/graph/plan/thurrock-2023-24" in graphs
    assert "https://w3id.org/cspkg/graph/inferred/thurrock-2023-24" in graphs
    incoming = [q for q in quads if q.object.value == f"{BASE}id/action/thurrock-2023-24/pop-3"]
    assert incoming  # the bullets that deliver it, the plan that has it
    page = requests.get(f"{server}/doc/action/thurrock-2023-24/pop-3", headers={"Accept": "text/html"}).text
    assert "What the reasoner inferred" in page and "Referred to by" in page
    assert 'href="http://www.legislation.gov.uk/id/ukpga/2022/32"' in page  # the trace links to legislation.gov.uk
    assert "Police, Crime, Sentencing and Courts Act 2022" in page


def test_pages_show_source_document_and_licence(server, store_root):
    from server import serving

    page = requests.get(f"{server}/doc/action/tendring-2021-22/r02", headers={"Accept": "text/html"}).text
    assert "Source:" in page and "Tendring" in page.split("Source:")[1]
    assert "no licence has been stated" in page
    with serving(store_root, workers=1, licence="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/") as base:
        page = requests.get(f"{base}/doc/action/tendring-2021-22/r02", headers={"Accept": "text/html"}).text
        assert 'href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"' in page
        void = Graph().parse(data=requests.get(f"{base}/.well-known/void").text, format="turtle")
        assert any("open-government-licence" in str(o) for o in void.objects())


def test_public_base_maps_the_namespace(store_root):
    from server import serving

    with serving(store_root, workers=1, public_base="https://csp.example.org") as base:
        r = requests.get(f"{base}/id/duty/prevent-duty", allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "https://csp.example.org/doc/duty/prevent-duty"
        ttl = requests.get(f"{base}/doc/duty/prevent-duty.ttl").text
        assert f"{BASE}id/duty/prevent-duty" in ttl or "duty/prevent-duty" in ttl  # IRIs keep their namespace


def test_ontology_and_shapes_are_published(server):
    page = requests.get(f"{server}/def/", headers={"Accept": "text/html"}).text
    assert "Legal duty" in page and "contributes to duty" in page
    ontology = Graph().parse(data=requests.get(f"{server}/def/", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert len(ontology) > 800
    shapes = requests.get(f"{server}/def/shapes/", headers={"Accept": "text/html"}).text
    assert "No lead agency is given" in shapes
    term = requests.get(f"{server}/def/contributesToDuty", headers={"Accept": "text/turtle"})
    assert term.status_code == 200 and "propertyChainAxiom" in term.text


def test_graph_store_protocol_get_and_dumps(server, store):
    graph = "https://w3id.org/cspkg/graph/plan/braintree-2022-23"
    gsp = requests.get(f"{server}/rdf-graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert gsp.status_code == 200
    expected = store.count(graph)
    assert len(Graph().parse(data=gsp.text, format="nt")) == expected
    assert requests.get(f"{server}/rdf-graph-store", params={"graph": "https://example.org/none"}).status_code == 404
    assert requests.put(f"{server}/rdf-graph-store", params={"graph": graph}, data="").status_code == 405
    nq = requests.get(f"{server}/dumps/cspkg.nq.gz")
    quads = list(ox.parse(gzip.decompress(nq.content), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == store.count()
    trig = requests.get(f"{server}/dumps/cspkg.trig", headers={"Accept-Encoding": "gzip"})
    assert trig.headers["Content-Encoding"] == "gzip"  # requests decodes it
    assert len(list(ox.parse(trig.content, format=ox.RdfFormat.TRIG))) == store.count()


def test_void_describes_the_dataset(server, store):
    for url in (f"{server}/.well-known/void", f"{server}/id/dataset/cspkg"):
        g = Graph().parse(data=requests.get(url, headers={"Accept": "text/turtle"}).text, format="turtle")
        text = g.serialize(format="nt")
        for needle in ("http://rdfs.org/ns/void#sparqlEndpoint", "/dumps/cspkg.nq", "/dumps/cspkg.trig",
                       "http://www.w3.org/ns/dcat#DataService", "/queries/duties-without-funded-actions",
                       "http://rdfs.org/ns/void#vocabulary", "https://w3id.org/cspkg/graph/plan/thurrock-2023-24",
                       "https://w3id.org/cspkg/id/document/thurrock-2023-24", "http://rdfs.org/ns/void#triples"):
            assert needle in text, needle
        totals = [int(o) for s, p, o in g if str(p) == "http://rdfs.org/ns/void#triples" and str(s).endswith("dataset/cspkg")]
        assert totals == [store.count()]


def test_etag_changes_when_the_data_are_rebuilt(tmp_path):
    from cspkg.pipeline.build import run
    from cspkg.sources import DEFAULT_DATA
    from server import serving

    root = tmp_path / "store"
    run(DEFAULT_DATA, root)
    with serving(root, workers=1) as base:
        url = f"{base}/doc/plan/braintree-2022-23.ttl"
        first = requests.get(url)
        assert requests.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        run(DEFAULT_DATA, root)
        second = requests.get(url)
        assert second.headers["ETag"] != first.headers["ETag"] and second.text == first.text


# ---- what harvesters follow: every format a document advertises, for every kind of document -----

READERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
           "application/trig": "trig", "application/n-quads": "nquads"}
MAX_FETCHES = 1500  # the crawl is bounded whatever the Link headers say


def jsonld_10_graph(body: bytes) -> Graph:
    """JSON-LD read as a JSON-LD 1.0 processor reads it: a list of lists is not 1.0 and is dropped
    (so the graph then differs from the N-Triples one)."""
    from rdflib import Dataset
    from rdflib.plugins.parsers.jsonld import to_rdf

    dataset = Dataset()
    to_rdf(json.loads(body), dataset, version=1.0, allow_lists_of_lists=False)
    return triples_of(dataset)


def triples_of(dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def rdflib_graph(body: bytes, media: str, base: str) -> Graph:
    """Every statement of the answer (each graph's, for TriG and N-Quads) as rdflib reads it."""
    import warnings

    from rdflib import Dataset

    with warnings.catch_warnings():  # rdflib 7's own parsers call its deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        if media == "application/ld+json":
            return jsonld_10_graph(body)
        dataset = Dataset()
        dataset.parse(data=body.decode("utf-8"), format=READERS[media], publicID=base)
    return triples_of(dataset)


def alternate_links(response) -> list[tuple[str, str]]:
    links = requests.utils.parse_header_links(response.headers.get("Link", ""))
    return [(link["url"], link["type"]) for link in links if link.get("rel") == "alternate"]


def crawl_alternates(server: str, start: str) -> tuple[list[str], dict[str, Graph]]:
    """Fetch a start URL and, breadth first, every rel=alternate it (or any answer) advertises: each
    must answer 200 in the type it was advertised with and parse. Only this server is fetched."""
    problems, graphs, session = [], {}, requests.Session()
    queue, seen = [(server + start, None)], {server + start}
    while queue:
        assert len(seen) <= MAX_FETCHES, f"{start}: the Link headers advertise more than the crawl allows"
        url, media = queue.pop(0)
        assert urlsplit(url).netloc == urlsplit(server).netloc, f"{start} advertises {url}, not on this server"
        response = session.get(url, headers={"Accept": media or "text/turtle"})
        got = response.headers.get("Content-Type", "").split(";")[0]
        if response.status_code != 200 or (media and got != media):
            problems.append(f"{url} (advertised as {media}): {response.status_code} {got} {response.text[:200]}")
            continue
        if got != "text/html":
            try:
                graphs[url] = rdflib_graph(response.content, got, url)
            except Exception as err:  # noqa: BLE001 - reported with the URL, the crawl goes on
                problems.append(f"{url} ({got}) does not parse: {err}")
        for link, link_media in alternate_links(response):
            if link not in seen:
                seen.add(link)
                queue.append((link, link_media))
    return problems, graphs


def same_graph(a: Graph, b: Graph) -> bool:
    if len(a) != len(b):
        return False
    if not any(isinstance(t, BNode) for triple in a for t in triple):
        return set(a) == set(b)  # no blank nodes: equal sets (isomorphic() is slow on the whole union)
    return isomorphic(a, b)


def check_advertised(server: str, starts: list[str]) -> list[str]:
    """Every start advertises every RDF format it is published in (the default graph, which has no
    page and no quads: the four triple formats), and all of them carry the same triples."""
    problems = []
    for start in starts:
        found, answers = crawl_alternates(server, start)
        problems += found
        expected = 4 if "?default" in start else 6
        if len(answers) < expected:
            problems.append(f"{start}: {len(answers)} RDF formats advertised, {sorted(answers)}")
            continue
        reference = next(g for url, g in answers.items() if url.endswith((".nt", "format=nt")))
        problems += [f"{url} differs from the N-Triples" for url, g in answers.items() if not (reference and same_graph(g, reference))]
    return problems


ONE_OF_EACH = ["/doc/dataset/cspkg", "/def/", "/def/shapes/", "/def/contributesToDuty", "/def/shapes/OrganisationPrefLabel",
               "/doc/plan/braintree-2022-23", "/graph/shapes", "/rdf-graph-store?graph=" + quote(BASE + "graph/plan/braintree-2022-23", safe="")]


def test_advertised_formats_of_each_kind_answer_and_parse(server):
    problems = check_advertised(server, ONE_OF_EACH)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_every_advertised_format_of_every_graph_answers_and_parses(server, store):
    graph_paths = [path_of(g) for g in store.graphs() if g.startswith(BASE + "graph/")]
    assert any(p.startswith("/graph/plan/") for p in graph_paths) and "/graph/ontology" in graph_paths
    starts = ["/doc/action/thurrock-2023-24/pop-3", "/doc/duty/serious-violence-duty", "/rdf-graph-store?default"]
    problems = check_advertised(server, starts + graph_paths)
    assert not problems, "\n".join(problems[:20])


def test_named_graphs_keep_their_name_in_trig_and_nquads(server):
    name = BASE + "graph/shapes"
    for suffix, fmt in (("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS)):
        quads = list(ox.parse(requests.get(f"{server}/graph/shapes.{suffix}").content, format=fmt))
        assert quads and {q.graph_name.value for q in quads} == {name}
        shapes = list(ox.parse(requests.get(f"{server}/def/shapes.{suffix}").content, format=fmt))
        assert {q.graph_name.value for q in shapes} == {name} and len(shapes) == len(quads)
