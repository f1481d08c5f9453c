"""Scoped reasoning: reference data once, then each plan on its own.

Each scope is reasoned in a fresh in-memory store, so one plan's inferences never depend on
another plan's data, and a plan can be re-reasoned alone. What a scope infers is what its
closure adds to its inputs; a plan's scope reads the reference data and its inferences too, so
nothing inferred for the reference data is repeated in a plan's companion graph.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from .rules import materialise


def infer(background: set[ox.Triple], own: set[ox.Triple]) -> set[ox.Triple]:
    """The triples a scope adds to its inputs (background + own) under the rules.

    The comparison is made inside the store, after loading, because Oxigraph keeps typed
    literals in canonical form ("3500.00"^^xsd:decimal is stored as 3500): comparing with the
    parsed input would count a re-spelt literal as new.
    """
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object) for t in background | own)
    before = {q.triple for q in mem}
    materialise(mem)
    return {q.triple for q in mem} - before
