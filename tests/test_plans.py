"""Exact facts per plan, read from the source documents, checked in the built graph."""

from __future__ import annotations

import pytest

from conftest import PLANS, select

ID = "https://w3id.org/cspkg/id/"

# (plan, number of local priorities, number of actions), counted in the source text.
COUNTS = [
    ("tendring-2021-22", 4, 18),
    ("colchester-2018-19", 4, 26),  # 24 project rows + 2 funding-table rows
    ("castle-point-rochford-2017-18", 11, 36),  # 4 priorities + 7 "Including:" sub-priorities
    ("thurrock-2023-24", 9, 74),  # 65 "How will we achieve this?" bullets + 9 plan-on-a-page rows
    ("braintree-2022-23", 5, 32),
]


@pytest.mark.parametrize("plan,priorities,actions", COUNTS)
def test_priority_and_action_counts(store, plan, priorities, actions):
    rows = select(store, f"""
        SELECT (COUNT(DISTINCT ?p) AS ?np) (COUNT(DISTINCT ?a) AS ?na) WHERE {{
          OPTIONAL {{ <{ID}plan/{plan}> csp:hasPriority ?p . ?p a csp:LocalPriority }}
          OPTIONAL {{ ?a csp:actionOf <{ID}plan/{plan}> ; a csp:Action }}
        }}""")
    assert (int(rows[0]["np"]), int(rows[0]["na"])) == (priorities, actions)


def funding(store, action: str) -> list[dict]:
    return select(store, f"""
        SELECT ?kind ?stated ?amount ?approx ?stream ?cost WHERE {{
          <{ID}action/{action}> csp:hasFunding ?f . ?f a ?kind ; csp:fundingAsStated ?stated .
          FILTER(?kind IN (csp:MonetaryFunding, csp:InKindFunding, csp:NoFundingRequired))
          OPTIONAL {{ ?f csp:amount ?amount }} OPTIONAL {{ ?f csp:isApproximate ?approx }}
          OPTIONAL {{ ?f csp:fundingStream ?stream }} OPTIONAL {{ ?f csp:totalCost ?cost }}
        }}""")


def test_tendring_amounts_exactly_as_written(store):
    crucial = funding(store, "tendring-2021-22/r02")[0]  # "Approx £3,500 OPFCC Funding 2021 / 2022"
    assert float(crucial["amount"]) == 3500 and crucial["approx"] == "true"
    assert crucial["stream"] == f"{ID}funding-stream/opfcc-2021-22"
    youth = funding(store, "tendring-2021-22/r14")[0]  # "£5,919.63 £5,000 OPFCC Funding 2021 / 2022"
    assert (float(youth["amount"]), float(youth["cost"])) == (5000, 5919.63)
    assert float(funding(store, "tendring-2021-22/r15")[0]["amount"]) == 720  # DISC £720.00
    assert float(funding(store, "tendring-2021-22/r16")[0]["amount"]) == 4306  # Openroad £4,306.00
    assert float(funding(store, "tendring-2021-22/r18")[0]["amount"]) == 2880  # 2 Johns, invoiced £2880.00


def test_tendring_in_kind_and_none_required(store):
    hub = funding(store, "tendring-2021-22/r07")[0]
    assert hub["kind"].endswith("InKindFunding") and hub["stated"] == "Funding in kind by Essex Police and TDC"
    assert funding(store, "tendring-2021-22/r08")[0]["kind"].endswith("NoFundingRequired")


def test_tendring_pfcc_citation_and_lead(store):
    rows = select(store, f"""SELECT ?lead WHERE {{
        <{ID}action/tendring-2021-22/r06> csp:leadAgency ?lead ;
            csp:addressesPriority <{ID}priority/essex-pcp-2016-20/domestic-abuse> }}""")
    assert {r["lead"] for r in rows} == {f"{ID}agency/tendring-safer-communities-team"}


def test_colchester_timing_leads_and_pfcc_numbers(store):
    rows = select(store, f"""SELECT ?timing ?due ?lead ?pcp WHERE {{
        <{ID}action/colchester-2018-19/r01> csp:timingAsStated ?timing ; csp:due ?due ; csp:leadAgency ?lead ;
            csp:pcpPrioritiesAsStated ?pcp }}""")
    assert rows[0] == {"timing": "June 18", "due": "2018-06", "lead": f"{ID}agency/colchester-bc", "pcp": "6"}
    cited = select(store, f"""SELECT ?p WHERE {{ <{ID}action/colchester-2018-19/r05> csp:addressesPriority ?p .
        ?p a csp:PCPPriority }}""")
    assert len(cited) == 7  # Essex Police Ops: PFCC KP's 1, 2, 3, 4, 5, 6, 7
    assert float(funding(store, "colchester-2018-19/f1")[0]["amount"]) == 360  # Open Road acid attack kits
    assert float(funding(store, "colchester-2018-19/f2")[0]["amount"]) == 115  # Pub watch drug wipes


