"""The build pipeline: load every file into its graph, reason, validate, write the store."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import namespaces as ns
from .errors import BadInput
from .reasoning import infer
from .sources import Source, discover, parse, shape_files
from .store import StoreBuilder
from .validation import Finding, as_triples, check, load_shapes, to_rdflib


@dataclass
class Scope:
    """What is reasoned and validated together: the reference data, or one plan."""

    name: str
    graphs: dict[str, set[ox.Triple]] = field(default_factory=dict)
    inferred: set[ox.Triple] = field(default_factory=set)

    @property
    def asserted(self) -> set[ox.Triple]:
        return set().union(*self.graphs.values()) if self.graphs else set()

    @property
    def inferred_graph(self) -> str:
        return ns.REFERENCE_INFERRED_GRAPH if self.name == "reference" else ns.inferred_graph(self.name)


@dataclass
class BuildResult:
    scopes: list[Scope]
    findings: list[Finding]
    seconds: dict[str, float]
    titles: dict[str, str]
    store_path: Path | None = None

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


class Timer:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    def stage(self, name: str):
        timer = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.seconds[name] = time.perf_counter() - self.start

        return _Stage()


def group(sources: list[Source]) -> tuple[Scope, list[Scope]]:
    """Parse every file and sort its triples into the reference scope or its plan's scope."""
    reference, plans = Scope("reference"), {}
    for source in sources:
        triples = set(parse(source))
        if source.kind in ("ontology", "reference"):
            reference.graphs[source.graph] = triples
        else:
            plans.setdefault(source.key, Scope(source.key)).graphs[source.graph] = triples
    for key, scope in plans.items():
        if ns.plan_graph(key) not in scope.graphs:
            raise BadInput(f"data/editorial/{key}.ttl: no plan file data/plans/{key}.ttl for these editorial assertions")
    return reference, [plans[k] for k in sorted(plans)]


def plan_title(scope: Scope) -> str:
    plan = ox.NamedNode(ns.plan_iri(scope.name))
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    for t in scope.graphs.get(ns.plan_graph(scope.name), ()):
        if t.subject == plan and t.predicate == title:
            return t.object.value
    return scope.name


def subjects(triples) -> set:
    from rdflib import BNode, URIRef

    return {URIRef(t.subject.value) if isinstance(t.subject, ox.NamedNode) else BNode(t.subject.value) for t in triples}


def run(data_dir: Path, store_root: Path | None, extra: list[Source] | None = None) -> BuildResult:
    """Build (store_root given) or only validate (store_root None). Violations never reach the store."""
    timer = Timer()
    with timer.stage("load"):
        sources = discover(data_dir)
        if extra:  # files named on the command line replace same-named plans
            names = {(s.kind, s.key) for s in extra}
            sources = [s for s in sources if (s.kind, s.key) not in names] + extra
        reference, plans = group(sources)
    with timer.stage("reason"):
        reference.inferred = infer(set(), reference.asserted)
        background = reference.asserted | reference.inferred
        for scope in plans:
            scope.inferred = infer(background, scope.asserted)
    with timer.stage("validate"):
        shapes = load_shapes(shape_files())
        base = to_rdflib(background)
        findings = check("reference", base, shapes, subjects(reference.asserted))
        wanted = {s.key for s in extra if s.kind != "reference"} if extra else None
        for scope in plans:
            if wanted is not None and scope.name not in wanted:
                continue
            data = Graph()
            data += base
            data += to_rdflib(scope.asserted | scope.inferred)
            findings += check(scope.name, data, shapes, subjects(scope.asserted))
    result = BuildResult([reference, *plans], findings, timer.seconds, {s.name: plan_title(s) for s in plans})
    if store_root is None or result.violations:
        return result
    with timer.stage("store"):
        builder = StoreBuilder(store_root)
        try:
            for scope in result.scopes:
                for graph, triples in scope.graphs.items():
                    builder.store.load(triples, graph)
                builder.store.load(scope.inferred, scope.inferred_graph)
                # Only conforming data reach the store, so each stored report conforms; its
                # warnings and notes are what the pages show as a plan's completeness.
                mine = [f for f in result.findings if f.scope == scope.name]
                builder.store.load(as_triples(mine, conforms=True), ns.validation_graph(scope.name))
            shape_triples = set()
            for path in shape_files():
                shape_triples |= set(parse(Source(path, "ontology")))
            builder.store.load(shape_triples, ns.SHAPES_GRAPH)
        except BaseException:
            builder.abandon()
            raise
        result.store_path = builder.commit()
    result.seconds = timer.seconds
    return result


def graph_counts(result: BuildResult) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for scope in result.scopes:
        for graph, triples in scope.graphs.items():
            counts[graph] = (len(triples), 0)
        counts[scope.inferred_graph] = (0, len(scope.inferred))
    return dict(counts)
