"""Per-plan roll-ups: each plan's share of the national answers, computed when the plan changes.

A national question (which duties lack a funded action, which actions have no lead, every plan
with its counts) is answered row by row, and each of its rows is about one plan and reads only that
plan and the reference data. So the rows can be computed when a plan changes rather than when
someone asks: the build computes them for each chunk of plans it reasons (and a replace, upload or
return import for its one plan), with the question's companion query (queries/from-plans/<name>.rq,
the question asked of the plans themselves), and stores each plan's rows in the plan's roll-up graph
(graph/rollup/<key>). A row is a blank node of class rup:Row: rup:question names the canned
question, rup:plan the plan, and each bound column is a property rup:<column> holding the very RDF
term the companion gave. The canned query of the same name (queries/<name>.rq) reads those rows, so
it answers in the time it takes to read one row per plan (or per plan item), whatever the size of
the plans; tests/test_rollups.py checks that the two answer alike, on the seed data, on a synthetic
corpus and after a replace.

The rows live in their own graph with their own properties, so a query over the plans in the union
default graph never counts them twice: nothing in a roll-up graph uses the plans' vocabulary.
"""

from __future__ import annotations

from functools import cache
from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from ..answers.catalogue import parse_header
from ..answers.sparqltext import substitute, term_text
from ..sources import REPO, Source, parse, shape_files

ROLLUP = ns.ROLLUP
FROM_PLANS = REPO / "queries" / "from-plans"
ROW, QUESTION, PLAN = ox.NamedNode(ROLLUP + "Row"), ox.NamedNode(ROLLUP + "question"), ox.NamedNode(ROLLUP + "plan")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PLAN_PARAM = "_plan_iri"  # a companion that asks about one plan is run once per plan, with it bound
# Only the rows' own parameters are named in a companion; an optional one (?__plan_iri) is left
# unbound, which asks about every plan.


PARTIAL = ".rollup"  # queries/from-plans/<name>.rollup.rq: a question's per-plan partial rows


@cache
def companions() -> dict[str, str]:
    """name -> the companion query's text, for each question answered from the roll-ups."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(FROM_PLANS.glob("*.rq")) if not p.stem.endswith(PARTIAL)}


@cache
def sources() -> dict[str, str]:
    """name -> the query whose rows the build stores for the question: the companion itself when
    each of its rows is about one plan; for a question that adds up over plans (a partnership's
    plans, every plan), its partial query queries/from-plans/<name>.rollup.rq, whose rows are each
    plan's share (counts, sums) that the canned query adds up."""
    out = {}
    for name, text in companions().items():
        partial = FROM_PLANS / f"{name}{PARTIAL}.rq"
        out[name] = partial.read_text(encoding="utf-8") if partial.exists() else text
    return out


@cache
def stored_columns(name: str) -> frozenset[str] | None:
    """The columns a question's rows keep (its companion's `rollup` header), or None: all of them.
    A question whose other columns are cheap to look up row by row (a label, a shape's description)
    keeps only the costly ones, and its canned query looks the rest up."""
    kept = parse_header(FROM_PLANS / f"{name}.rq", companions()[name]).get("rollup")
    return frozenset(kept) | {"plan"} if kept else None


def column(name: str) -> ox.NamedNode:
    return ox.NamedNode(ROLLUP + name)


def compute(store: ox.Store, keys: Iterable[str]) -> dict[str, list[ox.Triple]]:
    """Each plan's roll-up triples (its graph/rollup/<key>), from a store that holds those plans'
    graphs as the built store does (plan, editorial, parsed, returns, inferred, validation, each by
    its name) and the reference data; the default graph is read as the union of them all."""
    keys = list(keys)
    plans = {ns.plan_iri(k): k for k in keys}
    out: dict[str, list[ox.Triple]] = {k: [] for k in keys}
    for name, text in sources().items():
        question = ox.Literal(name)
        if "?" + PLAN_PARAM in text:
            # bound as the catalogue binds a parameter: its term where the variable stands
            answers = (store.query(substitute(text, {PLAN_PARAM: term_text(ox.NamedNode(iri))}), use_default_graph_as_union=True)
                       for iri in plans)
        else:
            answers = (store.query(text, use_default_graph_as_union=True),)
        kept = stored_columns(name)
        for solutions in answers:
            names = [v.value for v in solutions.variables if kept is None or v.value in kept]
            for solution in solutions:
                plan = solution["plan"]
                key = plans.get(plan.value) if plan is not None else None
                if key is None:  # a row about a plan outside this chunk, or about none
                    continue
                row = ox.BlankNode()
                rows = out[key]
                rows += [ox.Triple(row, RDF_TYPE, ROW), ox.Triple(row, QUESTION, question)]
                for var in names:
                    value = solution[var]
                    if value is not None:
                        rows.append(ox.Triple(row, column(var), value))
    return out


@cache
def shapes() -> tuple[ox.Triple, ...]:
    """The shapes, as the store holds them (a finding's rule is read from its shape)."""
    return tuple(t for path in shape_files() for t in parse(Source(path, "ontology")))


def store_for_graphs(background: Iterable[ox.Triple], graphs: Iterable[tuple[str, Iterable[ox.Triple]]]) -> ox.Store:
    """A fresh in-memory store of the reference data, the shapes and the plans' named graphs, as
    the built store holds them: what compute() reads (and a build's worker reads the text index's words from)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ns.reference_graph("background")))
                      for t in background)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ns.SHAPES_GRAPH)) for t in shapes())
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, triples in graphs for t in triples)
    return store


def compute_for_graphs(background: Iterable[ox.Triple], graphs: Iterable[tuple[str, Iterable[ox.Triple]]],
                       keys: Iterable[str]) -> dict[str, list[ox.Triple]]:
    """compute() over a fresh in-memory store of the reference data, the shapes and the plans' named graphs."""
    return compute(store_for_graphs(background, graphs), keys)
