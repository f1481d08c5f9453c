"""The StratML export: each action once, so the money in it adds up to the plan's; the schema's
content model kept; and, once a plan has progress returns, a Performance_Report carrying them.

The returns are the example workbooks (examples/returns/), imported with `cspkg returns import` into
a copy of the data folder and exported with `cspkg export --format stratml`, both through the CLI.
The content model below is StratML Part 2's (PerformancePlanOrReport20160216.xsd, version 2.2.6,
https://github.com/OwenAmbur/StratML) for the elements the export writes; with STRATML_XSD=<that
file> the exports are also validated against the schema itself with lxml."""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import fromstring

import pyoxigraph as ox
import pytest

from cspkg.plans.stratml import NS, export, identifier
from cspkg.sources import DEFAULT_DATA, REPO
from test_cli import cspkg
from test_returns import imported  # noqa: F401  (the fixture: a copy of data/ with the example returns imported)

S = {"s": NS}
PLANS = sorted(p.stem for p in (DEFAULT_DATA / "plans").glob("*.ttl"))
EXAMPLES = REPO / "examples" / "returns"
REPORTED = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
CSP = "https://w3id.org/cspkg/def/"


def plan_triples(key: str) -> set[ox.Triple]:
    return set(ox.parse(path=str(DEFAULT_DATA / "plans" / f"{key}.ttl"), format=ox.RdfFormat.TURTLE))


def distinct_amounts(triples: set[ox.Triple]) -> Decimal:
    """The money the plan graph states for its actions and objectives: each funding statement's amount
    once. (Money for the plan as a whole, an allocation, has no StratML element: it is not exported.)"""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    rows = store.query("PREFIX csp: <https://w3id.org/cspkg/def/> SELECT ?f ?a WHERE { "
                       "?item csp:hasFunding ?f . ?f csp:amount ?a . FILTER NOT EXISTS { ?item a csp:PartnershipPlan } }")
    return sum((Decimal(amount.value) for _, amount in {(r["f"], r["a"]) for r in rows}), Decimal(0))


def exported_money(root) -> Decimal:
    """Every pound figure in the export: the Input (funding) indicators' NumberOfUnits."""
    return sum((Decimal(n.text) for ind in root.iter("{%s}PerformanceIndicator" % NS) if ind.get("ValueChainStage") == "Input"
                for n in ind.iter("{%s}NumberOfUnits" % NS)), Decimal(0))


# --- the schema's content model -----------------------------------------------------------------
# element: its children in the schema's sequence, each (name, minOccurs, maxOccurs); None = unbounded.
ONE, OPT, ANY = (1, 1), (0, 1), (0, None)
RESULT = [("StartDate", *OPT), ("EndDate", *OPT), ("NumberOfUnits", *OPT), ("Descriptor", *OPT), ("Description", *OPT)]
MODEL = {
    "PerformancePlanOrReport": [("Name", *ONE), ("Description", *OPT), ("OtherInformation", *OPT), ("StrategicPlanCore", *ONE),
                                ("AdministrativeInformation", *OPT), ("Submitter", *OPT)],
    "StrategicPlanCore": [("Organization", *ANY), ("Vision", *OPT), ("Mission", *OPT), ("Value", *ANY), ("Goal", 1, None)],
    "Organization": [("Name", *OPT), ("Acronym", *OPT), ("Identifier", *OPT), ("Description", *OPT), ("Stakeholder", *ANY)],
    "Vision": [("Description", *OPT), ("Identifier", *OPT)],
    "Mission": [("Description", *OPT), ("Identifier", *OPT)],
    "Goal": [("Name", *ONE), ("Description", *ONE), ("Identifier", *OPT), ("SequenceIndicator", *OPT), ("Stakeholder", *ANY),
             ("OtherInformation", *OPT), ("Objective", *ANY)],
    "Objective": [("Name", *OPT), ("Description", *OPT), ("Identifier", *OPT), ("SequenceIndicator", *OPT), ("Stakeholder", *ANY),
                  ("OtherInformation", *OPT), ("PerformanceIndicator", *ANY)],
    "Stakeholder": [("Name", *ONE), ("Description", *OPT), ("Role", *ANY)],
    "Role": [("Name", *ONE), ("Description", *OPT), ("RoleType", 0, 2)],
    "PerformanceIndicator": [("SequenceIndicator", *OPT), ("MeasurementDimension", *ONE), ("UnitOfMeasurement", *ONE),
                             ("Identifier", *OPT), ("Relationship", *ANY), ("MeasurementInstance", *ANY), ("OtherInformation", *OPT)],
    "MeasurementInstance": [("TargetResult", *ANY), ("ActualResult", *ANY)],
    "TargetResult": RESULT,
    "ActualResult": RESULT,
    "Descriptor": [("DescriptorName", *OPT), ("DescriptorValue", *OPT)],
    "AdministrativeInformation": [("Identifier", *OPT), ("StartDate", *OPT), ("EndDate", *OPT), ("PublicationDate", *OPT), ("Source", *OPT)],
}
ATTRIBUTES = {
    "PerformancePlanOrReport": {"Type": {"Strategic_Plan", "Performance_Plan", "Performance_Report"}},
    "Stakeholder": {"StakeholderTypeType": {"Person", "Organization", "Generic_Group"}},
    "PerformanceIndicator": {"ValueChainStage": {"Outcome", "Output_Processing", "Output", "Input_Processing", "Input"},
                             "PerformanceIndicatorType": {"Quantitative", "Qualitative"}},
}
TEXT = {  # simple content: a pattern the text must match in full
    "StartDate": r"(\d{4}-\d{2}-\d{2})?", "EndDate": r"(\d{4}-\d{2}-\d{2})?", "PublicationDate": r"(\d{4}-\d{2}-\d{2})?",
    "NumberOfUnits": r"([+-]?(\d+(\.\d*)?|\.\d+))?", "RoleType": "Performer|Beneficiary",
    "Identifier": r"[A-Za-z_][A-Za-z0-9._-]*",  # xsd:ID: an NCName (no ":" or "/"), unique in the document
}


