"""Whether a plan would be visible once stored: what the home page and the plan page need of it.

The home page lists the rows of queries/plans.rq and a plan page starts from queries/plan-summary.rq
(web/leads/; no row is a 404). Both require of a plan, in the store's union graph: a type
csp:PartnershipPlan (plans.rq), a dct:title, and a csp:partnership whose skos:prefLabel the store
holds (in the reference data, or in the plan's own graph); the period is a violation to the shapes
and optional to the queries. A partnership known by type alone passes the shapes (csp:partnership's
range gives it its type), so a plan can conform and still be invisible: this module says why,
before a replace or an upload reports success. Each check is one function, so a new way of
declaring a partnership (a workbook's) can extend the lookup in `labelled`.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from ..errors import BadInput

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PLAN_CLASS = ox.NamedNode(str(ns.CSP.PartnershipPlan))
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PARTNERSHIP = ox.NamedNode(str(ns.CSP.partnership))
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
INVISIBLE_SHAPE = ns.ID + "check/plan-visible"  # names the check in a build's report (it is code, not a shape)


class Invisible(BadInput):
    """A conforming plan the pages would not show; nothing was changed."""

    def __init__(self, key: str, reasons: list[str]):
        self.key, self.reasons = key, reasons
        super().__init__(f"plan '{key}' would not be visible on the home page or at /plans/{key}, so it was not stored "
                         f"(nothing was changed): {'; '.join(reasons)}")


def labelled(node, reference: set[ox.Triple], triples: set[ox.Triple]) -> bool:
    """The store would hold a skos:prefLabel for node (what plans.rq joins the partnership on)."""
    return any(t.subject == node and t.predicate == PREF_LABEL for source in (reference, triples) for t in source)


def labelled_nodes(reference: Iterable[ox.Triple]) -> set:
    """The nodes the reference data gives a skos:prefLabel: computed once for a build's many plans."""
    return {t.subject for t in reference if t.predicate == PREF_LABEL}


def why_invisible(reference: Iterable[ox.Triple], key: str, triples: Iterable[ox.Triple], named: set | None = None) -> list[str]:
    """Why plan `key` would be missing from / and /plans/<key> once stored, as sentences that say
    what to add (empty: it would be visible). reference: the store's reference scope (ontology,
    reference graphs and their inferences); triples: the plan's own graphs and their inferences;
    named: labelled_nodes(reference), when the caller has it."""
    triples = set(triples)
    named = labelled_nodes(reference) if named is None else named
    plan = ox.NamedNode(ns.plan_iri(key))

    def values(predicate):
        return sorted({t.object for t in triples if t.subject == plan and t.predicate == predicate}, key=str)

    reasons = []
    if PLAN_CLASS not in values(RDF_TYPE):
        reasons.append(f"plan {key} is not typed csp:PartnershipPlan: add `a csp:PartnershipPlan` to {plan}")
    if not values(TITLE):
        reasons.append(f"plan {key} has no title (dct:title)")
    partnerships = values(PARTNERSHIP)
    if not partnerships:
        reasons.append(f"plan {key} names no partnership (csp:partnership)")
    elif not any(p in named or labelled(p, set(), triples) for p in partnerships):
        for p in partnerships:
            name = p.value.removeprefix(ns.ID + "partnership/") if isinstance(p, ox.NamedNode) else str(p)
            reasons.append(f"plan {key} names partnership {name}, which the store's reference data does not hold: "
                           f"run `cspkg build` after adding it (with its skos:prefLabel) to data/reference/partnerships.ttl, "
                           f"or declare it in the workbook")
    return reasons
