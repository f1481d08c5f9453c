"""A progress return as data, and as the Turtle of its own named graph.

The statuses are the delivery status scheme's (ontology/cspkg.ttl, csp:DeliveryStatusScheme); the
workbook's words are their preferred labels. A return's file holds only the return: it points to
the plan's actions, targets and measures by IRI and never restates or changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pyoxigraph as ox

from ..namespaces import ID, PREFIXES, return_graph, return_iri
from .periods import Period

CSP = "https://w3id.org/cspkg/def/"
STATUSES = {"not started": "notStarted", "on track": "onTrack", "at risk": "atRisk", "off track": "offTrack",
            "complete": "complete", "stopped": "stopped", "not stated": "notStated"}
WORD = {CSP + local: word for word, local in STATUSES.items()}


@dataclass
class Observation:
    value: Decimal
    unit: str
    against: str | None = None  # the IRI of a target or measure of the action
    kind: str | None = None  # "t" (target) or "m" (measure)


@dataclass
class Update:
    key: str  # the workbook key: r07, priority/3
    about: str  # the action's or priority's IRI
    status: str  # a word of STATUSES
    percent: Decimal | None = None
    commentary: str = ""
    spent: Decimal | None = None  # pounds spent on the action up to the as-of date, as the return gives it
    observations: list[Observation] = field(default_factory=list)
    derived_from: str | None = None  # a plan's own progress update this one restates (returns/derived.py)


@dataclass
class Derivation:
    """How a return derived from a plan's own updates was made (no partnership gave it): what it
    comes from (the plan and its source document), who derived it and when, and how its period and
    "as of" date were chosen."""

    sources: list[str]
    creator: str  # a prov:Agent in data/reference/editors.ttl
    created: date
    note: str


@dataclass
class Return:
    plan: str
    period: Period
    as_of: date
    reporter: str  # an agency, unit, post or partnership IRI from the register
    received: datetime | None  # when an imported return arrived; a derived one was not received
    updates: list[Update]
    derivation: Derivation | None = None

    @property
    def iri(self) -> str:
        return return_iri(self.plan, self.period.key)

    @property
    def graph(self) -> str:
        return return_graph(self.plan, self.period.key)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=_n("http://www.w3.org/2001/XMLSchema#" + datatype)) if datatype else ox.Literal(str(value))


def triples(r: Return) -> list[ox.Triple]:
    rdf_type, dct, prov = _n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#"
    me = _n(r.iri)
    out = [
        ox.Triple(me, rdf_type, _n(CSP + "ProgressReturn")),
        ox.Triple(me, _n("http://www.w3.org/2000/01/rdf-schema#label"), _lit(f"Progress return {r.period.label}", lang="en")),
        ox.Triple(me, _n(CSP + "returnOf"), _n(ID + f"plan/{r.plan}")),
        ox.Triple(me, _n(CSP + "reportingPeriod"), _lit(r.period.label)),
        ox.Triple(me, _n(CSP + "periodKey"), _lit(r.period.key)),
        ox.Triple(me, _n(CSP + "startDate"), _lit(r.period.start.isoformat(), "date")),
        ox.Triple(me, _n(CSP + "endDate"), _lit(r.period.end.isoformat(), "date")),
        ox.Triple(me, _n(CSP + "asAt"), _lit(r.as_of.isoformat(), "date")),
        ox.Triple(me, _n(prov + "wasAttributedTo"), _n(r.reporter)),
    ]
    if r.received is not None:
        out.append(ox.Triple(me, _n(prov + "generatedAtTime"), _lit(r.received.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")))
    if r.derivation is not None:
        d = r.derivation
        out.insert(1, ox.Triple(me, rdf_type, _n(CSP + "DerivedReturn")))
        out += [ox.Triple(me, _n(dct + "creator"), _n(d.creator)),
                ox.Triple(me, _n(dct + "created"), _lit(d.created.isoformat(), "date")),
                ox.Triple(me, _n("http://www.w3.org/2004/02/skos/core#editorialNote"), _lit(d.note, lang="en"))]
        out += [ox.Triple(me, _n(prov + "wasDerivedFrom"), _n(s)) for s in d.sources]
    for u in r.updates:
        node = _n(ID + f"update/{r.plan}/{r.period.key}/{u.key.replace('/', '-')}")
        out += [ox.Triple(me, _n(CSP + "includesUpdate"), node),
                ox.Triple(node, rdf_type, _n(CSP + "ReturnUpdate")),
                ox.Triple(node, _n(CSP + "updateOf"), _n(u.about)),
                ox.Triple(node, _n(CSP + "status"), _n(CSP + STATUSES[u.status])),
                ox.Triple(node, _n(CSP + "reportingPeriod"), _lit(r.period.label))]
        if u.percent is not None:
            out.append(ox.Triple(node, _n(CSP + "percentComplete"), _lit(u.percent, "decimal")))
        if u.commentary:
            out.append(ox.Triple(node, _n(dct + "description"), _lit(u.commentary, lang="en")))
        if u.spent is not None:
            out.append(ox.Triple(node, _n(CSP + "spentToDate"), _lit(u.spent, "decimal")))
        if u.derived_from:
            out.append(ox.Triple(node, _n(prov + "wasDerivedFrom"), _n(u.derived_from)))
        for i, o in enumerate(u.observations, start=1):
            obs = _n(ID + f"observation/{r.plan}/{r.period.key}/{u.key.replace('/', '-')}-{i}")
            out += [ox.Triple(node, _n(CSP + "hasObservation"), obs),
                    ox.Triple(obs, rdf_type, _n(CSP + "MeasureObservation")),
                    ox.Triple(obs, _n("http://www.w3.org/ns/sosa/hasFeatureOfInterest"), _n(u.about)),
                    ox.Triple(obs, _n(CSP + "actualValue"), _lit(o.value, "decimal")),
                    ox.Triple(obs, _n(CSP + "unit"), _lit(o.unit))]
            if o.against:
                prop = "againstTarget" if o.kind == "t" else "observedMeasure"
                out.append(ox.Triple(obs, _n(CSP + prop), _n(o.against)))
    return out


def summary(r: Return) -> str:
    """How many updates have each status: '12 on track, 3 at risk' (the CLI's and the upload's words)."""
    counts: dict[str, int] = {}
    for u in r.updates:
        counts[u.status] = counts.get(u.status, 0) + 1
    return ", ".join(f"{n} {word}" for word, n in counts.items()) or "no updates"


def turtle(r: Return) -> bytes:
    prefixes = {p: v for p, v in PREFIXES.items() if p in ("csp", "prov", "dct", "rdfs", "xsd")}
    prefixes |= {"sosa": "http://www.w3.org/ns/sosa/", "plan": ID + "plan/", "act": ID + f"action/{r.plan}/",
                 "pri": ID + f"priority/{r.plan}/", "tgt": ID + f"target/{r.plan}/", "meas": ID + f"measure/{r.plan}/",
                 "upd": ID + f"update/{r.plan}/{r.period.key}/", "obs": ID + f"observation/{r.plan}/{r.period.key}/",
                 "ret": ID + f"return/{r.plan}/", "ag": ID + "agency/"}
    if r.derivation is not None:  # the plan's own updates it restates, its source document, who reports
        prefixes |= {"skos": PREFIXES["skos"], "planupd": ID + f"update/{r.plan}/", "doc": ID + "document/",
                     "pt": ID + "partnership/"}
    listed = triples(r)
    # the return first, then each update followed by its observations, as written
    order = {t: (t.subject.value != r.iri, i) for i, t in enumerate(listed)}
    how = ("Derived by `cspkg returns derive` from the plan's own progress updates" if r.derivation is not None
           else "Written by `cspkg returns import`")
    head = (f"# Progress return for plan {r.plan}, {r.period.label} ({r.period.key}), as of {r.as_of.isoformat()}.\n"
            f"# Its own named graph: {r.graph}. {how}; the plan's graph is not changed.\n").encode()
    return head + ox.serialize(sorted(order, key=order.get), format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def statuses_in(body_triples) -> dict[str, str]:
    """action or priority IRI -> status word, from a return file's triples."""
    about, status = {}, {}
    for t in body_triples:
        if t.predicate.value == CSP + "updateOf":
            about[t.subject.value] = t.object.value
        elif t.predicate.value == CSP + "status":
            status[t.subject.value] = WORD.get(t.object.value, "")
    return {about[u]: s for u, s in status.items() if u in about}
