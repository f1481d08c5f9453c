"""Replace one plan in a built store: reason and validate that plan alone, then swap it in.

The reference data and its inferences are read back from the current store, so only the new
plan's scope is reasoned and validated. A conforming plan is written into a copy of the current
store (an Oxigraph backup: a RocksDB checkpoint of hard links, cheap at any size), and the
`current` link is swapped to the copy exactly as a full build does. Given the data folder, the
plan file is written in the same commit (commits.py: staged before the swap, moved into place
after it, its old version kept under history), so a crash at any point leaves the plan file and
the store agreeing once the next writer (or `cspkg serve`) has recovered. Servers reopen the
store when the link changes. A plan that declares new things (plans/areas.py) brings its area file:
that file's graph (graph/reference/areas/<area>) and the reference inferences are replaced in the
same copy, and the file is staged and renamed with the plan file, in the same commit and recovery.
One writer at a time: the writer lock (commits.writer_lock). The
copy is not compacted (a compaction rewrites the whole store, so its cost grows with the store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from . import parsed, rollups, scopes
from ..plans import areas as planareas, files as planfiles
from ..errors import BadInput
from ..sources import shape_files
from ..store.commits import writer_lock
from ..store.builder import StoreBuilder
from ..store.embedded import EmbeddedStore
from .reasoning import infer
from .staleness import stale_graph
from .validation import Finding, as_triples, load_shapes
from .visibility import Invisible, why_invisible


@dataclass
class Replacement:
    key: str
    findings: list[Finding]
    store_path: Path | None  # the new current store; None when the plan was refused
    asserted: int = 0
    inferred: int = 0
    recovered: list[str] = field(default_factory=list)  # what the writer lock's recovery did first
    kept: Path | None = None  # where the plan file's previous version was kept (None: no file changed)
    existed: bool = False  # the plan file existed before (it was replaced, not added)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]


def background(store: EmbeddedStore) -> set[ox.Triple]:
    """The reference scope as the build left it: the ontology, reference graphs and their inferences."""
    graphs = store.graph_names(lambda g: g == ns.ONTOLOGY_GRAPH or g == ns.REFERENCE_INFERRED_GRAPH or g.startswith(ns.GRAPH + "reference/"))
    return {t for g in graphs for t in store.triples(g)}


def with_area(store: EmbeddedStore, area: "planareas.AreaChange") -> tuple[set[ox.Triple], list]:
    """The reference scope with the area file's new version in place of its graph, its inferences made
    again (the reference data is small: this is the build's reference reasoning, not the plans'), and
    the graphs to replace in the new store."""
    graph = planareas.graph(area.area)
    names = store.graph_names(lambda g: g == ns.ONTOLOGY_GRAPH or (g.startswith(ns.GRAPH + "reference/") and g != graph))
    asserted = {t for g in names for t in store.triples(g)} | area.triples
    inferred = infer(set(), asserted)
    return asserted | inferred, [(graph, area.triples), (ns.REFERENCE_INFERRED_GRAPH, inferred)]


def replace_plan(store_root: Path, key: str, plan_triples: Iterable[ox.Triple] | None,
                 editorial_triples: Iterable[ox.Triple] | None = None, *, data_dir: Path | None = None,
                 body: bytes | None = None, what: str = "replace", wait: bool | float = True, before_swap=None, guard=None,
                 area: "planareas.AreaChange | None" = None,
                 new_returns: dict[str, Iterable[ox.Triple]] | None = None, change=None) -> Replacement:
    """Reason and validate the plan `key` alone; if it conforms, make it the store's version.

    editorial_triples None keeps the plan's editorial graph as it is in the store (it is read
    with the plan, as in a build); an empty collection removes it. With data_dir and body, the
    plan file data_dir/plans/<key>.ttl becomes body in the same commit. `what` names the writer
    in the intent record; `wait` is how long to wait for the writer lock (commits.writer_lock).
    `before_swap` is called with the new store's path before the commit begins (tests use it to
    simulate a failure). `guard`, if given, is called with the current store under the lock before
    anything is done; it refuses the change by raising. `area` (with data_dir and body) is the area
    file with the new things the plan declares: made again from the file as it is under the lock,
    carried into the store's reference data and written with the plan file.
    plan_triples None keeps the plan's graph as the store holds it (read under the lock).
    `new_returns` (return graph IRI -> its triples) adds or replaces those return graphs of the plan,
    reasoned and validated with it. `change` is a file change to commit with the store instead of the
    plan file's (returns/files.ReturnChange: a return's file, staged and moved as the plan file is).
    """
    plan = ox.NamedNode(ns.plan_iri(key))
    if plan_triples is not None:
        plan_triples = set(plan_triples)
        if not any(t.subject == plan for t in plan_triples):
            raise BadInput(f"plan '{key}': the triples say nothing about {ns.plan_iri(key)} (the file name must be the plan's key)")
    new_returns = {g: set(ts) for g, ts in (new_returns or {}).items()}
    for g in new_returns:
        if not g.startswith(ns.return_graph(key, "")):
            raise BadInput(f"plan '{key}': {g} is not one of its return graphs")
    with writer_lock(store_root, data_dir, wait=wait) as recovered:
        current = EmbeddedStore.open(store_root)
        if guard is not None:
            guard(current)
        if plan_triples is None:
            plan_triples = set(current.triples(ns.plan_graph(key)))
            if not any(t.subject == plan for t in plan_triples):
                raise BadInput(f"no plan '{key}' in the store")
        if editorial_triples is None:
            editorial_triples = current.triples(ns.editorial_graph(key))
        editorial_triples = set(editorial_triples)
        reference = background(current)
        reference_graphs = []
        if area is not None:
            area.refresh()
            reference, reference_graphs = with_area(current, area)
        # as in a build: the due dates parsed from the new version, and the plan's returns as stored
        # (a return is reasoned and validated with its plan; replacing the plan never changes one)
        parsed_triples = parsed.graph(key, plan_triples)
        stored = [g for g in current.graph_names(lambda g: g.startswith(ns.return_graph(key, ""))) if g not in new_returns]
        return_graphs = {g: set(current.triples(g)) for g in stored} | new_returns
        returns = {t for ts in return_graphs.values() for t in ts}
        own = plan_triples | editorial_triples | parsed_triples | returns
        inferred, findings, _, _ = scopes.reason_and_validate(reference, [(key, own, True)], load_shapes(shape_files()))
        inferred = inferred[key]
        result = Replacement(key, findings, None, len(own), len(inferred), recovered)
        if result.violations:
            return result
        reasons = why_invisible(reference, key, own | inferred)
        if reasons:  # it conforms, but no page would show it: say what is missing instead of reporting success
            raise Invisible(key, reasons)
        graphs = [(ns.plan_graph(key), plan_triples), (ns.editorial_graph(key), editorial_triples),
                  (ns.parsed_graph(key), parsed_triples), *return_graphs.items(), (ns.inferred_graph(key), inferred),
                  (ns.validation_graph(key), as_triples(findings, conforms=True, scope=key))]
        # the plan's share of the national answers, made again from its new graphs (and no other plan's)
        rolled = rollups.compute_for_graphs(reference, graphs, [key])[key]
        builder = StoreBuilder(store_root, copy_of=current, changed_plan=plan.value)
        del current
        try:
            # In place in the copy, no flush or compaction here: commit flushes once, without compacting.
            builder.store.replace_graphs(reference_graphs + [g for g in graphs if not g[0].startswith(ns.return_graph(key, ""))]
                                         + [(ns.rollup_graph(key), rolled),
                                            (stale_graph(key), ())] + list(new_returns.items()))  # this version is new: no longer kept from an old build
            if before_swap is not None:
                before_swap(builder.target)
        except BaseException:
            builder.abandon()
            raise
        if change is None and data_dir is not None and body is not None:
            change = planfiles.PlanChange(data_dir, key, body, area)
        result.store_path = builder.commit(change, what)
        record = builder.record
        if change is not None:
            result.kept = Path(record["change"]["history"]) if record["change"]["history"] else None
            result.existed = record["change"]["existed"]
        return result
