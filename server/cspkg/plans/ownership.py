"""Which resources a plan upload may describe: its own, blank nodes and new ones; never another plan's or reference data.

Every statement of an upload is judged by its subject (a parsed term, never text):
  - the plan's IRI, its document's IRI, or an IRI in one of the plan's own namespaces
    (planfiles.LOCAL's per-plan `{k}` prefixes for its key): its own, unless reference data;
  - a blank node: its own (it is reachable only through the upload's own statements);
  - any other IRI that no asserted graph in the store describes as a subject, other than this
    plan's own graphs: a new resource (a new organisation, funding stream or strategy the plan
    declares), unless its IRI lies in another plan's namespace.
A workbook upload may also bring new things for its area file (plans/areas.py: organisations,
funding streams, strategies, a Police and Crime Plan it declares): each statement of those must be
about a thing the upload makes new, which no graph of the store describes yet (area_refusals).
One statement about reference data is the plan's own: the members of its partnership as the plan
lists them (`csp:memberAgency`, "as the plan lists it" in the ontology; see data/reference/
partnerships.ttl), with the partnership the upload's plan names as its subject.
Refused: an IRI that the ontology, reference or build graphs describe (reference data cannot be
changed by an upload), or that another plan's graphs describe, or that lies in another plan's
namespace; a new term in the ontology's namespace (csp:); a named graph other than the plan's own;
and schema statements (rdfs:subPropertyOf, owl:inverseOf, ... as rules.py reads them), because the
reasoner would apply a plan's own schema to other plans' resources (a new property declared the
inverse of dct:title would give another plan a title in this plan's inferred graph).

Ownership is read from every graph but the per-plan derived ones (inferred/<plan>, validation/<plan>):
a plan that names another's new organisation as a lead gets an inferred `leads` statement about it
in its own inferred graph, which must not make the organisation that plan's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from .files import LOCAL, PLAN_KEY
from ..pipeline.rules import RDF, SCHEMA_CLASSES, SCHEMA_PREDICATES
from .tokens import PARTNERSHIPS

OWNER = "{k}"
# The plan-level IRIs (no `{k}` in LOCAL): the plan's own IRI and its source document's IRI are prefix + key.
PLAN_LEVEL = tuple(ns.ID + LOCAL[p] for p in ("plan", "doc"))
PER_PLAN = tuple(ns.ID + v.split(OWNER)[0] for v in LOCAL.values() if OWNER in v)  # e.g. .../id/action/
PLAN_GRAPHS = (ns.GRAPH + "plan/", ns.GRAPH + "editorial/")  # a plan's asserted graphs
# prefixes of a plan's derived graphs: inferred, validated, parsed from its words (due dates), rolled up
DERIVED_GRAPHS = (ns.inferred_graph(""), ns.validation_graph(""), ns.parsed_graph(""), ns.rollup_graph(""))
VOCABULARY = str(ns.CSP)  # the ontology's namespace (its shapes' too)
RDF_TYPE = RDF + "type"
PARTNERSHIP = ns.CSP["partnership"]
# Statements a plan makes about its own partnership (the ontology defines them "as the plan lists it").
ABOUT_ITS_PARTNERSHIP = frozenset({ox.NamedNode(str(ns.CSP["memberAgency"]))})
STORED_PARTNERSHIP = f"SELECT ?s ?g ?pt WHERE {{ GRAPH ?g {{ ?s <{PARTNERSHIP}> ?pt }} }}"
SCHEMA = ("a plan cannot state schema (subclasses, subproperties, domains, ranges, inverses, equivalences, chains, "
          "symmetric or transitive properties): the ontology is reference data, and the reasoner would apply it to other plans")
SUBJECT_GRAPHS = "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Refusal:
    subject: str
    predicate: str
    object: str
    reason: str

    def as_json(self) -> dict:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.subject} {self.predicate} {self.object}: {self.reason}"


def own_iris(key: str) -> tuple[set[str], tuple[str, ...]]:
    """The plan's own IRIs (exact) and its own namespaces (prefixes), from its key."""
    exact = {head + key for head in PLAN_LEVEL}
    prefixes = tuple(ns.ID + v.format(k=key) for v in LOCAL.values() if OWNER in v) + (ns.ID + LOCAL["doc"] + key + "/",)
    return exact, prefixes


def namespace_owner(iri: str) -> str | None:
    """The plan key whose namespace an IRI lies in (id/action/<key>/..., id/plan/<key>), if any."""
    for head in PER_PLAN + PLAN_LEVEL:
        if iri.startswith(head):
            key = iri[len(head):].partition("/")[0]
            if PLAN_KEY.match(key):
                return key
    return None


def plan_of_graph(graph: str) -> str | None:
    """The plan whose asserted graph this is (None for any other graph)."""
    for head in PLAN_GRAPHS:
        if graph.startswith(head):
            return graph[len(head):]
    return None


def is_derived_graph(graph: str) -> bool:
    """A plan's inferred, validation or parsed graph (the reference data's own are reference data)."""
    return graph.startswith(DERIVED_GRAPHS) and graph.rsplit("/", 1)[1] != "reference"


def is_schema(t: ox.Triple) -> bool:
    return t.predicate.value in SCHEMA_PREDICATES or (t.predicate.value == RDF_TYPE and t.object.value in SCHEMA_CLASSES)


def subject_graphs(store, iri: str) -> list[str]:
    """The store's graphs that hold a statement with this IRI as its subject."""
    rows = store.query(SUBJECT_GRAPHS, substitutions={ox.Variable("s"): ox.NamedNode(iri)}, union=False)
    return sorted(row["g"].value for row in rows)


