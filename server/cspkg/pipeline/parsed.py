"""The plan's parsed graph: values the build reads from a plan's words, kept apart from them.

A due date computed from an action's timing as stated (plans/duedates.py) is not the plan's
statement, so it never goes into the plan's graph: it goes into graph/parsed/<plan>, a graph typed
csp:ParsedAssertion, attributed to the parser (a prov:SoftwareAgent in data/reference/editors.ttl)
and dated with the day of the build, as the editorial graphs are attributed to the editors.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Iterable

import pyoxigraph as ox

from .. import namespaces as ns
from ..plans import duedates

CSP = str(ns.CSP)
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TIMING = ox.NamedNode(CSP + "timingAsStated")
START = ox.NamedNode(CSP + "startDate")
DUE_DATE = ox.NamedNode(CSP + "dueDate")
PARSER = ox.NamedNode(ns.ID + "agency/cspkg-due-date-parser")
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"


def plan_start(key: str, triples: Iterable[ox.Triple]) -> date | None:
    plan = ox.NamedNode(ns.plan_iri(key))
    for t in triples:
        if t.subject == plan and t.predicate == START:
            try:
                return date.fromisoformat(t.object.value)
            except ValueError:
                return None  # the shapes report a start date that is not a date
    return None


def due_dates(key: str, triples: set[ox.Triple]) -> list[ox.Triple]:
    """csp:dueDate for every item whose timing as stated the parser reads."""
    start = plan_start(key, triples)
    found = []
    for t in triples:
        if t.predicate == TIMING:
            due = duedates.parse(t.object.value, start)
            if due is not None:
                found.append(ox.Triple(t.subject, DUE_DATE, ox.Literal(due.isoformat(), datatype=ox.NamedNode(XSD + "date"))))
    return found


def graph(key: str, plan_triples: set[ox.Triple], today: date | None = None) -> set[ox.Triple]:
    """The parsed graph's triples: the due dates and the graph's own description. Empty if there
    is nothing parsed, so a plan without timing gets no graph."""
    found = due_dates(key, plan_triples)
    if not found:
        return set()
    g = ox.NamedNode(ns.parsed_graph(key))
    today = today or datetime.now(timezone.utc).date()
    about = [
        ox.Triple(g, RDF_TYPE, ox.NamedNode(CSP + "ParsedAssertion")),
        ox.Triple(g, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                  ox.Literal(f"Due dates parsed from the timing of plan {key}", language="en")),
        ox.Triple(g, ox.NamedNode(PROV + "wasAttributedTo"), PARSER),
        ox.Triple(g, ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(ns.plan_iri(key))),
        ox.Triple(g, ox.NamedNode(DCT + "created"), ox.Literal(today.isoformat(), datatype=ox.NamedNode(XSD + "date"))),
    ]
    return set(found) | set(about)
