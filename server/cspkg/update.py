"""Replace one plan in a built store: reason and validate that plan alone, then swap it in.

The reference data and its inferences are read back from the current store, so only the new
plan's scope is reasoned and validated. A conforming plan is written into a copy of the current
store (an Oxigraph backup: a RocksDB checkpoint of hard links, cheap at any size), and the
`current` link is swapped to the copy exactly as a full build does. A crash before the swap
leaves the current store untouched and serving; servers reopen the store when the link
changes. One writer at a time: a lock file in the store folder serialises writers.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from . import namespaces as ns
from .build import subjects
from .errors import BadInput
from .reasoning import infer
from .sources import shape_files
from .store import EmbeddedStore, StoreBuilder
from .validation import Finding, PlanChecker, as_triples, load_shapes

LOCK = ".writer.lock"


@dataclass
class Replacement:
    key: str
    findings: list[Finding]
    store_path: Path | None  # the new current store; None when the plan was refused
    asserted: int = 0
    inferred: int = 0

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]


@contextmanager
def writer_lock(store_root: Path):
    """Held while a store is written; a second writer waits for the first."""
    store_root.mkdir(parents=True, exist_ok=True)
    with open(store_root / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def background(store: EmbeddedStore) -> set[ox.Triple]:
    """The reference scope as the build left it: the ontology, reference graphs and their inferences."""
    graphs = [g for g in store.graphs()
              if g == ns.ONTOLOGY_GRAPH or g == ns.REFERENCE_INFERRED_GRAPH or g.startswith(ns.GRAPH + "reference/")]
    return {t for g in graphs for t in store.triples(g)}


def replace_plan(store_root: Path, key: str, plan_triples: Iterable[ox.Triple],
                 editorial_triples: Iterable[ox.Triple] | None = None, *, before_swap=None) -> Replacement:
    """Reason and validate the plan `key` alone; if it conforms, make it the store's version.

    editorial_triples None keeps the plan's editorial graph as it is in the store (it is read
    with the plan, as in a build); an empty collection removes it. `before_swap` is called
    with the new store's path just before the link is swapped (tests use it to simulate a crash).
    """
    plan_triples = set(plan_triples)
    plan = ox.NamedNode(ns.plan_iri(key))
    if not any(t.subject == plan for t in plan_triples):
        raise BadInput(f"plan '{key}': the triples say nothing about {ns.plan_iri(key)} (the file name must be the plan's key)")
    with writer_lock(store_root):
        current = EmbeddedStore.open(store_root)
        if editorial_triples is None:
            editorial_triples = current.triples(ns.editorial_graph(key))
        editorial_triples = set(editorial_triples)
        reference = background(current)
        own = plan_triples | editorial_triples
        inferred = infer(reference, own)
        checker = PlanChecker(reference, load_shapes(shape_files()))
        findings = checker.check(key, own | inferred, subjects(own))
        result = Replacement(key, findings, None, len(own), len(inferred))
        if result.violations:
            return result
        builder = StoreBuilder(store_root, copy_of=current)
        del current
        try:
            for graph in (ns.plan_graph(key), ns.editorial_graph(key), ns.inferred_graph(key), ns.validation_graph(key)):
                builder.store.clear_graph(graph)
            builder.store.load_graphs([(ns.plan_graph(key), plan_triples),
                                       (ns.editorial_graph(key), editorial_triples),
                                       (ns.inferred_graph(key), inferred),
                                       (ns.validation_graph(key), as_triples(findings, conforms=True, scope=key))])
            builder.store.flush()
            if before_swap is not None:
                before_swap(builder.target)
        except BaseException:
            builder.abandon()
            raise
        result.store_path = builder.commit()
        return result
