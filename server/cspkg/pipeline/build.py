"""The build pipeline: load every file into its graph, reason, validate, write the store."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from ..errors import BadInput
from .reasoning import infer
from ..sources import Source, discover, parse, shape_files
from ..store.backends import open_builder
from ..store.commits import CURRENT, writer_lock
from ..store.embedded import EmbeddedStore
from ..store import textindex
from . import parsed, rollups, scopes
from .staleness import kept_build, marker, plan_graphs, stale_graph
from .validation import Finding, as_rdflib_nodes, as_triples, load_shapes, order
from .visibility import INVISIBLE_SHAPE, labelled_nodes, why_invisible


@dataclass
class Scope:
    """What is reasoned and validated together: the reference data, or one plan."""

    name: str
    graphs: dict[str, set[ox.Triple]] = field(default_factory=dict)
    inferred_triples: set[ox.Triple] | None = None
    # A plan reasoned by a worker: its inferences as that worker's N-Quads, read only if asked for.
    packed: bytes | None = None
    inferred_count: int = 0
    # A plan whose files a worker parses: graph -> file, and what the worker found in them.
    files: dict[str, Source] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    title: str | None = None
    unreadable: str | None = None  # a plan whose file does not parse: the parser's file:line:column message

    @property
    def inferred(self) -> set[ox.Triple]:
        if self.inferred_triples is None:
            graph = self.inferred_graph
            self.inferred_triples = {q.triple for q in ox.parse(self.packed, format=ox.RdfFormat.N_QUADS)
                                     if q.graph_name.value == graph} if self.packed else set()
        return self.inferred_triples

    @inferred.setter
    def inferred(self, triples: set[ox.Triple]) -> None:
        self.inferred_triples, self.packed, self.inferred_count = triples, None, len(triples)

    @property
    def asserted(self) -> set[ox.Triple]:
        return set().union(*self.graphs.values()) if self.graphs else set()

    @property
    def inferred_graph(self) -> str:
        return ns.REFERENCE_INFERRED_GRAPH if self.name == "reference" else ns.inferred_graph(self.name)


@dataclass
class LeftOut:
    """A plan whose file did not go into the store: why, and what the store holds of it instead."""

    key: str
    unreadable: str | None  # the Turtle syntax error (file:line:column), or None: it has violations
    kept: str | None = None  # the build whose version of the plan the store keeps; None: the plan is absent


@dataclass
class BuildResult:
    scopes: list[Scope]
    findings: list[Finding]
    seconds: dict[str, float]
    titles: dict[str, str]
    store_path: Path | str | None = None
    recovered: list[str] = field(default_factory=list)  # what the writer lock's recovery did before the build
    left_out: dict[str, LeftOut] = field(default_factory=dict)  # plans whose files did not conform or parse

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def refused(self) -> bool:
        """The reference data (on which every plan depends) has violations: nothing is published."""
        return any(f.severity == "violation" and f.scope == "reference" for f in self.findings)

    @property
    def unreadable(self) -> dict[str, str]:
        return {k: o.unreadable for k, o in self.left_out.items() if o.unreadable}

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


def group(sources: list[Source], parse_plans: bool = True) -> tuple[Scope, list[Scope]]:
    """Parse every file and sort its triples into the reference scope or its plan's scope.
    With parse_plans False, plans keep their files (Scope.files), for workers to parse."""
    reference, plans = Scope("reference"), {}
    for source in sources:
        if source.kind in ("ontology", "reference"):  # the ontology's files share one graph
            reference.graphs.setdefault(source.graph, set()).update(parse(source))
        elif parse_plans:
            plans.setdefault(source.key, Scope(source.key)).graphs[source.graph] = set(parse(source))
        else:
            plans.setdefault(source.key, Scope(source.key)).files[source.graph] = source
    for key, scope in plans.items():
        if ns.plan_graph(key) not in scope.graphs and ns.plan_graph(key) not in scope.files:
            orphan = next(iter(scope.files.values()), None) or next((s for s in sources if s.key == key), None)
            if orphan is not None and orphan.kind == "return":
                raise BadInput(f"{orphan.path}: no plan file data/plans/{key}.ttl for this progress return")
            raise BadInput(f"data/editorial/{key}.ttl: no plan file data/plans/{key}.ttl for these editorial assertions")
        if scope.graphs:
            add_parsed(key, scope.graphs)
    return reference, [plans[k] for k in sorted(plans)]


def add_parsed(key: str, graphs: dict[str, set[ox.Triple]]) -> None:
    """Add the plan's parsed graph (due dates read from its timing: pipeline/parsed.py) beside its own."""
    triples = parsed.graph(key, graphs.get(ns.plan_graph(key), set()))
    if triples:
        graphs[ns.parsed_graph(key)] = triples


