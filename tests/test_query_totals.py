"""Totals count each action and each funding statement once, however many priorities, themes or
sources it sits under: for every seed plan, the canned queries' (and the plan page's) totals equal
what the plan's own graph holds."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from cspkg.answers.catalogue import bind, catalogue, prepared
from cspkg.namespaces import plan_graph
from conftest import PLANS

QUERIES = catalogue()


def answer(store, name: str, **values) -> list[dict]:
    query = QUERIES[name]
    ask = lambda sparql, terms: bool(store.query(sparql, substitutions={ox.Variable(k): v for k, v in terms.items()}))  # noqa: E731
    bound = bind(query, values, ask)
    result = store.query(prepared(query, bound))  # the terms written where the parameters stand, as the service does
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def money(value) -> Decimal:
    return Decimal(value or 0)


def in_plan_graph(store, key: str) -> tuple[Decimal, int]:
    """The plan graph's own figures: each funding statement's amount once, and its actions."""
    graph = plan_graph(key)
    funding = store.query(f"SELECT DISTINCT ?f ?a WHERE {{ GRAPH <{graph}> {{ ?f <https://w3id.org/cspkg/def/amount> ?a }} }}")
    actions = store.query(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{graph}> {{ ?a a <https://w3id.org/cspkg/def/Action> }} }}")
    return sum((Decimal(row["a"].value) for row in funding), Decimal(0)), len(list(actions))


@pytest.mark.parametrize("key", PLANS)
def test_plan_totals_count_each_funding_statement_and_action_once(store, key):
    total, actions = in_plan_graph(store, key)
    assert actions > 0
    summary = answer(store, "plan-summary", plan=key)
    assert len(summary) == 1
    assert money(summary[0]["totalGBP"]) == total
    assert int(summary[0]["actions"]) == actions
    listed = [r for r in answer(store, "plans") if r["plan"].endswith("/" + key)]
    assert len(listed) == 1 and money(listed[0]["totalGBP"]) == total and int(listed[0]["actions"]) == actions
    # the plan page's funding total: the money rows of funding-by-source, added up
    by_source = answer(store, "funding-by-source", plan=key)
    assert sum((money(r["totalGBP"]) for r in by_source if r["kind"] == "money"), Decimal(0)) == total


def test_the_duty_page_lists_each_action_once(store):
    """The duty page adds up its funded actions row by row: actions-for-duty must give each action one row."""
    duties = [row["d"].value for row in store.query(
        "SELECT DISTINCT ?d WHERE { ?a <https://w3id.org/cspkg/def/contributesToDuty> ?d }")]
    assert duties
    for duty in duties:
        actions = [r["action"] for r in answer(store, "actions-for-duty", duty=duty)]
        assert len(actions) == len(set(actions)), duty


@pytest.mark.parametrize("key", PLANS)
def test_plan_actions_lists_each_action_once_per_priority(store, key):
    """An action serving two priorities is listed under each (by design), but never twice under one."""
    rows = answer(store, "plan-actions", plan=key)
    pairs = [(r["priority"], r["action"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert len({r["action"] for r in rows}) == in_plan_graph(store, key)[1]


KINDS = ("actionsWithAmount", "actionsSourceOnly", "actionsInKind", "actionsNoneRequired", "actionsFundingNotStated")


@pytest.mark.parametrize("key", PLANS)
def test_funding_kinds_count_each_action_once(store, key):
    """Each action falls in exactly one kind of funding: the kinds add up to the plan graph's actions,
    plans and plan-summary agree, and plan-score's "with funding" is every kind but "not stated"."""
    _, actions = in_plan_graph(store, key)
    summary = answer(store, "plan-summary", plan=key)[0]
    counts = {k: int(summary[k]) for k in KINDS}
    assert sum(counts.values()) == actions
    listed = next(r for r in answer(store, "plans") if r["plan"].endswith("/" + key))
    assert {k: int(listed[k]) for k in KINDS} == counts
    paid = counts["actionsWithAmount"] + counts["actionsSourceOnly"] + counts["actionsInKind"]
    assert paid == int(summary["fundedActions"])  # no seed plan states "none required" for an action whose row is funded
    # an amount stated is counted only where the plan graph has a pound figure for some action
    assert (counts["actionsWithAmount"] > 0) <= (in_plan_graph(store, key)[0] > 0)
    score = answer(store, "plan-score", plan=key)
    assert len(score) == 1 and int(score[0]["actions"]) == actions
    assert int(score[0]["withFunding"]) == actions - counts["actionsFundingNotStated"]
