"""The StratML export holds each action once, so the money in it adds up to the plan's."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from xml.etree.ElementTree import fromstring

import pyoxigraph as ox
import pytest

from cspkg.plans.stratml import NS, export
from cspkg.sources import DEFAULT_DATA

S = {"s": NS}
PLANS = sorted(p.stem for p in (DEFAULT_DATA / "plans").glob("*.ttl"))


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


def test_tendring_export_counts_each_action_once():
    triples = plan_triples("tendring-2021-22")
    root = fromstring(export(triples, "tendring-2021-22", DEFAULT_DATA))
    assert exported_money(root) == distinct_amounts(triples) == Decimal("31906")


@pytest.mark.parametrize("key", PLANS)
def test_each_action_is_one_objective_and_other_goals_name_it(key):
    triples = plan_triples(key)
    root = fromstring(export(triples, key, DEFAULT_DATA))
    ids = Counter(o.find("s:Identifier", S).text for o in root.iter("{%s}Objective" % NS))
    actions = {t.object.value for t in triples if t.predicate.value == "https://w3id.org/cspkg/def/hasAction"}
    assert actions <= set(ids) and all(ids[a] == 1 for a in actions)
    assert exported_money(root) == distinct_amounts(triples)
    # an action addressing two local priorities is under one Goal and named by the other
    addressed = Counter(t.subject.value for t in triples if t.predicate.value == "https://w3id.org/cspkg/def/addressesPriority"
                        and "/priority/" + key + "/" in t.object.value)
    shared = [a for a in actions if addressed[a] > 1]
    notes = " ".join(o.text for g in root.iter("{%s}Goal" % NS) for o in g.findall("s:OtherInformation", S))
    assert all(f"<{a}>" in notes for a in shared)