def schema_errors(root) -> list[str]:
    """Where the document leaves the content model above (an empty list if it keeps it)."""
    errors, ids = [], Counter()
    if root.tag != "{%s}PerformancePlanOrReport" % NS:
        return [f"root is {root.tag}"]
    for el in root.iter():
        name = el.tag.removeprefix("{%s}" % NS)
        if el.tag == name:
            errors.append(f"{name}: not in the StratML namespace")
            continue
        for attr, allowed in ATTRIBUTES.get(name, {}).items():
            if el.get(attr) is not None and el.get(attr) not in allowed:
                errors.append(f"{name}/@{attr}={el.get(attr)!r}")
        if name == "PerformancePlanOrReport" and el.get("Type") is None:
            errors.append("Type is required")
        if name in TEXT and not re.fullmatch(TEXT[name], el.text or ""):
            errors.append(f"{name}: {el.text!r}")
        if name == "Identifier":
            ids[el.text] += 1
        children = [c.tag.removeprefix("{%s}" % NS) for c in el]
        if name not in MODEL:
            if children:
                errors.append(f"{name} has children {children}")
            continue
        i = 0
        for child, low, high in MODEL[name]:
            n = 0
            while i < len(children) and children[i] == child:
                i, n = i + 1, n + 1
            if n < low or (high is not None and n > high):
                errors.append(f"{name}: {n} {child}")
        if i < len(children):
            errors.append(f"{name}: {children[i]} out of the schema's order or not allowed ({children})")
    errors += [f"Identifier {i!r} used {n} times" for i, n in ids.items() if n > 1]
    return errors


def xsd_errors(body: bytes) -> list[str]:
    xsd = os.environ.get("STRATML_XSD")
    if not xsd or not Path(xsd).is_file():
        return []
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(xsd))
    schema.validate(etree.fromstring(body))
    return [e.message for e in schema.error_log]


# --- plans without returns: Performance_Plan ---------------------------------------------------------

def test_tendring_export_counts_each_action_once():
    triples = plan_triples("tendring-2021-22")
    root = fromstring(export(triples, "tendring-2021-22", DEFAULT_DATA))
    assert exported_money(root) == distinct_amounts(triples) == Decimal("31906")


