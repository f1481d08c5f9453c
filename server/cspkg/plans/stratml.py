"""A plan as StratML Part 2 (PerformancePlanOrReport, Type="Performance_Plan").

Mapping (docs/plans-in-and-out.md, under "StratML", lists what StratML cannot hold): the partnership is the
Organization, member agencies its Stakeholders; each local priority is a Goal; the priority's
objectives and actions are its Objectives (StratML has no action element), leads and supporting
agencies are Stakeholders with a Performer Role; outcomes and measures are PerformanceIndicators
(ValueChainStage Outcome), targets their TargetResults, progress updates ActualResults; funding is a
PerformanceIndicator at ValueChainStage Input in GBP; legal duties and PFCC priorities go in
OtherInformation with their IRIs. An action or objective that serves several priorities is one
Objective, under the first of them; the other Goals name it in their OtherInformation, so its
funding is counted once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import sparql_prefixes

NS = "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport"


class Plan:
    """The plan's triples plus the reference data, queried with SPARQL."""

    def __init__(self, triples: set[ox.Triple], key: str, data_dir: Path):
        self.store = ox.Store()
        for path in sorted((data_dir / "reference").glob("*.ttl")) + sorted((data_dir / "reference" / "areas").glob("*.ttl")):
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        self.iri = ox.NamedNode(f"https://w3id.org/cspkg/id/plan/{key}")

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


def _indicators(parent, plan: Plan, iri: str) -> None:
    n = 0
    for prop, stage in (("csp:hasOutcome", "Outcome"), ("csp:hasMeasure", "Outcome")):
        for item in plan.values(iri, prop):
            n += 1
            ind = _el(parent, "PerformanceIndicator", ValueChainStage=stage, PerformanceIndicatorType="Qualitative")
            _el(ind, "SequenceIndicator", str(n))
            _el(ind, "MeasurementDimension", plan.label(item))
            _el(ind, "Identifier", item)
    targets, updates = plan.values(iri, "csp:hasTarget"), plan.values(iri, "csp:hasUpdate")
    if targets or updates:
        n += 1
        ind = _el(parent, "PerformanceIndicator", ValueChainStage="Outcome",
                  PerformanceIndicatorType="Quantitative" if targets else "Qualitative")
        _el(ind, "SequenceIndicator", str(n))
        _el(ind, "MeasurementDimension", "Targets and progress")
        units = {u for t in targets for u in plan.values(t, "csp:unit")}
        if len(units) == 1:
            _el(ind, "UnitOfMeasurement", units.pop())
        inst = _el(ind, "MeasurementInstance")
        for t in targets:
            res = _el(inst, "TargetResult")
            for v in plan.values(t, "csp:targetValue")[:1]:
                _el(res, "NumberOfUnits", v)
            _el(res, "Description", plan.label(t))
        for u in updates:
            res = _el(inst, "ActualResult")
            period = plan.values(u, "csp:reportingPeriod")
            if period:
                d = _el(res, "Descriptor")
                _el(d, "DescriptorName", "Reporting period")
                _el(d, "DescriptorValue", period[0])
            _el(res, "Description", (plan.values(u, "dct:description") or [plan.label(u)])[0])
    for f in plan.values(iri, "csp:hasFunding"):
        n += 1
        ind = _el(parent, "PerformanceIndicator", ValueChainStage="Input", PerformanceIndicatorType="Quantitative")
        _el(ind, "SequenceIndicator", str(n))
        streams = [plan.label(s) for s in plan.values(f, "csp:fundingStream") + plan.values(f, "csp:funder")]
        _el(ind, "MeasurementDimension", "Funding" + (f" ({'; '.join(streams)})" if streams else ""))
        _el(ind, "UnitOfMeasurement", "GBP")
        _el(ind, "Identifier", f)
        inst = _el(ind, "MeasurementInstance")
        res = _el(inst, "TargetResult")
        for amount in plan.values(f, "csp:amount")[:1]:
            _el(res, "NumberOfUnits", amount)
        _el(res, "Description", (plan.values(f, "csp:fundingAsStated") or [plan.label(f)])[0])


def _objective(parent, plan: Plan, iri: str, seq: str | None, also: list[str] = ()) -> None:
    obj = _el(parent, "Objective")
    _el(obj, "Name", plan.label(iri))
    desc = plan.values(iri, "dct:description")
    if desc:
        _el(obj, "Description", desc[0])
    _el(obj, "Identifier", iri)
    if seq:
        _el(obj, "SequenceIndicator", seq)
    _stakeholders(obj, plan, iri)
    _other(obj, _notes(plan, iri) + list(also))
    _indicators(obj, plan, iri)


def export(triples: set[ox.Triple], key: str, data_dir: Path) -> bytes:
    ET.register_namespace("", NS)
    plan = Plan(triples, key, data_dir)
    p = plan.iri.value
    root = ET.Element(f"{{{NS}}}PerformancePlanOrReport", {"Type": "Performance_Plan"})
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
        _el(org, "Identifier", partnership)
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
        for d in plan.values(pri, "dct:description")[:1]:
            _el(goal, "Description", d)
        _el(goal, "Identifier", pri)
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
