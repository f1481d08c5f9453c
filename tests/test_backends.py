"""The store contract: every verb behaves the same on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import os
import subprocess

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from cspkg.errors import BadInput, StoreMissing
from cspkg.store.remote import RemoteStore, StoreUnavailable
from cspkg.store.remote_load import RemoteBuilder
from cspkg.settings import Settings
from cspkg.store.builder import StoreBuilder
from cspkg.store.embedded import EmbeddedStore
from cspkg.store.interface import BUILD_GRAPH
from server import CSPKG, oxigraph_server, remote_settings

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
n = ox.NamedNode
TRIPLES_1 = [ox.Triple(n(EX + "a"), n(EX + "p"), ox.Literal("one")),
             ox.Triple(n(EX + "a"), n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Thing A", language="en"))]
LIST = ox.BlankNode()
TRIPLES_2 = [ox.Triple(n(EX + "b"), n(EX + "p"), ox.Literal("two")),
             ox.Triple(n(EX + "b"), n(EX + "q"), n(EX + "a")),
             ox.Triple(n(EX + "b"), n(EX + "list"), LIST),  # a blank node, closed over in descriptions
             ox.Triple(LIST, n(EX + "first"), ox.Literal("2", datatype=n("http://www.w3.org/2001/XMLSchema#integer")))]


@pytest.fixture(scope="module")
def oxigraph_empty(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-contract")) as base:
        yield base


@pytest.fixture(params=["embedded", "remote"])
def empty(request, tmp_path):
    """An empty, writable store of each kind."""
    if request.param == "embedded":
        return EmbeddedStore(ox.Store(str(tmp_path / "db")), tmp_path / "db")
    store = RemoteStore(Settings(**remote_settings(request.getfixturevalue("oxigraph_empty"))))
    store.update("DROP ALL")
    return store


@pytest.fixture
def loaded(empty):
    empty.load(TRIPLES_1, G1)
    empty.load(TRIPLES_2, G2)
    return empty


def same_graph(a, b) -> bool:
    as_graph = lambda triples: Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return isomorphic(as_graph(a), as_graph(b))


def rows(result) -> list[tuple]:
    return [tuple(None if row[v] is None else row[v].value for v in result.variables) for row in result]


def test_load_graphs_count_and_triples(loaded):
    assert loaded.graphs() == [G1, G2]
    assert loaded.count(G1) == 2 and loaded.count(G2) == 4 and loaded.count() == 6
    assert set(loaded.triples(G1)) == set(TRIPLES_1)


def test_default_graph_is_the_union_and_graph_restricts(loaded):
    everything = rows(loaded.query(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"))
    assert everything == [(EX + "a", "one"), (EX + "b", "two")]
    one = rows(loaded.query(f"SELECT ?s WHERE {{ GRAPH <{G2}> {{ ?s <{EX}p> ?o }} }}"))
    assert one == [(EX + "b",)]
    assert bool(loaded.query(f"ASK {{ <{EX}b> <{EX}q> <{EX}a> }}"))


def test_bound_values_restrict_as_substitutions(loaded):
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    bound = rows(loaded.query(query, substitutions={ox.Variable("o"): ox.Literal("two")}))
    assert bound == [(EX + "b", "two")]


def answer(result):
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):  # blank-node labels are the store's own
        return sorted((tuple("_:" if isinstance(t, ox.BlankNode) else t for t in row) for row in result), key=str)
    return sorted(str(t) for t in result)


@pytest.mark.parametrize("query", [
    f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}",  # (Oxigraph binds only projected variables)
    f"CONSTRUCT {{ ?s <{EX}copy> ?o }} {{ ?s <{EX}p> ?o }}",  # a template before a pattern without WHERE
    f"ASK {{ ?s <{EX}p> ?o }}",
    f"SELECT * {{ {{ SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} }} }}",  # a subquery that projects it
    f"SELECT ?s ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?x OPTIONAL {{ ?s <{EX}p> ?o }} FILTER(BOUND(?o)) }} GROUP BY ?s ?o",
    f'SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o FILTER(?o != "?o {{") }} # ?o {{ in a string and a comment',
])
def test_bound_values_give_what_substitution_gives(tmp_path, oxigraph_empty, query):
    embedded = EmbeddedStore(ox.Store(str(tmp_path / "db")), tmp_path / "db")
    remote = RemoteStore(Settings(**remote_settings(oxigraph_empty)))
    remote.update("DROP ALL")
    for store in (embedded, remote):
        store.load(TRIPLES_1, G1)
        store.load(TRIPLES_2, G2)
    bound = {ox.Variable("o"): ox.Literal("two")}
    assert answer(remote.query(query, substitutions=bound)) == answer(embedded.query(query, substitutions=bound))


def test_construct_gives_triples(loaded):
    triples = list(loaded.query(f"CONSTRUCT {{ ?s <{EX}copy> ?o }} WHERE {{ ?s <{EX}p> ?o }}"))
    assert sorted(t.object.value for t in triples) == ["one", "two"]


def test_update_adds_and_replaces_a_graph(loaded):
    loaded.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}c> <{EX}p> "three" }} }}')
    assert loaded.count(G1) == 3
    loaded.update(f'DROP GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G1}> {{ <{EX}d> <{EX}p> "four" }} }}')
    assert [t.object.value for t in loaded.triples(G1)] == ["four"] and loaded.count() == 5


def test_dump_is_the_same_dataset(loaded):
    quads = list(ox.parse(loaded.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    assert sorted({q.graph_name.value for q in quads}) == [G1, G2] and len(quads) == 6
    assert same_graph(list(ox.parse(loaded.dump(ox.RdfFormat.N_TRIPLES, G2), format=ox.RdfFormat.N_TRIPLES)), TRIPLES_2)


def test_describe_closes_over_blank_nodes_and_counts_incoming(loaded):
    own, incoming, total = loaded.describe(EX + "b", cap=10)
    assert len(own) == 4 and {q.graph_name.value for q in own} == {G2}
    assert [q for q in own if isinstance(q.subject, ox.BlankNode)][0].object.value == "2"
    own, incoming, total = loaded.describe(EX + "a", cap=10)
    assert total == 1 and [q.subject.value for q in incoming] == [EX + "b"]
    assert loaded.describe(EX + "a", cap=0)[1:] == ([], 1)
    assert loaded.labels({n(EX + "a"), n(EX + "b")}) == {EX + "a": "Thing A"}


def test_bad_query_is_bad_input(loaded):
    with pytest.raises(BadInput, match="SPARQL syntax error"):
        loaded.query("SELECT ?s WHERE { ?s ")


def test_unreachable_endpoint_is_a_clear_error():
    from server import free_port

    base = f"http://127.0.0.1:{free_port()}"
    store = RemoteStore(Settings(**remote_settings(base)))
    with pytest.raises(StoreUnavailable, match=f"{base}/query: cannot reach the SPARQL store"):
        store.query("ASK {}")
    with pytest.raises(StoreUnavailable, match=f"{base}/update: cannot reach"):
        store.update("CLEAR ALL")
    assert issubclass(StoreUnavailable, StoreMissing)  # the server answers 503, the command line exits 2


# ---- builds: the whole swap --------------------------------------------------------------

def build(builder, graphs: dict) -> str:
    for graph, triples in graphs.items():
        builder.store.load(triples, graph)
    return str(builder.commit())


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "graph-store"])
def test_remote_build_replaces_graphs_drops_stale_ones_and_records_its_id(oxigraph_empty, gsp):
    settings = Settings(**remote_settings(oxigraph_empty, sparql_gsp=f"{oxigraph_empty}/store" if gsp else ""))
    store = RemoteStore(settings)
    store.update("DROP ALL")
    store.load(TRIPLES_1, EX + "not-ours")  # a graph outside cspkg's namespace is left alone
    plan, other = "https://w3id.org/cspkg/graph/plan/x", "https://w3id.org/cspkg/graph/plan/y"
    first = build(RemoteBuilder(store), {plan: TRIPLES_1, other: TRIPLES_2})
    assert store.graphs() == sorted([BUILD_GRAPH, plan, other, EX + "not-ours"])
    assert store.build_id() in first
    second = build(RemoteBuilder(store), {plan: TRIPLES_2})
    assert store.graphs() == sorted([BUILD_GRAPH, plan, EX + "not-ours"])
    assert same_graph(store.triples(plan), TRIPLES_2)
    assert store.build_id() in second and second != first


def test_embedded_build_records_its_id_too(tmp_path):
    id_ = build(StoreBuilder(tmp_path), {"https://w3id.org/cspkg/graph/plan/x": TRIPLES_1})
    store = EmbeddedStore.open(tmp_path)
    assert store.build_id() in id_
    assert [t.object.value for t in store.triples(BUILD_GRAPH)] == [store.build_id()]


def test_store_without_union_default_graph_is_refused_before_anything_changes(tmp_path):
    with oxigraph_server(tmp_path / "db", union=False) as base:
        store = RemoteStore(Settings(**remote_settings(base)))
        with pytest.raises(StoreUnavailable, match="not the union of its named graphs.*--union-default-graph"):
            build(RemoteBuilder(store), {"https://w3id.org/cspkg/graph/plan/x": TRIPLES_1})
        assert store.graphs() == []


def test_build_needs_an_update_endpoint(oxigraph_empty):
    settings = Settings(**remote_settings(oxigraph_empty, sparql_update=""))
    with pytest.raises(BadInput, match="CSPKG_SPARQL_UPDATE"):
        RemoteBuilder(RemoteStore(settings))


def test_settings_name_what_is_missing_or_wrong(monkeypatch):
    monkeypatch.setenv("CSPKG_BACKEND", "remote")
    with pytest.raises(BadInput, match="CSPKG_SPARQL_QUERY"):
        Settings.from_env()
    monkeypatch.setenv("CSPKG_BACKEND", "fuseki")
    with pytest.raises(BadInput, match="CSPKG_BACKEND='fuseki'"):
        Settings.from_env()


# ---- the command line --------------------------------------------------------------------

def cspkg(*args, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CSPKG_")}
    return subprocess.run([CSPKG, *args], env={**clean, **{f"CSPKG_{k.upper()}": v for k, v in env.items()}},
                          capture_output=True, text=True, timeout=300)


def test_cli_builds_and_queries_the_remote_store(oxigraph_empty, repo):
    env = remote_settings(oxigraph_empty)
    done = cspkg("build", env=env)
    assert done.returncode == 0, done.stderr
    assert f"Store: {oxigraph_empty}/query (build-" in done.stdout
    out = cspkg("query", "plan-summary", "--format", "csv", env=env)
    assert out.returncode == 0 and out.stdout == (repo / "tests/golden/plan-summary.csv").read_text(encoding="utf-8") + "\n"
    bad = cspkg("sparql", "SELECT ?x WHERE {", env=env)
    assert bad.returncode == 2 and "SPARQL syntax error" in bad.stderr and "Traceback" not in bad.stderr
    gone = cspkg("sparql", "ASK {}", env=remote_settings("http://127.0.0.1:9"))
    assert gone.returncode == 2 and "http://127.0.0.1:9/query: cannot reach the SPARQL store" in gone.stderr
    serve = cspkg("serve", env=remote_settings("http://127.0.0.1:9"))
    assert serve.returncode == 2 and "cannot reach the SPARQL store" in serve.stderr