def test_castle_point_q1_updates_targets_and_dhr(store):
    rows = select(store, f"""SELECT ?period ?text WHERE {{ ?a csp:actionOf <{ID}plan/castle-point-rochford-2017-18> ;
        rdfs:label ?l ; csp:hasUpdate ?u . ?u csp:reportingPeriod ?period ; dct:description ?text .
        FILTER(CONTAINS(?l, "Senior Safety Road Shows")) }}""")
    assert rows and rows[0]["period"] == "Q1 2017/18" and ">90% indicating they are more safety aware" in rows[0]["text"]
    dhr = select(store, f"""SELECT ?a WHERE {{ ?a csp:actionOf <{ID}plan/castle-point-rochford-2017-18> ;
        csp:contributesToDuty <{ID}duty/domestic-homicide-reviews> ; csp:legalDutyAsStated "statutory obligation" }}""")
    assert len(dhr) == 1


def test_thurrock_plan_on_a_page_row_3(store):
    row = f"<{ID}action/thurrock-2023-24/pop-3>"
    leads = {r["l"] for r in select(store, f"SELECT ?l WHERE {{ {row} csp:leadAgency ?l }}")}
    assert leads == {f"{ID}agency/thurrock-director-public-health", f"{ID}agency/thurrock-ad-counter-fraud-community-safety"}
    streams = {r["s"] for r in select(store, f"SELECT ?s WHERE {{ {row} csp:hasFunding/csp:fundingStream ?s }}")}
    assert streams == {f"{ID}funding-stream/essex-vvu-grant", f"{ID}funding-stream/safer-communities-grant"}
    stated = select(store, f"SELECT ?d WHERE {{ {row} csp:legalDutyAsStated ?d }}")
    assert stated[0]["d"] == "Serious Violence Duty 2022"


def test_thurrock_numbering_inconsistency_is_recorded(store):
    notes = select(store, f"SELECT ?p WHERE {{ ?p csp:priorityOf <{ID}plan/thurrock-2023-24> ; csp:numberingNote ?n }}")
    assert {r["p"].rsplit("/", 1)[1] for r in notes} >= {"4", "5", "6"}


def test_thurrock_duty_to_tackle_offending_is_editorial(store):
    rows = select(store, f"""SELECT ?g WHERE {{ GRAPH ?g {{
        <{ID}priority/thurrock-2023-24/9> csp:relatesToDuty <{ID}duty/reducing-reoffending> }} }}""")
    assert {r["g"] for r in rows} == {"https://w3id.org/cspkg/graph/editorial/thurrock-2023-24"}
    plan_says = select(store, f"SELECT ?d WHERE {{ <{ID}priority/thurrock-2023-24/9> csp:legalDutyAsStated ?d }}")
    assert plan_says[0]["d"] == "Duty to Tackle Offending"


def test_braintree_leads_and_inferred_priorities(store):
    leads = {r["l"] for r in select(store, f"""SELECT ?l WHERE {{ ?a csp:actionOf <{ID}plan/braintree-2022-23> ;
        rdfs:label ?x ; csp:leadAgency ?l . FILTER(CONTAINS(?x, "Spot It Stop It")) }}""")}
    assert leads == {f"{ID}agency/braintree-dc-community-services"}
    none = select(store, f"SELECT ?f WHERE {{ ?a csp:actionOf <{ID}plan/braintree-2022-23> ; csp:hasFunding ?f }}")
    assert none == []  # the plan states no funding


def test_no_personal_contact_details(repo):
    import re

    for plan in PLANS:
        text = (repo / "data" / "plans" / f"{plan}.ttl").read_text(encoding="utf-8")
        assert not re.search(r"[\w.]+@[\w-]+\.[\w.]+", text), plan
        assert not re.search(r"\b0\d{4} ?\d{6}\b", text), plan
        for name in ("Louisa Moss", "Sarah Watson", "Ali French", "Bev Jones", "Kate Evans", "Will Quince"):
            assert name not in text, (plan, name)