def title_of(key: str, triples) -> str:
    plan = ox.NamedNode(ns.plan_iri(key))
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    return next((t.object.value for t in triples if t.subject == plan and t.predicate == title), key)


def plan_title(scope: Scope) -> str:
    return scope.title or title_of(scope.name, scope.graphs.get(ns.plan_graph(scope.name), ()))


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
    _worker.update(background=background, shapes=load_shapes(shape_files()), named=labelled_nodes(background))


# A chunk goes to a worker as its plans' files, which the worker parses; it comes back as N-Quads
# (the plans' graphs, inferred graphs and validation reports, ready for the store) and counts:
# pickling pyoxigraph terms one by one costs about ten times as much.
Chunk = list[tuple[str, bool, dict[str, Source]]]


def _pack(graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> bytes:
    return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs for t in triples),
                        format=ox.RdfFormat.N_QUADS)


@dataclass
class Done:
    """What a worker sends back for a chunk: the graphs of its conforming plans, and what it found."""

    asserted: bytes
    inferred: bytes
    reports: bytes
    rollups: bytes
    counts: dict[str, dict[str, int]]  # plan -> graph -> triples
    titles: dict[str, str]
    findings: list[Finding]
    seconds: tuple[float, float, float, float]  # parsing, reasoning, validating, rolling up (and reading words)
    texts: textindex.Texts  # what the text index keeps of the conforming plans' items
    unreadable: dict[str, str] = field(default_factory=dict)  # plan -> its Turtle syntax error


def _do_chunk(chunk: Chunk) -> Done:
    start = time.perf_counter()
    graphs, unreadable = {}, {}
    for name, _, files in chunk:
        try:  # a plan whose file does not parse is left out on its own: the others do not depend on it
            graphs[name] = {graph: set(parse(source)) for graph, source in files.items()}
        except BadInput as err:
            unreadable[name] = str(err)
            continue
        add_parsed(name, graphs[name])
    readable = [(name, want) for name, want, _ in chunk if name in graphs]
    parsing = time.perf_counter() - start
    own = {name: set().union(*graphs[name].values()) for name, _ in readable}
    inferred, findings, reasoning, validating = scopes.reason_and_validate(
        _worker["background"], [(name, own[name], want) for name, want in readable], _worker["shapes"]) \
        if readable else ({}, [], 0.0, 0.0)
    reports = defaultdict(list)
    for finding in findings:
        reports[finding.scope].append(finding)
    for name, _ in readable:  # a conforming plan the pages could not show is left out, as replace and upload refuse it
        if not any(f.severity == "violation" for f in reports[name]):
            reasons = why_invisible(_worker["background"], name, own[name] | inferred[name], _worker["named"])
            if reasons:
                hidden = Finding(scope=name, severity="violation", focus=ns.plan_iri(name), label=title_of(name, graphs[name].get(
                    ns.plan_graph(name), ())), kind="Plan", message="The plan would not be shown on the home page or its own "
                    "page: " + "; ".join(reasons) + ".", path=None, source=None, shape=INVISIBLE_SHAPE)
                reports[name].append(hidden)
                findings.append(hidden)
    counts = {name: {**{g: len(t) for g, t in graphs[name].items()}, ns.inferred_graph(name): len(inferred[name])}
              for name, _ in readable}
    # Only conforming plans are stored (their four graphs together), so each stored report conforms.
    good = [name for name, _ in readable if not any(f.severity == "violation" for f in reports[name])]
    asserted = [(g, t) for name in good for g, t in graphs[name].items()]
    derived = [(ns.inferred_graph(name), inferred[name]) for name in good]
    validated = [(ns.validation_graph(name), as_triples(reports[name], conforms=True, scope=name)) for name in good]
    # The plans' shares of the national answers, and the words the text index keeps of their items,
    # from their graphs as the store will hold them (each reads only its plan and the reference data).
    start = time.perf_counter()
    store = rollups.store_for_graphs(_worker["background"], asserted + derived + validated)
    rolled = rollups.compute(store, good)
    texts = textindex.of_plans(_Union(store), {ns.plan_iri(name) for name in good})
    rolling = time.perf_counter() - start
    return Done(_pack(asserted), _pack(derived), _pack(validated), _pack((ns.rollup_graph(name), rolled[name]) for name in good),
                counts, {name: title_of(name, graphs[name].get(ns.plan_graph(name), ())) for name, _ in readable},
                findings, (parsing, reasoning, validating, rolling), texts, unreadable)


