"""Descriptions of resources: what the store says about one IRI, in every format a client may ask for.

A description holds the resource's own statements (closed over blank nodes), the statements that
point at it (capped), and, apart, what the reasoner inferred about it. Triple formats (Turtle,
N-Triples, RDF/XML, JSON-LD) carry all of it; TriG and N-Quads keep each statement's graph, so the
inferred ones stay visibly apart, as they do on the HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import BASE, GRAPH, PREFIXES
from ..answers.messages import Request
from . import context

INFERRED = GRAPH + "inferred/"
VALIDATION = GRAPH + "validation/"  # the build's SHACL reports: about the data, not statements of it
INCOMING_CAP = 100
FORMATS = {  # key -> (media types, suffix); the first media type is the one sent
    "turtle": (["text/turtle", "application/x-turtle"], "ttl"),
    "jsonld": (["application/ld+json"], "jsonld"),
    "ntriples": (["application/n-triples"], "nt"),
    "rdfxml": (["application/rdf+xml"], "rdf"),
    "trig": (["application/trig"], "trig"),
    "nquads": (["application/n-quads"], "nq"),
}
SUFFIXES = {suffix: key for key, (_, suffix) in FORMATS.items()}
OX = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
      "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
CONTEXT = {**PREFIXES, "id": BASE + "id/"}


@dataclass
class Description:
    iri: str
    asserted: list[ox.Quad]
    inferred: list[ox.Quad]
    incoming: list[ox.Quad]
    incoming_total: int
    labels: dict[str, str]

    @property
    def empty(self) -> bool:
        return not (self.asserted or self.inferred or self.incoming)

    def quads(self) -> list[ox.Quad]:
        return list(dict.fromkeys(self.asserted + self.inferred + self.incoming))

    def triples(self) -> list[ox.Triple]:
        return list(dict.fromkeys(q.triple for q in self.quads()))


def fetch(iri: str) -> Description:
    raw = context.runner().run(Request(iri, "nquads", kind="describe", max_rows=INCOMING_CAP))
    own = list(ox.parse(raw["own"], format=ox.RdfFormat.N_QUADS))
    incoming = [q for q in ox.parse(raw["incoming"], format=ox.RdfFormat.N_QUADS)
                if not q.graph_name.value.startswith((INFERRED, VALIDATION))]
    return Description(
        iri=iri,
        asserted=[q for q in own if not _inferred(q)],
        inferred=[q for q in own if _inferred(q)],
        incoming=incoming,
        incoming_total=raw["incoming_total"],
        labels=raw["labels"],
    )


def _inferred(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(INFERRED)


def serialize(triples_or_quads: list, fmt: str) -> bytes:
    """Bytes of a description (or a graph) in one of FORMATS."""
    if fmt == "jsonld":
        from rdflib import Graph

        graph = Graph()
        triples = [q.triple if isinstance(q, ox.Quad) else q for q in triples_or_quads]
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True).encode()
    if fmt in ("trig", "nquads"):
        quads = [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in triples_or_quads]
        return ox.serialize(quads, format=OX[fmt], prefixes=PREFIXES if fmt == "trig" else None)
    triples = list(dict.fromkeys(q.triple if isinstance(q, ox.Quad) else q for q in triples_or_quads))
    return ox.serialize(triples, format=OX[fmt], prefixes=PREFIXES if fmt == "turtle" else None)
