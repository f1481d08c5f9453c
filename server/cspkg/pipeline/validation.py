"""SHACL validation with pyshacl, scoped like reasoning, reported as findings an officer can read."""

from __future__ import annotations

import hashlib

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, DCTERMS

from ..namespaces import CSP

SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class Finding:
    scope: str  # "reference" or a plan key
    severity: str  # violation | warning | info
    focus: str
    label: str
    kind: str  # e.g. "Action"
    message: str
    path: str | None
    source: str | None  # e.g. "line 72 of 000_e223d5458902bac3.txt"
    shape: str


def load_shapes(paths: Iterable[Path]) -> Graph:
    shapes = Graph()
    for path in paths:
        shapes.parse(path, format="turtle")
    return shapes


def to_rdflib(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


class PlanChecker:
    """Validates one plan at a time against background data parsed into rdflib once.

    Each plan's triples are added to the background graph, validated and taken out again;
    triples a plan repeats from the background are left alone, so the background never changes.
    The shapes' class targets are rewritten per plan to sh:targetNode for the plan's own
    instances of each class (SHACL's own rule: rdf:type/rdfs:subClassOf*), so the background's
    nodes are not validated again for every plan; a node's results do not depend on which other
    nodes are targets, so the findings are the same (tests/test_update.py compares them).
    """

    def __init__(self, background: Iterable[ox.Triple], shapes: Graph):
        self.base = to_rdflib(background)
        self.class_targets = sorted(shapes.subject_objects(SH.targetClass))
        self.shapes = Graph()
        self.shapes += shapes
        for t in shapes.triples((None, SH.targetClass, None)):
            self.shapes.remove(t)

    def _instances(self, nodes: set, cls) -> list:
        classes = set(self.base.transitive_subjects(RDFS.subClassOf, cls))
        return [n for n in nodes if any(t in classes for t in self.base.objects(n, RDF.type))]

    def check(self, scope: str, triples: Iterable[ox.Triple], focus_nodes: set) -> list[Finding]:
        added = [t for t in to_rdflib(triples) if t not in self.base]
        for t in added:
            self.base.add(t)
        targets = [(shape, SH.targetNode, node) for shape, cls in self.class_targets for node in self._instances(focus_nodes, cls)]
        for t in targets:
            self.shapes.add(t)
        try:
            return check(scope, self.base, self.shapes, focus_nodes)
        finally:
            for t in targets:
                self.shapes.remove(t)
            for t in added:
                self.base.remove(t)


def as_rdflib_nodes(nodes: Iterable) -> set:
    """pyoxigraph subjects as rdflib terms, as pyshacl reports focus nodes."""
    from rdflib import BNode

    return {URIRef(n.value) if isinstance(n, ox.NamedNode) else BNode(n.value) for n in nodes}


def label_of(graph: Graph, node) -> str:
    for prop in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
        value = graph.value(node, prop)
        if value is not None:
            return str(value)
    return str(node)


def kind_of(graph: Graph, node) -> str:
    """The most specific csp: class of a node, for 'Action "..."' style messages."""
    types = [t for t in graph.objects(node, RDF.type) if str(t).startswith(str(CSP))]
    specific = [t for t in types if not any((o, RDFS.subClassOf, t) in graph for o in types if o != t)]
    return label_of(graph, sorted(specific or types)[0]) if types else "Item"


def source_of(graph: Graph, node) -> str | None:
    doc = graph.value(node, PROV.wasDerivedFrom)
    line = graph.value(node, CSP.sourceLine)
    seed = graph.value(doc, CSP.seedFile) if doc is not None else None
    if seed is None:
        return None
    return f"line {line} of {seed}" if line is not None else str(seed)


def check(scope: str, data: Graph, shapes: Graph, focus_nodes: set) -> list[Finding]:
    """Validate the scope's data graph; keep the results about the scope's own nodes.

    The whole graph is validated and the results filtered: pyshacl's focus_nodes option would
    be faster but reports false sh:qualifiedMaxCount violations on the seed data.
    """
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
                            inplace=True)  # no inference, no sh:rule: nothing to write, so no copy
    findings = []
    # the report's own results (sh:result), not the nested ones a result carries as sh:detail
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if focus not in focus_nodes:
            continue
        path = report.value(result, SH.resultPath)
        findings.append(
            Finding(
                scope=scope,
                severity=SEVERITIES.get(report.value(result, SH.resultSeverity), "violation"),
                focus=str(focus),
                label=label_of(data, focus),
                kind=kind_of(data, focus),
                message=str(report.value(result, SH.resultMessage) or "does not conform"),
                path=str(path) if isinstance(path, URIRef) else None,
                source=source_of(data, focus),
                shape=str(report.value(result, SH.sourceShape)),
            )
        )
    return order(findings)


def order(findings: list[Finding]) -> list[Finding]:
    """Findings in report order: by severity, then where they are in the source; ties broken by content."""
    return sorted(findings, key=lambda f: (f.severity, f.source or "", f.label, f.message, f.focus, f.shape, f.path or ""))


SEVERITY_IRIS = {v: str(k) for k, v in SEVERITIES.items()}


def _blank(*parts: str) -> ox.BlankNode:
    """A blank node named by its content, so a report written twice is the same triples (a bulk load
    relabels blank nodes: the build's reports are then the same graph up to isomorphism)."""
    return ox.BlankNode("v" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:24])


def as_triples(findings: Iterable[Finding], conforms: bool, scope: str = "") -> set[ox.Triple]:
    """Findings as a standard SHACL validation report (blank nodes), so the store keeps each scope's
    report and pages read it with SPARQL instead of re-running the shapes per request."""
    sh = "http://www.w3.org/ns/shacl#"
    node, lit = ox.NamedNode, ox.Literal
    report = _blank("report", scope)
    triples = {ox.Triple(report, node(str(RDF.type)), node(sh + "ValidationReport")),
               ox.Triple(report, node(sh + "conforms"), lit(conforms))}
    for f in findings:
        if f.focus.startswith("http"):
            result = _blank("result", scope, f.focus, f.shape, f.path or "", f.message, f.severity)
            triples |= {ox.Triple(report, node(sh + "result"), result),
                        ox.Triple(result, node(str(RDF.type)), node(sh + "ValidationResult")),
                        ox.Triple(result, node(sh + "focusNode"), node(f.focus)),
                        ox.Triple(result, node(sh + "resultSeverity"), node(SEVERITY_IRIS[f.severity])),
                        ox.Triple(result, node(sh + "resultMessage"), lit(f.message, language="en")),
                        ox.Triple(result, node(sh + "sourceShape"), node(f.shape))}
            if f.path:
                triples.add(ox.Triple(result, node(sh + "resultPath"), node(f.path)))
    return triples
