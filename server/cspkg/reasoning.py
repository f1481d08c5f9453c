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


def closure(triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """Every triple the rules entail from the input, input included."""
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    materialise(mem)
    return {q.triple for q in mem}


def infer(background: set[ox.Triple], own: set[ox.Triple]) -> set[ox.Triple]:
    """The triples a scope adds: the closure of background + own, less both."""
    inputs = background | own
    return closure(inputs) - inputs
