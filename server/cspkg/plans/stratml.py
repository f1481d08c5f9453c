"""A plan as StratML Part 2: a PerformancePlanOrReport of Type "Performance_Plan", or of Type
"Performance_Report" once the plan has progress returns (data/returns/<plan>/<period>.ttl).

The schema is StratML Part 2, "Performance Plans and Reports": PerformancePlanOrReport20160216.xsd,
schema version 2.2.6 of 16 February 2016, namespace urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport,
as published at https://github.com/OwenAmbur/StratML (PerformancePlanOrReport20160216.xsd). Every
element written here, its nesting and its order are the schema's; tests/test_stratml.py checks the
export against the schema's content model and, given the file (STRATML_XSD=path), validates it with lxml.

Mapping (docs/plans-in-and-out.md, under "StratML", lists what StratML cannot hold): the partnership is the
Organization, member agencies its Stakeholders; each local priority is a Goal; the priority's
objectives and actions are its Objectives (StratML has no action element), leads and supporting
agencies are Stakeholders with a Performer Role; outcomes and measures are PerformanceIndicators
(ValueChainStage Outcome); each target is a PerformanceIndicator of its own (an indicator has one
UnitOfMeasurement) holding a TargetResult; the progress updates the plan itself states are
ActualResults of a "Progress as stated in the plan" indicator; an action's parts lend it their
outcomes, measures and targets (StratML cannot nest objectives); funding is a
PerformanceIndicator at ValueChainStage Input in GBP; legal duties and PFCC priorities go in
OtherInformation with their IRIs. An action or objective that serves several priorities is one
Objective, under the first of them; the other Goals name it in their OtherInformation, so its
funding is counted once. The schema's Identifier is an xsd:ID (an XML name, unique in the
document), which an IRI is not: an item's Identifier is its IRI's path under
https://w3id.org/cspkg/id/ with "/" written "." (action.tendring-2021-22.r07 stands for
https://w3id.org/cspkg/id/action/tendring-2021-22/r07). A UnitOfMeasurement the schema requires
but the plan does not give is written empty.

Progress returns, in a Performance_Report: each action a return reports on gets a "Delivery"
PerformanceIndicator (ValueChainStage Output, UnitOfMeasurement "per cent complete") whose
MeasurementInstance holds a TargetResult (EndDate the action's due date, parsed from its timing as
stated where the parser reads one; NumberOfUnits 100; Descriptor "Delivery status" = "complete";
the timing as stated in its Description) and, for each return, in period order, an ActualResult:
StartDate and EndDate the reporting period's, NumberOfUnits the per cent complete (where given),
Descriptor "Delivery status" = the status's word from the delivery status scheme, Description the
commentary. A value a return reports against one of the action's targets or measures is an
ActualResult (the period's dates, NumberOfUnits the value, Description the value with the unit
as reported) in that target's or measure's own PerformanceIndicator, beside the target's TargetResult.

What StratML cannot hold of a return (left out of the XML; each return's graph keeps it):
- the status as a concept of the delivery status scheme (only its word, as a DescriptorValue),
  and its red/amber/green reading (an ActualResult has one Descriptor; the reading follows from
  the word in the scheme);
- the return's as-of date, the day its statuses are true of (only the period has dates), and so
  which actions were overdue as of it;
- who reported (the reporting organisation or role: StratML's Submitter is a person's name and
  contact details, for the document as a whole), and when the return was received;
- the earlier returns a later one replaced for the same period (the report carries the latest);
- status and commentary given for a priority (a Goal has no PerformanceIndicator);
- the unit a value was reported in where it is not its indicator's UnitOfMeasurement (only as text,
  in the ActualResult's Description); that a value was observed against a target rather than a
  measure (only by which indicator holds it).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from itertools import count
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import ID, sparql_prefixes
from ..returns.model import WORD
from ..returns.periods import KEY
from . import duedates

NS = "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport"


class Plan:
    """The plan's triples plus the reference data, queried with SPARQL."""

    def __init__(self, triples: set[ox.Triple], key: str, data_dir: Path):
        self.store = ox.Store()
        for path in sorted((data_dir / "reference").glob("*.ttl")) + sorted((data_dir / "reference" / "areas").glob("*.ttl")):
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        self.iri = ox.NamedNode(f"https://w3id.org/cspkg/id/plan/{key}")
        # the plan's progress returns, the latest for each period (history/ keeps the replaced ones)
        self.returns = [path for path in sorted((data_dir / "returns" / key).glob("*.ttl")) if KEY.match(path.stem)]
        for path in self.returns:
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)

    def rows(self, where: str, **bind) -> list[dict]:
        query = sparql_prefixes() + "SELECT * WHERE { " + where + " }"
        subs = {ox.Variable(k): v for k, v in bind.items()}
        result = self.store.query(query, substitutions=subs or None)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    def values(self, subject: str, prop: str) -> list[str]:
        return sorted(r["o"] for r in self.rows(f"?s {prop} ?o", s=ox.NamedNode(subject)))

    def label(self, iri: str) -> str:
        for prop in ("skos:prefLabel", "rdfs:label", "dct:title", "dct:description"):
            found = self.values(iri, prop)
            if found:
                return found[0]
        return iri