@pytest.mark.parametrize("key", PLANS)
def test_each_action_is_one_objective_and_other_goals_name_it(key):
    triples = plan_triples(key)
    body = export(triples, key, DEFAULT_DATA)
    root = fromstring(body)
    # a plan with returns in the data folder (the derived ones of Castle Point and Rochford, Colchester) is a report
    has_returns = any((DEFAULT_DATA / "returns" / key).glob("*.ttl"))
    assert root.get("Type") == ("Performance_Report" if has_returns else "Performance_Plan")
    assert schema_errors(root) == [] and xsd_errors(body) == []
    ids = Counter(o.find("s:Identifier", S).text for o in root.iter("{%s}Objective" % NS))
    actions = {identifier(t.object.value) for t in triples if t.predicate.value == CSP + "hasAction"}
    assert actions <= set(ids) and all(ids[a] == 1 for a in actions)
    assert exported_money(root) == distinct_amounts(triples)
    # an action addressing two local priorities is under one Goal and named by the other
    addressed = Counter(t.subject.value for t in triples if t.predicate.value == CSP + "addressesPriority"
                        and "/priority/" + key + "/" in t.object.value)
    shared = [a for a in {t.object.value for t in triples if t.predicate.value == CSP + "hasAction"} if addressed[a] > 1]
    notes = " ".join(o.text for g in root.iter("{%s}Goal" % NS) for o in g.findall("s:OtherInformation", S))
    assert all(f"<{a}>" in notes for a in shared)
    # delivery indicators only with returns; every target is its own indicator, with the plan's value
    delivery = [i for i in root.iter("{%s}PerformanceIndicator" % NS) if i.get("ValueChainStage") == "Output"]
    assert bool(delivery) == has_returns
    targets = {t.subject.value: t.object.value for t in triples if t.predicate.value == CSP + "targetValue"}
    written = {i.find("s:Identifier", S).text: i for i in root.iter("{%s}PerformanceIndicator" % NS) if i.find("s:Identifier", S) is not None}
    for target, value in targets.items():  # the targets of actions, their parts and objectives
        ind = written[identifier(target)]
        assert ind.get("PerformanceIndicatorType") == "Quantitative"
        assert Decimal(ind.find("s:MeasurementInstance/s:TargetResult/s:NumberOfUnits", S).text) == Decimal(value)


def test_identifiers_are_xml_names_that_stand_for_the_iris():
    assert identifier("https://w3id.org/cspkg/id/action/tendring-2021-22/r07") == "action.tendring-2021-22.r07"
    assert identifier("https://w3id.org/cspkg/id/partnership/thurrock-csp") == "partnership.thurrock-csp"
    assert re.fullmatch(TEXT["Identifier"], identifier("https://example.org/7/x y"))


# --- plans with returns: Performance_Report ----------------------------------------------------------

