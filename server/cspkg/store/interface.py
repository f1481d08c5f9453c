"""The store interface every backend gives, and what all backends share: the build record, labels.

The interface is a handful of verbs (query, update, load, dump, graphs, and count, triples and
describe for the build and the web pages). The embedded backend (embedded.py) gives them over an
on-disk Oxigraph store, the remote backend (remote.py) over any SPARQL 1.1 store; both import this
module and neither imports the other.
"""

from __future__ import annotations

from typing import Iterable, Protocol

import pyoxigraph as ox

from ..namespaces import BASE, GRAPH

# Every build records its id in the store, so a reader of any backend can tell builds apart.
BUILD_GRAPH = GRAPH + "build"
ROLLUPS = GRAPH + "rollup/"  # the plans' roll-up graphs (pipeline/rollups.py): rows of answers, left out of descriptions
DATASET = BASE + "id/dataset/cspkg"
VERSION = "http://www.w3.org/2002/07/owl#versionInfo"


def build_record(build: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(DATASET), ox.NamedNode(VERSION), ox.Literal(build))]


LABELS = [ox.NamedNode(p) for p in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                                      "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title")]


class Store(Protocol):
    def query(self, sparql: str, *, union: bool = True, substitutions: dict | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None, base: str | None = None): ...

    def update(self, sparql: str) -> None: ...

    def load(self, triples: Iterable[ox.Triple], graph: str) -> None: ...

    def load_nquads(self, data) -> None: ...

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes: ...

    def graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def triples(self, graph: str) -> list[ox.Triple]: ...

    def describe(self, iri: str, cap: int) -> tuple[list[ox.Quad], list[ox.Quad], int]: ...

    def labels(self, iris: set[ox.NamedNode]) -> dict[str, str]: ...


def pick_label(values: list[ox.Literal]) -> str:
    """One label of several: English (or no language) first, then the first in code-point order."""
    english = [v for v in values if v.language in (None, "en")]
    return sorted(english or values, key=lambda v: v.value)[0].value