def identifier(iri: str) -> str:
    """The xsd:ID StratML's Identifier must be: the IRI's path under the id base, "/" written "."."""
    rest = iri[len(ID):] if iri.startswith(ID) else re.sub(r"^[a-z]+://", "", iri)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", rest.replace("/", "."))
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def _el(parent, name: str, text: str | None = None, **attrs):
    node = ET.SubElement(parent, f"{{{NS}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _notes(plan: Plan, iri: str) -> list[str]:
    """What StratML has no element for: the item's legal duties (and their legislation) and PFCC priorities."""
    notes = []
    for duty in plan.values(iri, "csp:contributesToDuty") + plan.values(iri, "csp:relatesToDuty") + plan.values(iri, "csp:fulfilsDuty"):
        notes.append(f"Legal duty: {plan.label(duty)} <{duty}>")
        notes += [f"Legislation: {plan.label(leg)} <{leg}>" for leg in plan.values(duty, "csp:tracesToProvision")]
    for pr in plan.values(iri, "csp:addressesPriority"):
        if "/priority/" in pr and plan.values(pr, "skos:inScheme") != plan.values(plan.iri.value, "csp:priorityScheme"):
            notes.append(f"Police and Crime Plan priority: {plan.label(pr)} <{pr}>")
    return notes


def _other(parent, notes: list[str]) -> None:
    if notes:
        _el(parent, "OtherInformation", "\n".join(dict.fromkeys(notes)))


def _stakeholders(parent, plan: Plan, iri: str) -> None:
    for prop, role in (("csp:leadAgency", "Lead"), ("csp:supportingAgency", "Supporting")):
        for agency in plan.values(iri, prop):
            holder = _el(parent, "Stakeholder", StakeholderTypeType="Organization")
            _el(holder, "Name", plan.label(agency))
            _el(holder, "Description", agency)
            r = _el(holder, "Role")
            _el(r, "Name", role)
            _el(r, "RoleType", "Performer")


def _indicator(parent, seq, dimension: str, unit: str, stage: str, kind: str, iri: str | None = None):
    """A PerformanceIndicator's head, in the schema's order; UnitOfMeasurement is required."""
    ind = _el(parent, "PerformanceIndicator", ValueChainStage=stage, PerformanceIndicatorType=kind)
    _el(ind, "SequenceIndicator", str(next(seq)))
    _el(ind, "MeasurementDimension", dimension)
    _el(ind, "UnitOfMeasurement", unit)
    if iri:
        _el(ind, "Identifier", identifier(iri))
    return ind


def _result(inst, name: str, start=None, end=None, units=None, descriptor=None, description=None) -> None:
    """A TargetResult or ActualResult: StartDate, EndDate, NumberOfUnits, Descriptor, Description."""
    res = _el(inst, name)
    for tag, value in (("StartDate", start), ("EndDate", end), ("NumberOfUnits", units)):
        if value is not None:
            _el(res, tag, value)
    if descriptor:
        d = _el(res, "Descriptor")
        _el(d, "DescriptorName", descriptor[0])
        _el(d, "DescriptorValue", descriptor[1])
    if description:
        _el(res, "Description", description)


def _observed(plan: Plan, of: str) -> list[dict]:
    """The values the returns report against a target or measure, in period order."""
    rows = plan.rows("?r a csp:ProgressReturn ; csp:returnOf ?plan ; csp:periodKey ?k ; csp:reportingPeriod ?period ; "
                     "csp:startDate ?s ; csp:endDate ?e ; csp:includesUpdate ?u . ?u csp:hasObservation ?o . ?o csp:actualValue ?v ; csp:unit ?unit . "
                     "{ ?o csp:againstTarget ?of } UNION { ?o csp:observedMeasure ?of }", plan=plan.iri, of=ox.NamedNode(of))
    return sorted(rows, key=lambda r: (r["k"], r["o"]))


def _actuals(inst, observed: list[dict]) -> None:
    for r in observed:
        _result(inst, "ActualResult", r["s"], r["e"], r["v"], description=f"{r['v']} {r['unit']}, as reported for {r['period']}")


def _delivery(parent, plan: Plan, iri: str, seq) -> None:
    """The action's status in each return, and the due date it is to be complete by."""
    updates = sorted(plan.rows("?r a csp:ProgressReturn ; csp:returnOf ?plan ; csp:periodKey ?k ; csp:startDate ?s ; "
                               "csp:endDate ?e ; csp:includesUpdate ?u . ?u csp:updateOf ?item ; csp:status ?st . "
                               "OPTIONAL { ?u csp:percentComplete ?pc } OPTIONAL { ?u dct:description ?c }",
                               plan=plan.iri, item=ox.NamedNode(iri)), key=lambda r: r["k"])
    if not updates:
        return
    timing = plan.values(iri, "csp:timingAsStated")[:1]
    start = plan.values(plan.iri.value, "csp:startDate")[:1]
    due = duedates.parse(timing[0], date.fromisoformat(start[0]) if start else None) if timing else None
    kind = "Quantitative" if any(u["pc"] is not None for u in updates) else "Qualitative"
    inst = _el(_indicator(parent, seq, "Delivery of the action: per cent complete and status", "per cent complete", "Output", kind),
               "MeasurementInstance")
    if due:
        _result(inst, "TargetResult", end=due.isoformat(), units="100", descriptor=("Delivery status", "complete"),
                description=f"Due: {timing[0]}")
    for u in updates:
        _result(inst, "ActualResult", u["s"], u["e"], u["pc"], ("Delivery status", WORD.get(u["st"], u["st"])), u["c"])


def _indicators(parent, plan: Plan, iri: str, report: bool) -> None:
    seq = count(1)
    # the action's parts lend it their results: StratML objectives do not nest
    parts = sorted({r["part"] for r in plan.rows("{ ?part csp:partOf ?item } UNION { ?item csp:hasPart ?part }", item=ox.NamedNode(iri))})
    owners = [iri] + parts

    def of(prop: str) -> list[str]:
        return sorted({v for owner in owners for v in plan.values(owner, prop)})

    for item in of("csp:hasOutcome"):
        _indicator(parent, seq, plan.label(item), "", "Outcome", "Qualitative", item)
    for item in of("csp:hasMeasure"):
        observed = _observed(plan, item) if report else []
        units = sorted({r["unit"] for r in observed})
        ind = _indicator(parent, seq, plan.label(item), units[0] if len(units) == 1 else "", "Outcome",
                         "Quantitative" if observed else "Qualitative", item)
        if observed:
            _actuals(_el(ind, "MeasurementInstance"), observed)
    for t in of("csp:hasTarget"):
        value = plan.values(t, "csp:targetValue")[:1]
        ind = _indicator(parent, seq, plan.label(t), (plan.values(t, "csp:unit") or [""])[0], "Outcome",
                         "Quantitative" if value else "Qualitative", t)
        inst = _el(ind, "MeasurementInstance")
        _result(inst, "TargetResult", units=value[0] if value else None, description=plan.label(t))
        if report:
            _actuals(inst, _observed(plan, t))
    updates = of("csp:hasUpdate")
    if updates:
        inst = _el(_indicator(parent, seq, "Progress as stated in the plan", "", "Outcome", "Qualitative"), "MeasurementInstance")
        for u in updates:
            period = plan.values(u, "csp:reportingPeriod")[:1]
            _result(inst, "ActualResult", descriptor=("Reporting period", period[0]) if period else None,
                    description=(plan.values(u, "dct:description") or [plan.label(u)])[0])
    if report:
        _delivery(parent, plan, iri, seq)
    for f in plan.values(iri, "csp:hasFunding"):
        streams = [plan.label(s) for s in plan.values(f, "csp:fundingStream") + plan.values(f, "csp:funder")]
        ind = _indicator(parent, seq, "Funding" + (f" ({'; '.join(streams)})" if streams else ""), "GBP", "Input", "Quantitative", f)
        _result(_el(ind, "MeasurementInstance"), "TargetResult", units=(plan.values(f, "csp:amount") or [None])[0],
                description=(plan.values(f, "csp:fundingAsStated") or [plan.label(f)])[0])


def _objective(parent, plan: Plan, iri: str, seq: str | None, also: list[str] = ()) -> None:
    obj = _el(parent, "Objective")
    _el(obj, "Name", plan.label(iri))
    desc = plan.values(iri, "dct:description")
    if desc:
        _el(obj, "Description", desc[0])
    _el(obj, "Identifier", identifier(iri))
    if seq:
        _el(obj, "SequenceIndicator", seq)
    _stakeholders(obj, plan, iri)
    _other(obj, _notes(plan, iri) + list(also))
    _indicators(obj, plan, iri, bool(plan.returns))


def export(triples: set[ox.Triple], key: str, data_dir: Path) -> bytes:
    ET.register_namespace("", NS)
    plan = Plan(triples, key, data_dir)
    p = plan.iri.value
    root = ET.Element(f"{{{NS}}}PerformancePlanOrReport", {"Type": "Performance_Report" if plan.returns else "Performance_Plan"})
    _el(root, "Name", plan.label(p))
    for purpose in plan.values(p, "csp:purpose")[:1]:
        _el(root, "Description", purpose)
    _other(root, _notes(plan, p))
    core = _el(root, "StrategicPlanCore")
    for partnership in plan.values(p, "csp:partnership"):
        org = _el(core, "Organization")
        _el(org, "Name", plan.label(partnership))
        for acronym in plan.values(partnership, "skos:altLabel")[:1]:
            _el(org, "Acronym", acronym)
        _el(org, "Identifier", identifier(partnership))
        for member in plan.values(partnership, "csp:memberAgency") + plan.values(partnership, "org:hasMember"):
            holder = _el(org, "Stakeholder", StakeholderTypeType="Organization")
            _el(holder, "Name", plan.label(member))
    for vision in plan.values(p, "csp:vision")[:1]:
        _el(_el(core, "Vision"), "Description", vision)
    for purpose in plan.values(p, "csp:purpose")[:1]:
        _el(_el(core, "Mission"), "Description", purpose)
    priorities = plan.rows("?plan csp:hasPriority ?pri . OPTIONAL { ?pri skos:notation ?n } "
                           "OPTIONAL { ?pri csp:sequenceIndicator ?seq }", plan=plan.iri)
    goals = []  # (priority, its sequence indicator, the items under it), in the order the Goals are written
    for i, row in enumerate(sorted(priorities, key=lambda r: (r["n"] or r["seq"] or "", r["pri"])), start=1):
        items = plan.rows("{ ?item csp:addressesPriority ?pri } UNION { ?item csp:servesObjective/csp:addressesPriority ?pri } "
                          "?plan csp:hasObjective|csp:hasAction ?item . OPTIONAL { ?item csp:actionNumber|csp:sequenceIndicator ?seq }",
                          pri=ox.NamedNode(row["pri"]), plan=plan.iri)
        goals.append((row["pri"], row["n"] or row["seq"] or str(i), sorted({(r["item"], r["seq"]) for r in items}, key=lambda x: x[0])))
    # An item serving several priorities is written once, under the first Goal it serves (objectives do
    # not nest and StratML has no cross-reference between Objectives): its funding is counted once in
    # the export. The other Goals name it in their OtherInformation, and it names them in its own.
    home = {}
    for pri, seq, items in goals:
        for item, _ in items:
            home.setdefault(item, (pri, seq))
    serves = {}
    for pri, seq, items in goals:
        for item, _ in items:
            serves.setdefault(item, []).append((pri, seq))
    placed = set()
    for pri, seq, items in goals:
        goal = _el(core, "Goal")
        _el(goal, "Name", plan.label(pri))
        _el(goal, "Description", (plan.values(pri, "dct:description") or [""])[0])  # the schema requires one
        _el(goal, "Identifier", identifier(pri))
        _el(goal, "SequenceIndicator", seq)
        elsewhere = [f"Also served by: {plan.label(item)} <{item}> (an Objective under Goal {home[item][1]})"
                     for item, _ in items if home[item][0] != pri]
        _other(goal, _notes(plan, pri) + elsewhere)
        for item, item_seq in items:
            if home[item][0] != pri:
                continue
            also = [f"Also serves: {plan.label(other)} <{other}> (Goal {other_seq})" for other, other_seq in serves[item] if other != pri]
            _objective(goal, plan, item, item_seq, also)
            placed.add(item)
    rest = [r for r in plan.rows("?plan csp:hasAction ?item . OPTIONAL { ?item csp:actionNumber ?seq }", plan=plan.iri)
            if r["item"] not in placed]
    if rest:  # a Goal must hold every action: those that serve no local priority get one of their own
        goal = _el(core, "Goal")
        _el(goal, "Name", "Actions not linked to a local priority")
        _el(goal, "Description", "")
        _el(goal, "SequenceIndicator", str(len(priorities) + 1))
        for r in sorted(rest, key=lambda r: r["item"]):
            _objective(goal, plan, r["item"], r["seq"])
    admin = _el(root, "AdministrativeInformation")
    for prop, name in (("csp:startDate", "StartDate"), ("csp:endDate", "EndDate"), ("csp:approvedOn", "PublicationDate")):
        for v in plan.values(p, prop)[:1]:
            _el(admin, name, v)
    for doc in plan.values(p, "prov:wasDerivedFrom")[:1]:
        _el(admin, "Source", doc)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
