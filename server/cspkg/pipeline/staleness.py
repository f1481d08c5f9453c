"""Plans a build kept at an earlier version: the graph that marks each, and reading it back.

When a plan's file no longer conforms (or no longer parses), a build keeps the version of the plan
the current store holds (its plan, editorial, inferred and validation graphs, unchanged) and marks
it in graph/stale/<key> with two statements about the plan:

    <plan> owl:versionInfo "<the build that made the kept version>" ;
           rdfs:comment "Kept at the version built at ...: at this build the plan's file did not conform ...".

A plan that conforms again (at a build, a replace or an upload) loses the graph. Pages and queries
can tell a kept plan by `GRAPH <.../graph/stale/<key>> { ?plan owl:versionInfo ?build }`.
"""

from __future__ import annotations

import pyoxigraph as ox

from .. import namespaces as ns

STALE = ns.GRAPH + "stale/"
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


def stale_graph(key: str) -> str:
    return STALE + key


def plan_graphs(key: str) -> list[str]:
    """A plan's four graphs and its roll-ups: they are always stored together, from one version."""
    return [ns.plan_graph(key), ns.editorial_graph(key), ns.inferred_graph(key), ns.validation_graph(key), ns.rollup_graph(key)]


def marker(key: str, kept: str, unreadable: bool = False) -> list[ox.Triple]:
    plan = ox.NamedNode(ns.plan_iri(key))
    why = f"Kept at the version built at {kept}: at this build the plan's file " + ("could not be read (a Turtle syntax error)"
                                                                                    if unreadable else "did not conform to the shapes")
    return [ox.Triple(plan, VERSION_INFO, ox.Literal(kept)), ox.Triple(plan, COMMENT, ox.Literal(why, language="en"))]


def kept_build(store, key: str) -> str:
    """The build that made the version of plan `key` the store holds: its marker's, if the store
    already kept it from an earlier build, else the store's own build."""
    plan = ox.NamedNode(ns.plan_iri(key))
    for t in store.triples(stale_graph(key)):
        if t.subject == plan and t.predicate == VERSION_INFO:
            return t.object.value
    return store.build_id()


def stale_plans(store) -> dict[str, str]:
    """Every plan the store holds at a kept version, with the build that made it."""
    return {g[len(STALE):]: kept_build(store, g[len(STALE):]) for g in store.graphs() if g.startswith(STALE)}
