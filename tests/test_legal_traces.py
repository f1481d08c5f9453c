"""Legal traces a solicitor would sign: an action traces to a provision only while it was in force
during the action's plan, never to an amending Act, and duties are held by the bodies the law names,
in the jurisdiction the duty applies in (the rules beside OWL, pipeline/lawrules.py)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from cspkg.pipeline import lawrules
from cspkg.pipeline.rules import materialise
from conftest import select

LEG = "http://www.legislation.gov.uk/id/"
SV_LIMB = LEG + "ukpga/1998/37/section/6/1/d"
PCSC = LEG + "ukpga/2022/32"
PCA_S108 = LEG + "ukpga/2009/26/section/108"
DUTY = "https://w3id.org/cspkg/id/duty/"
AG = "https://w3id.org/cspkg/id/agency/"
SV_ACTION = "https://w3id.org/cspkg/id/action/thurrock-2023-24/pop-3"


def traces_by_plan(store, condition: str) -> dict[str, int]:
    rows = select(store, f"""
        SELECT ?plan (COUNT(DISTINCT ?a) AS ?n) WHERE {{
          ?a csp:actionOf ?plan ; csp:tracesToLegislation ?leg . FILTER({condition}) }} GROUP BY ?plan""")
    return {r["plan"].rsplit("/", 1)[1]: int(r["n"]) for r in rows}


def test_no_plan_that_ended_before_the_serious_violence_duty_traces_to_it(store):
    ended = {r["plan"] for r in select(store, """SELECT ?plan WHERE { ?plan a csp:PartnershipPlan ; csp:endDate ?end
                                                  FILTER(?end < "2023-01-31"^^xsd:date) }""")}
    assert {p.rsplit("/", 1)[1] for p in ended} >= {"castle-point-rochford-2017-18", "colchester-2018-19", "tendring-2021-22"}
    traced = traces_by_plan(store, f'?leg = <{SV_LIMB}> || ?leg = <{PCSC}> || STRSTARTS(STR(?leg), "{PCSC}/")')
    assert not {p for p in traced if f"https://w3id.org/cspkg/id/plan/{p}" in ended}, traced
    # the candidate (time-free) link is still there for the reader who asks why
    assert select(store, f"""SELECT ?a WHERE {{ ?a csp:actionOf <https://w3id.org/cspkg/id/plan/castle-point-rochford-2017-18> ;
                                              csp:candidateProvision ?p }} LIMIT 1""")


def test_thurrocks_serious_violence_action_still_traces_to_the_2022_act(store):
    rows = select(store, f"SELECT ?leg WHERE {{ <{SV_ACTION}> csp:tracesToLegislation ?leg }}")
    assert PCSC in {r["leg"] for r in rows}


def test_no_action_traces_to_an_amending_provision(store):
    assert traces_by_plan(store, f'?leg = <{PCA_S108}>') == {}
    assert traces_by_plan(store, f'?leg = <{LEG}ukpga/2009/26>') == {}


def holds(store, body: str, duty: str, prop: str = "csp:holdsDuty") -> bool:
    return bool(store.query(f"PREFIX csp: <https://w3id.org/cspkg/def/> ASK {{ <{AG}{body}> {prop} <{DUTY}{duty}> }}"))


def test_the_safe_accommodation_duty_is_held_by_the_county_not_the_districts(store):
    assert holds(store, "essex-county-council", "safe-accommodation-duty")
    assert holds(store, "thurrock-council", "safe-accommodation-duty")  # a unitary authority is a tier-one authority
    districts = select(store, f"""SELECT ?d WHERE {{ ?d a csp:DistrictCouncil ; csp:holdsDuty <{DUTY}safe-accommodation-duty> }}""")
    assert districts == []
    assert holds(store, "braintree-dc", "safe-accommodation-duty", "csp:mustCooperateOn")


def test_a_parish_council_holds_the_section_17_duty(store):
    assert holds(store, "rochford-parish-council", "section-17-duty")
    assert holds(store, "rayleigh-town-council", "section-17-duty")


def test_the_serious_violence_duty_is_held_by_specified_authorities_not_the_partnership(store):
    assert holds(store, "essex-police", "serious-violence-duty")
    assert not select(store, f"""SELECT ?p WHERE {{ ?p a csp:CommunitySafetyPartnership ; csp:holdsDuty <{DUTY}serious-violence-duty> }}""")


# --- the time rule on a small graph, each case on its own -------------------------------------------

CSP = "https://w3id.org/cspkg/def/"
TTL = """
@prefix csp: <https://w3id.org/cspkg/def/> . @prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
csp:candidateProvision owl:propertyChainAxiom ( csp:contributesToDuty csp:imposedBy ) .
csp:tracesToProvision <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> csp:tracesToLegislation .
ex:plan csp:startDate "{start}"^^xsd:date ; csp:endDate "{end}"^^xsd:date .
ex:action csp:actionOf ex:plan ; csp:contributesToDuty ex:duty .
ex:duty csp:imposedBy ex:provision .
ex:provision {dates} .
"""


def traced(start: str, end: str, dates: str) -> bool:
    store = ox.Store()
    store.load(TTL.format(start=start, end=end, dates=dates), format=ox.RdfFormat.TURTLE)
    materialise(store)
    return bool(store.query(f"ASK {{ <http://example.org/action> <{CSP}tracesToProvision> <http://example.org/provision> }}"))


@pytest.mark.parametrize("start, end, dates, expected", [
    ("2017-04-01", "2018-03-31", 'csp:inForceFrom "2023-01-31"^^xsd:date', False),  # not yet in force
    ("2022-04-01", "2023-03-31", 'csp:inForceFrom "2023-01-31"^^xsd:date', True),  # in force for the plan's last weeks
    ("2023-04-01", "2024-03-31", 'csp:inForceFrom "2023-01-31"^^xsd:date', True),
    ("2023-04-01", "2024-03-31", 'csp:inForceFrom "2010-01-01"^^xsd:date ; csp:inForceUntil "2015-03-31"^^xsd:date', False),  # ceased
    ("2014-04-01", "2015-03-31", 'csp:inForceFrom "2010-01-01"^^xsd:date ; csp:inForceUntil "2015-03-31"^^xsd:date', True),
    ("2017-04-01", "2018-03-31", 'eli:date_document "2022-04-28"^^xsd:date', False),  # no in-force date: not before it was made
    ("2017-04-01", "2018-03-31", 'eli:number "1"', True),  # nothing known: taken as in force, and the page says so
])
def test_the_time_rule(start, end, dates, expected):
    assert traced(start, end, dates) is expected


def test_the_rules_render_for_one_graph_and_for_many_scopes():
    for name, rule in lawrules.RULES.items():
        assert "GRAPH ?g" not in lawrules.plain(rule), name
        assert lawrules.scoped(rule).count(f"GRAPH ?g {{ {rule.anchor} }}") == 1, name


# --- what the pages say ------------------------------------------------------------------------------

def test_the_duty_page_names_the_holders_and_when_each_provision_came_into_force(server):
    import requests

    page = requests.get(f"{server}/duties/safe-accommodation-duty", timeout=60).text
    holders = page.split('<ul class="holders">', 1)[1].split("</ul>", 1)[0]
    assert "Essex County Council</a> <strong>holds this</strong>" in holders
    assert "Braintree District Council</a> must co-operate" in holders
    assert "Braintree District Council</a> <strong>holds" not in holders
    assert "that applies in England." in page
    limb = requests.get(f"{server}/duties/cda-serious-violence-strategy", timeout=60).text
    assert "in force from 31 January 2023" in limb and 'href="/duties/cda-crime-disorder-strategies"' in limb


def test_the_duties_page_lists_every_duty_and_the_plan_page_the_plans_duties(server, store):
    import requests

    every = {r["duty"] for r in select(store, "SELECT ?duty WHERE { ?duty a csp:LegalDuty }")}
    listed = requests.get(f"{server}/duties.json", timeout=60).json()["data"]["duties"]
    assert {d["duty"] for d in listed} == every
    held = next(d for d in listed if d["key"] == "safe-accommodation-duty")
    assert held["appliesIn"] == "England" and held["heldBy"] == "Tier one authority" and held["cooperation"] == "District council"
    plan = requests.get(f"{server}/plans/castle-point-rochford-2017-18.json", timeout=60).json()["data"]["duties"]
    links = {d["key"]: d["link"] for d in plan}
    assert links["crime-disorder-scrutiny"] == "mentions it"  # the report goes to the committee: no more
    assert "cda-serious-violence-strategy" not in links  # not in force in 2017/18
    assert links["cda-substance-misuse-strategy"] == "held, no action"
    html = requests.get(f"{server}/plans/castle-point-rochford-2017-18", timeout=60).text
    assert 'href="/duties/crime-disorder-scrutiny"' in html


def test_members_own_duties_are_listed_apart_by_member(server):
    import requests

    rows = requests.get(f"{server}/plans/thurrock-2023-24.json", timeout=60).json()["data"]["memberDuties"]
    by_member = {}
    for r in rows:
        by_member.setdefault(r["memberLabel"], set()).add(r["key"])
    assert "safe-accommodation-duty" in by_member["Thurrock Council"]  # a unitary, so tier-one: the council's own duty
    assert "serious-violence-duty" in by_member["Essex Police"]  # a specified authority, not the partnership
    joint = {d["key"] for d in requests.get(f"{server}/plans/thurrock-2023-24.json", timeout=60).json()["data"]["duties"]
             if "held" in d["link"]}
    assert not joint & set().union(*by_member.values())  # the partnership's joint duties are not repeated per member
