"""The build pipeline: load every file into its graph, reason, validate, write the store."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import namespaces as ns
from .errors import BadInput
from .reasoning import infer
from .sources import Source, discover, parse, shape_files
from .store import open_builder
from . import scopes
from .validation import Finding, as_rdflib_nodes, as_triples, load_shapes, order


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
    store_path: Path | str | None = None

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
    """The subjects of triples as rdflib terms (pyshacl's focus nodes)."""
    return as_rdflib_nodes(t.subject for t in triples)


# Plans are reasoned and validated in chunks, each in one in-memory store (scopes.py): one
# query serves every plan of a chunk. With enough plans the chunks go to worker processes, one
# per CPU (a fresh interpreter each: forking a process that holds Oxigraph's threads is not safe);
# each worker parses the background data and the shapes once.
PARALLEL_FROM = 40
CHUNK = 100
_worker: dict = {}


def _init_worker(background: set[ox.Triple] | bytes) -> None:
    if isinstance(background, bytes):
        background = set(ox.parse(background, format=ox.RdfFormat.N_TRIPLES))
    _worker.update(background=background, shapes=load_shapes(shape_files()))


# Chunks cross to the workers and back as N-Quads (a graph per plan): pickling pyoxigraph terms
# one by one costs about ten times as much.
PLAN_GRAPH = "urn:cspkg:plan:"


def _pack(scopes: dict[str, set[ox.Triple]]) -> bytes:
    return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(PLAN_GRAPH + name))
                         for name, triples in scopes.items() for t in triples), format=ox.RdfFormat.N_QUADS)


def _unpack(data: bytes, names) -> dict[str, set[ox.Triple]]:
    out = {name: set() for name in names}
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        out[quad.graph_name.value[len(PLAN_GRAPH):]].add(quad.triple)
    return out


def _do_chunk(chunk: tuple[list[tuple[str, bool]], bytes]) -> tuple[bytes, list[Finding], float, float]:
    names, data = chunk
    own = _unpack(data, [name for name, _ in names])
    inferred, findings, reasoning, validating = scopes.reason_and_validate(
        _worker["background"], [(name, own[name], want) for name, want in names], _worker["shapes"])
    return _pack(inferred), findings, reasoning, validating


def reason_and_validate(background: set[ox.Triple], plans: list[Scope], wanted: set[str] | None) -> tuple[list[Finding], float]:
    """Reason every plan against the background; validate those wanted (all when None).

    Returns the findings and the share of the work that was reasoning (the rest validation).
    """
    workers = min(os.cpu_count() or 1, 8)
    size = max(1, min(CHUNK, -(-len(plans) // workers)))  # every worker busy, chunks no bigger than CHUNK
    groups = [plans[i:i + size] for i in range(0, len(plans), size)]
    chunks = (([(p.name, wanted is None or p.name in wanted) for p in group], _pack({p.name: p.asserted for p in group})) for group in groups)
    findings: list[Finding] = []
    spent = [0.0, 0.0]
    pool = None
    if len(plans) < PARALLEL_FROM or workers < 2:
        _init_worker(background)
        outcomes = map(_do_chunk, chunks)
    else:
        nt = ox.serialize(background, format=ox.RdfFormat.N_TRIPLES)
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker, initargs=(nt,))
        outcomes = pool.map(_do_chunk, chunks)
    try:
        for group, (inferred, found, reasoning, validating) in zip(groups, outcomes):
            inferred = _unpack(inferred, [p.name for p in group])
            for plan in group:
                plan.inferred = inferred[plan.name]
            findings += found
            spent[0] += reasoning
            spent[1] += validating
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return order(findings), spent[0] / max(sum(spent), 1e-9)


def run(data_dir: Path, store_root: Path | None, extra: list[Source] | None = None, settings=None) -> BuildResult:
    """Build (store_root given) or only validate (store_root None). Violations never reach the store.
    The store is the embedded one at store_root unless the settings select the remote backend."""
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
    with timer.stage("validate"):
        findings = scopes.validate_alone("reference", background, {t.subject for t in reference.asserted}, load_shapes(shape_files()))
    with timer.stage("plans"):
        wanted = {s.key for s in extra if s.kind != "reference"} if extra else None
        found, reasoning_share = reason_and_validate(background, plans, wanted)
        findings += found
    # Plans are reasoned and validated together (in parallel when there are many): their wall
    # time is split between the two stages in proportion to the time spent on each.
    both = timer.seconds.pop("plans")
    timer.seconds["reason"] += both * reasoning_share
    timer.seconds["validate"] += both * (1 - reasoning_share)
    result = BuildResult([reference, *plans], findings, timer.seconds, {s.name: plan_title(s) for s in plans})
    if store_root is None or result.violations:
        return result
    with timer.stage("store"):
        builder = open_builder(store_root, settings)
        try:
            reports = defaultdict(list)
            for finding in result.findings:
                reports[finding.scope].append(finding)
            shape_triples = set()
            for path in shape_files():
                shape_triples |= set(parse(Source(path, "ontology")))
            builder.store.load_graphs([*((g, t) for scope in result.scopes for g, t in scope.graphs.items()),
                                       *((scope.inferred_graph, scope.inferred) for scope in result.scopes),
                                       # Only conforming data reach the store, so each stored report conforms; its
                                       # warnings and notes are what the pages show as a plan's completeness.
                                       *((ns.validation_graph(scope.name),
                                          as_triples(reports[scope.name], conforms=True, scope=scope.name))
                                         for scope in result.scopes),
                                       (ns.SHAPES_GRAPH, shape_triples)])
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