class Judge:
    """Decides, subject by subject (each looked up in the store once), what an upload may describe."""

    def __init__(self, store, key: str):
        self.store, self.key = store, key
        self.exact, self.prefixes = own_iris(key)
        self.own_graphs = {ns.plan_graph(key), ns.editorial_graph(key), ns.inferred_graph(key), ns.validation_graph(key),
                           ns.rollup_graph(key)}
        self.exact |= self.own_graphs
        self.verdicts: dict[ox.NamedNode | ox.BlankNode, str | None] = {}

    def reason(self, subject) -> str | None:
        """Why a statement about this subject is refused; None if the upload may make it."""
        if subject not in self.verdicts:
            self.verdicts[subject] = self._reason(subject)
        return self.verdicts[subject]

    def _reason(self, subject) -> str | None:
        if isinstance(subject, ox.BlankNode):
            return None
        if not isinstance(subject, ox.NamedNode):
            return "only a resource (an IRI) or a blank node can be the subject of a plan's statement"
        iri = subject.value
        graphs = [g for g in subject_graphs(self.store, iri) if g not in self.own_graphs and not is_derived_graph(g)]
        # the asserted graph first: it is where the resource is written down
        reference = sorted((g for g in graphs if plan_of_graph(g) is None), key=lambda g: (g == ns.REFERENCE_INFERRED_GRAPH, g))
        if reference:
            return f"the resource is reference data in graph {reference[0]}; uploads cannot change reference data"
        if iri in self.exact or iri.startswith(self.prefixes):
            return None
        if iri.startswith(VOCABULARY):
            return f"the resource is a term of the ontology's namespace {VOCABULARY}; uploads cannot add to the ontology"
        if iri.startswith(ns.GRAPH):
            return "the resource is a named graph of the store, not this plan's; uploads cannot describe it"
        others = sorted({p for p in map(plan_of_graph, graphs) if p and p != self.key})
        if others:
            return f"the resource belongs to plan {others[0]}"
        owner = namespace_owner(iri)
        if owner and owner != self.key:
            return f"the resource belongs to plan {owner} (its IRI is in that plan's namespace)"
        return None  # a new resource the plan declares


def refusals(store, key: str, triples: Iterable[ox.Triple]) -> list[Refusal]:
    """The statements of plan `key`'s upload that it may not make, in a stable order."""
    triples = list(triples)
    judge = Judge(store, key)
    plan = ox.NamedNode(ns.plan_iri(key))
    partnerships = {t.object for t in triples if t.subject == plan and t.predicate.value == str(PARTNERSHIP)}
    out = []
    for t in triples:
        if t.subject in partnerships and t.predicate in ABOUT_ITS_PARTNERSHIP:
            continue
        why = SCHEMA if is_schema(t) else judge.reason(t.subject)
        if why:
            out.append(Refusal(t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject), t.predicate.value, t.object.value if isinstance(t.object, ox.NamedNode) else str(t.object), why))
    return sorted(out, key=lambda r: (r.subject, r.predicate, r.object))


def area_refusals(store, area) -> list[Refusal]:
    """The area file statements of an upload that it may not make: only things new to the store
    (existing reference data, even in the same area file, is never changed by an upload)."""
    if area is None:
        return []
    out, verdicts = [], {}
    for t in sorted(area.declared, key=lambda t: (t.subject.value, t.predicate.value, str(t.object))):
        s = t.subject.value
        if s not in verdicts:
            # the asserted graph first: it is where the resource is written down
            graphs = sorted((g for g in subject_graphs(store, s) if not is_derived_graph(g)),
                            key=lambda g: (g == ns.REFERENCE_INFERRED_GRAPH, g))
            if s.startswith(VOCABULARY) or s.startswith(ns.GRAPH):
                verdicts[s] = "the resource is not a new organisation, stream, strategy or plan of the area"
            elif graphs:
                verdicts[s] = (f"the resource already exists (graph {graphs[0]}) and uploads cannot change it; the workbook's "
                               "name for it should now resolve to it: send the workbook again")
            else:
                verdicts[s] = None
        if verdicts[s]:
            out.append(Refusal(s, t.predicate.value, t.object.value if isinstance(t.object, ox.NamedNode) else str(t.object), verdicts[s]))
    return out


def partnership_keys(nodes) -> list[str]:
    """Partnership keys of the given terms (id/partnership/<key>); other terms by their text."""
    return sorted(n.value[len(PARTNERSHIPS):] if isinstance(n, ox.NamedNode) and n.value.startswith(PARTNERSHIPS) else str(n)
                  for n in nodes)


def upload_partnerships(key: str, triples: Iterable[ox.Triple]) -> list[str]:
    """The partnerships the uploaded plan names as its own (csp:partnership of the plan)."""
    plan = ox.NamedNode(ns.plan_iri(key))
    return partnership_keys({t.object for t in triples if t.subject == plan and t.predicate.value == str(PARTNERSHIP)})


def stored_partnerships(store, key: str) -> list[str]:
    """The partnerships the plan with this key names in the store now ([] if there is no such plan)."""
    rows = store.query(STORED_PARTNERSHIP, union=False, substitutions={ox.Variable("s"): ox.NamedNode(ns.plan_iri(key)),
                                                                       ox.Variable("g"): ox.NamedNode(ns.plan_graph(key))})
    return partnership_keys({row["pt"] for row in rows})