class _Union:
    """An in-memory store read as the built store is read: its default graph the union of its graphs."""

    def __init__(self, store: ox.Store):
        self._store = store

    def query(self, text: str):
        return self._store.query(text, use_default_graph_as_union=True)


def reason_and_validate(background: set[ox.Triple], plans: list[Scope], wanted: set[str] | None,
                        sink: Callable[[list[bytes]], None] | None = None,
                        texts: list[textindex.Texts] | None = None) -> tuple[list[Finding], tuple[float, ...]]:
    """Parse, reason and validate every plan against the background (validate those wanted: all
    when None). The graphs (asserted, inferred, reports, roll-ups) of each chunk's conforming plans go to sink
    as N-Quads as soon as the chunk is done; a plan with violations, or whose file does not parse
    (Scope.unreadable), sends none. What the text index keeps of each chunk's conforming plans is
    added to `texts`, if given.

    Returns the findings and the shares of the work that were parsing, reasoning, validation and
    rolling up (rollups.py).
    """
    workers = min(os.cpu_count() or 1, 8)
    size = max(1, min(CHUNK, -(-len(plans) // workers)))  # every worker busy, chunks no bigger than CHUNK
    groups = [plans[i:i + size] for i in range(0, len(plans), size)]
    chunks = [[(p.name, wanted is None or p.name in wanted, p.files) for p in group] for group in groups]
    findings: list[Finding] = []
    spent = [0.0, 0.0, 0.0, 0.0]
    pool = None
    if len(plans) < PARALLEL_FROM or workers < 2:
        _init_worker(background)
        outcomes = map(_do_chunk, chunks)
    else:
        nt = ox.serialize(background, format=ox.RdfFormat.N_TRIPLES)
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker, initargs=(nt,))
        outcomes = pool.map(_do_chunk, chunks)
    try:
        for group, done in zip(groups, outcomes):
            for plan in group:
                plan.inferred_triples, plan.packed = None, done.inferred
                if plan.name in done.unreadable:
                    plan.unreadable = done.unreadable[plan.name]
                    continue
                plan.counts, plan.title = done.counts[plan.name], done.titles[plan.name]
                plan.inferred_count = plan.counts[ns.inferred_graph(plan.name)]
            findings += done.findings
            spent = [a + b for a, b in zip(spent, done.seconds)]
            if sink is not None:
                sink([done.asserted, done.inferred, done.reports, done.rollups])
            if texts is not None:
                texts.append(done.texts)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    total = max(sum(spent), 1e-9)
    return order(findings), tuple(x / total for x in spent)


def run(data_dir: Path, store_root: Path | None, extra: list[Source] | None = None, settings=None) -> BuildResult:
    """Build (store_root given) or only validate (store_root None). Violations never reach the store:
    a violation in the reference data (or ontology) publishes nothing, since every plan depends on
    them; a plan with violations, or whose file does not parse, is left out on its own and the
    current store's version of it is kept (carry_over), the other plans are published. The result's
    `left_out` names each such plan and the build its kept version comes from (None: absent).
    The store is the embedded one at store_root unless the settings select the remote backend.
    A build holds the writer lock (data folder and store) from before it reads the data folder
    until its new store is current, so no upload, replace or import falls between the two; what
    the lock's recovery did first is in the result's `recovered`."""
    if store_root is None:
        return _run(data_dir, None, extra, settings, Timer())
    with writer_lock(store_root, data_dir) as recovered:
        result = _run(data_dir, store_root, extra, settings, Timer())
    result.recovered = recovered
    return result


def _run(data_dir: Path, store_root: Path | None, extra: list[Source] | None, settings, timer: Timer) -> BuildResult:
    with timer.stage("load"):
        sources = discover(data_dir)
        if extra:  # files named on the command line replace same-named plans
            names = {s.graph for s in extra}
            sources = [s for s in sources if s.graph not in names] + extra
        reference, plans = group(sources, parse_plans=False)  # plans are parsed by the workers
    with timer.stage("reason"):
        reference.inferred = infer(set(), reference.asserted)
        background = reference.asserted | reference.inferred
    with timer.stage("validate"):
        findings = scopes.validate_alone("reference", background, {t.subject for t in reference.asserted}, load_shapes(shape_files()))
    # Each chunk's graphs go to a spool file as the chunk is done; the store takes them in one bulk
    # load (one load is much faster than one per chunk, and the file keeps them out of memory).
    builder = spool = None
    # The reference data and ontology are every plan's background: a violation there publishes nothing.
    refused = any(f.severity == "violation" for f in findings)
    embedded = settings is None or settings.backend != "remote"
    if store_root is not None and not refused:
        builder = open_builder(store_root, settings)
        spool = tempfile.TemporaryFile(dir=store_root if embedded else None)
    try:
        with timer.stage("plans"):
            wanted = {s.key for s in extra if s.kind != "reference"} if extra else None
            texts: list[textindex.Texts] = []
            found, shares = reason_and_validate(background, plans, wanted, spool.writelines if spool else None, texts)
            findings += found
        # Plans are parsed, reasoned, validated and rolled up together (in parallel when there are many):
        # the stage's wall time is split between loading, reasoning, validation and roll-ups in proportion to the
        # time the workers spent on each.
        plans_wall = timer.seconds.pop("plans")
        for stage, share in zip(("load", "reason", "validate", "rollup"), shares):
            timer.seconds[stage] = timer.seconds.get(stage, 0.0) + plans_wall * share
        result = BuildResult([reference, *plans], findings, timer.seconds, {s.name: plan_title(s) for s in plans})
        failed = {f.scope for f in findings if f.severity == "violation"}
        result.left_out = {p.name: LeftOut(p.name, p.unreadable) for p in plans if p.unreadable or p.name in failed}
        if builder is None:
            return result
        with timer.stage("store"):
            builder.load_plans(spool)
            carry_over(builder, store_root, embedded, result.left_out, background)
            shape_triples = set()
            for path in shape_files():
                shape_triples |= set(parse(Source(path, "ontology")))
            builder.store.load_graphs([*reference.graphs.items(), (reference.inferred_graph, reference.inferred),
                                       # Only conforming data reach the store, so each stored report conforms; its
                                       # warnings and notes are what the pages show as a plan's completeness.
                                       (ns.validation_graph("reference"),
                                        as_triples([f for f in findings if f.scope == "reference"], conforms=True, scope="reference")),
                                       (ns.SHAPES_GRAPH, shape_triples)])
            # the embedded store's text index starts from what the workers read of the plans (a remote store keeps none)
            result.store_path = builder.commit(texts=texts) if embedded else builder.commit()
    except BaseException:
        if builder is not None and hasattr(builder, "store"):
            builder.abandon()
        raise
    finally:
        if spool is not None:
            spool.close()
    result.seconds = timer.seconds
    return result


def carry_over(builder, store_root: Path, embedded: bool, left_out: dict[str, LeftOut],
               background: Iterable[ox.Triple] = ()) -> None:
    """Keep in the new store the current store's version of each plan left out (its four graphs
    together, unchanged), marked stale (staleness.py); a plan the current store lacks stays absent.
    Embedded: the graphs are copied from the current store into the new one. Remote: the new build
    is swapped in over the old one, so the plan's graphs are left where they are, untouched.
    The kept plan's roll-ups are computed again from those graphs and this build's reference data
    (`background`), as a worker computes a new plan's: the rows are then of the form this build's
    canned questions read, even when a question's rows changed since the kept version was built."""
    if not left_out:
        return
    if embedded:
        if not (store_root / CURRENT).exists():
            return
        previous = EmbeddedStore.open(store_root)
    else:
        previous = builder.remote
    held = set(previous.graphs())
    background = list(background)
    for key, outcome in sorted(left_out.items()):
        if ns.plan_graph(key) not in held:
            continue
        outcome.kept = kept_build(previous, key)
        # its four graphs, its parsed graph and its returns' graphs, as the current store holds them
        graphs = [g for g in plan_graphs(key) if g in held and g != ns.rollup_graph(key)]
        graphs += sorted(g for g in held if g == ns.parsed_graph(key) or g.startswith(ns.return_graph(key, "")))
        kept = [(g, previous.triples(g)) for g in graphs]
        if embedded:
            builder.store.load_graphs(kept)
        else:
            builder.store.keep.update(graphs)
        rolled = rollups.compute_for_graphs(background, kept, [key])[key]
        builder.store.load_graphs([(ns.rollup_graph(key), rolled),
                                   (stale_graph(key), marker(key, outcome.kept, bool(outcome.unreadable)))])


def graph_counts(result: BuildResult) -> dict[str, tuple[int, int]]:
    """The graphs this build made, with their triples (asserted, inferred); not those of plans left out."""
    counts: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for scope in result.scopes:
        if scope.name in result.left_out:
            continue
        for graph, triples in scope.graphs.items():
            counts[graph] = (len(triples), 0)
        for graph, n in scope.counts.items():
            counts[graph] = (n, 0)
        counts[scope.inferred_graph] = (0, scope.inferred_count)
    return dict(counts)