def exported(data: Path, key: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"{key}.xml"
    done = cspkg("export", key, "--format", "stratml", "--data", str(data), "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def return_rows(data: Path, key: str, where: str) -> list[dict]:
    """Rows from the plan's return files as written by the import, with the delivery scheme's words."""
    store = ox.Store()
    for path in sorted((data / "returns" / key).glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    store.bulk_load(path=str(REPO / "ontology" / "cspkg.ttl"), format=ox.RdfFormat.TURTLE)
    result = store.query("PREFIX csp: <https://w3id.org/cspkg/def/> PREFIX dct: <http://purl.org/dc/terms/> "
                         "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT * WHERE { " + where + " }")
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def objectives(root) -> dict:
    return {o.find("s:Identifier", S).text: o for o in root.iter("{%s}Objective" % NS)}


def result_fields(res) -> dict:
    return {k: (res.find(f"s:{k}", S).text if res.find(f"s:{k}", S) is not None else None)
            for k in ("StartDate", "EndDate", "NumberOfUnits", "Description")} | {
        "status": res.findtext("s:Descriptor/s:DescriptorValue", None, S)}


@pytest.mark.parametrize("key", REPORTED)
def test_returns_make_the_export_a_performance_report(imported, key, tmp_path):
    body = exported(imported, key, tmp_path)
    root = fromstring(body)
    assert root.get("Type") == "Performance_Report"
    assert schema_errors(root) == [] and xsd_errors(body) == []
    triples = plan_triples(key)
    assert exported_money(root) == distinct_amounts(triples)  # the plan's money, still once
    by_id = objectives(root)
    updates = return_rows(imported, key, "?r a csp:ProgressReturn ; csp:startDate ?s ; csp:endDate ?e ; csp:includesUpdate ?u . "
                                         "?u csp:updateOf ?item ; csp:status ?st . ?st skos:prefLabel ?word . "
                                         "OPTIONAL { ?u csp:percentComplete ?pc } OPTIONAL { ?u dct:description ?c }")
    actions = [u for u in updates if "/action/" in u["item"]]
    assert actions and len(actions) < len(updates)  # the examples report on priorities too
    want = Counter((identifier(u["item"]), u["s"], u["e"], u["pc"] and str(Decimal(u["pc"])), u["c"], u["word"]) for u in actions)
    got = Counter()
    for oid, obj in by_id.items():
        for ind in obj.findall("s:PerformanceIndicator", S):
            if ind.get("ValueChainStage") == "Output":
                assert ind.findtext("s:UnitOfMeasurement", None, S) == "per cent complete"
                for res in ind.findall("s:MeasurementInstance/s:ActualResult", S):
                    f = result_fields(res)
                    assert res.findtext("s:Descriptor/s:DescriptorName", None, S) == "Delivery status"
                    got[(oid, f["StartDate"], f["EndDate"], f["NumberOfUnits"] and str(Decimal(f["NumberOfUnits"])),
                         f["Description"], f["status"])] += 1
    assert got == want  # every action's status, per cent and commentary in every return, and nothing else
    # a priority's status has no place: a Goal has no PerformanceIndicator
    assert not root.findall("s:StrategicPlanCore/s:Goal/s:PerformanceIndicator", S)


@pytest.mark.parametrize("key", REPORTED)
def test_reported_values_sit_beside_their_targets(imported, key, tmp_path):
    root = fromstring(exported(imported, key, tmp_path))
    indicators = {i.findtext("s:Identifier", None, S): i for i in root.iter("{%s}PerformanceIndicator" % NS)}
    observed = return_rows(imported, key, "?r csp:startDate ?s ; csp:endDate ?e ; csp:includesUpdate/csp:hasObservation ?o . "
                                          "?o csp:actualValue ?v ; csp:unit ?unit . { ?o csp:againstTarget ?of } UNION { ?o csp:observedMeasure ?of }")
    if key == "castle-point-rochford-2017-18":  # the examples measure r02 (twice) and r04 against their targets
        assert {(o["of"].rsplit("/", 1)[1], o["v"]) for o in observed} == {("r02-1", "1"), ("r04-1", "92")} and len(observed) == 3
    for o in observed:
        ind = indicators[identifier(o["of"])]
        actual = [result_fields(r) for r in ind.findall("s:MeasurementInstance/s:ActualResult", S)]
        assert any(a["StartDate"] == o["s"] and a["EndDate"] == o["e"] and Decimal(a["NumberOfUnits"]) == Decimal(o["v"])
                   and a["Description"].startswith(f"{o['v']} {o['unit']}") for a in actual)
        plan_value = [t.object.value for t in plan_triples(key) if t.subject.value == o["of"] and t.predicate.value == CSP + "targetValue"]
        target = ind.findtext("s:MeasurementInstance/s:TargetResult/s:NumberOfUnits", None, S)
        assert [Decimal(v) for v in plan_value] == ([Decimal(target)] if target else [])
    assert sum(len(i.findall("s:MeasurementInstance/s:ActualResult", S)) for i in indicators.values() if i.get("ValueChainStage") == "Outcome"
               and i.findtext("s:MeasurementDimension", None, S) != "Progress as stated in the plan") == len(observed)


def test_an_actions_due_date_is_its_delivery_target(imported, tmp_path):
    """Thurrock pop-1 is due "by June 23": complete by 30 June 2023; off track in the second quarter."""
    root = fromstring(exported(imported, "thurrock-2023-24", tmp_path))
    obj = objectives(root)["action.thurrock-2023-24.pop-1"]
    (ind,) = [i for i in obj.findall("s:PerformanceIndicator", S) if i.get("ValueChainStage") == "Output"]
    target = result_fields(ind.find("s:MeasurementInstance/s:TargetResult", S))
    assert (target["EndDate"], target["NumberOfUnits"], target["status"]) == ("2023-06-30", "100", "complete")
    assert target["Description"] == "Due: by June 23"
    statuses = [(r["EndDate"], r["status"]) for r in map(result_fields, ind.findall("s:MeasurementInstance/s:ActualResult", S))]
    assert statuses[-1] == ("2023-09-30", "off track") and [s[0] for s in statuses] == sorted(s[0] for s in statuses)


@pytest.mark.parametrize("key", sorted(set(PLANS) - set(REPORTED)))
def test_a_plan_without_returns_exports_as_before(imported, key, tmp_path):
    """Other plans' returns in the data folder change nothing in a plan's export."""
    assert exported(imported, key, tmp_path) == export(plan_triples(key), key, DEFAULT_DATA)
