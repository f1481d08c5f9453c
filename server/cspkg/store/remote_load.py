"""Writing a build into a remote SPARQL 1.1 store: SPARQL Update, or the Graph Store Protocol.

Without a Graph Store endpoint, a build goes over as ONE SPARQL Update request that replaces every
graph, drops the cspkg graphs the build no longer has and records the build's id; a store that runs
each request as one transaction (Oxigraph, Fuseki, GraphDB) swaps it in all at once, so readers
never see half a build. With one, each graph is PUT whole (faster for big data), then the stale
graphs are dropped and the id recorded: readers may meanwhile see some graphs new and others old.
"""

from __future__ import annotations

import time
import uuid

import pyoxigraph as ox

from ..errors import BadInput, CspkgError, StoreUnavailable
from ..namespaces import GRAPH
from .interface import BUILD_GRAPH, build_record
from .remote import RemoteStore, union_advice
from .remote_write import NTRIPLES, _gsp, _ntriples, _send, add_graph, post_update  # noqa: F401


def check_union(store: RemoteStore) -> None:
    """Before touching the data: can we write, and is the default graph the union of the named graphs?"""
    probe = f"urn:cspkg:probe:{uuid.uuid4().hex}"
    post_update(store, f'INSERT DATA {{ GRAPH <{probe}> {{ <{probe}> <{probe}> "probe" }} }}'.encode())
    try:
        union = bool(store.query(f"ASK {{ <{probe}> <{probe}> ?o }}"))
    finally:
        post_update(store, f"DROP SILENT GRAPH <{probe}>".encode())
    if not union:
        raise StoreUnavailable(union_advice(store.query_url))


def swap(store: RemoteStore, graphs: dict[str, set[ox.Triple]], build: str, keep: set[str] = frozenset()) -> None:
    """Replace the store's cspkg graphs with these, but leave the graphs in keep as they are (a
    plan kept at its earlier version), and record the build's id last."""
    check_union(store)
    # An empty graph does not exist in a quad store; the build's id is written last, on its own.
    graphs = {g: t for g, t in graphs.items() if t and g != BUILD_GRAPH and g not in keep}
    stale = [g for g in store.graphs() if g.startswith(GRAPH) and g not in graphs and g != BUILD_GRAPH and g not in keep]
    record = f"DROP SILENT GRAPH <{BUILD_GRAPH}> ;\nINSERT DATA {{ GRAPH <{BUILD_GRAPH}> {{ {_ntriples(build_record(build)).decode()} }} }}"
    drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in stale)
    if store.gsp_url:
        for graph, triples in graphs.items():
            _send(store, _gsp(store, graph), "PUT", _ntriples(triples), NTRIPLES)
        post_update(store, (drops + record).encode())
        return
    parts = []
    for graph, triples in graphs.items():
        parts += [f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n".encode(), _ntriples(triples), b"} } ;\n"]
    post_update(store, b"".join(parts) + (drops + record).encode())


class Staged:
    """The graphs of a build, held until the build is committed."""

    def __init__(self):
        self.graphs: dict[str, set[ox.Triple]] = {}
        self.keep: set[str] = set()  # graphs the store holds already and keeps as they are

    def load(self, triples, graph: str) -> None:
        self.graphs.setdefault(graph, set()).update(triples)

    def load_graphs(self, graphs) -> None:
        for graph, triples in graphs:
            self.load(triples, graph)

    def load_nquads(self, data) -> None:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            self.graphs.setdefault(quad.graph_name.value, set()).add(quad.triple)


class RemoteBuilder:
    """The remote counterpart of StoreBuilder: collect the graphs, then swap them in at commit."""

    def __init__(self, remote: RemoteStore):
        if not remote.update_url:
            raise BadInput("CSPKG_SPARQL_UPDATE is not set: `cspkg build` needs the store's SPARQL Update endpoint")
        self.remote, self.store = remote, Staged()

    def load_plans(self, spool) -> None:
        """The plans' graphs as the build's workers wrote them (N-Quads, an open file)."""
        spool.seek(0)
        self.store.load_nquads(spool)

    def commit(self) -> str:
        build = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        swap(self.remote, self.store.graphs, build, self.store.keep)
        if self.remote.build_id() != build:
            raise CspkgError(f"{self.remote.query_url}: the build was sent but the store does not show it")
        return f"{self.remote.query_url} ({build})"

    def abandon(self) -> None:
        self.store.graphs.clear()
