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


def serialize(triples_or_quads: list, fmt: str, graph: str | None = None) -> bytes:
    """Bytes of a description (or a graph) in one of FORMATS; in TriG and N-Quads, triples go in
    `graph` when it is given (a named graph published as itself), else in the default graph."""
    if fmt == "jsonld":
        import json

        from rdflib import Graph

        rdf = Graph()
        triples = [q.triple if isinstance(q, ox.Quad) else q for q in triples_or_quads]
        rdf.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        doc = json.loads(rdf.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
        return json.dumps(one_level_lists(doc), indent=2, ensure_ascii=False).encode()
    if fmt in ("trig", "nquads"):
        if graph:  # the parser gives triples as quads in the default graph: every one moves into `graph`
            quads = [ox.Quad(*(q.triple if isinstance(q, ox.Quad) else q), ox.NamedNode(graph)) for q in triples_or_quads]
        else:
            quads = [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in triples_or_quads]
        return ox.serialize(quads, format=OX[fmt], prefixes=PREFIXES if fmt == "trig" else None)
    triples = list(dict.fromkeys(q.triple if isinstance(q, ox.Quad) else q for q in triples_or_quads))
    return ox.serialize(triples, format=OX[fmt], prefixes=PREFIXES if fmt == "turtle" else None)


def one_level_lists(node, in_list: bool = False):
    """JSON-LD that JSON-LD 1.0 readers take: 1.0 has no lists of lists (a SHACL alternative path
    of sequence paths is one), so a list inside a list is written as its rdf:first/rdf:rest nodes."""
    if isinstance(node, list):
        return [one_level_lists(item, in_list) for item in node]
    if not isinstance(node, dict):
        return node
    if "@list" in node:
        items = [one_level_lists(item, True) for item in node["@list"]]
        if not in_list:
            return {**node, "@list": items}
        chain: dict = {"@id": "rdf:nil"}
        for item in reversed(items):
            chain = {"rdf:first": item, "rdf:rest": chain}
        return chain
    return {key: value if key == "@context" else one_level_lists(value) for key, value in node.items()}
