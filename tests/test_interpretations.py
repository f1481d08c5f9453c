"""What a plan says and what the editors read into it, kept apart and attributed.

A plan graph holds the plan's own statements (a plan-level duty link with the plan's words for it);
an interpretation (an unnamed funder, an identified strategy, a duty the plan does not name) lives in
the plan's editorial graph with a rationale, and every editorial graph names who made it and when.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cspkg import namespaces as ns
from conftest import PLANS, select

ID = "https://w3id.org/cspkg/id/"
CSP = "https://w3id.org/cspkg/def/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
LINK_KINDS = ("fulfilsDuty", "supportsDuty", "mentionsDuty")

# Readings that once sat in a plan graph: (plan, subject, property, object), IRIs under ID or csp:.
MOVED = [
    ("tendring-2021-22", "action/tendring-2021-22/r10", "citesStrategy", "strategy/essex-crime-prevention-strategy-2021-25"),
    ("tendring-2021-22", "plan/tendring-2021-22", "citesStrategy", "strategy/essex-crime-prevention-strategy-2021-25"),
    ("tendring-2021-22", "funding/tendring-2021-22/r05-1", "funder", "agency/ministry-of-justice"),
    ("tendring-2021-22", "funding/tendring-2021-22/r05-1", "funder", "agency/ecc-public-health"),
    ("tendring-2021-22", "funding/tendring-2021-22/r18-1", "funder", "partnership/tendring-csp"),
    ("colchester-2018-19", "priority/colchester-2018-19/4", "mentionsDuty", "duty/pspo-power"),
    ("colchester-2018-19", "funding/colchester-2018-19/f1-1", "funder", "partnership/colchester-csp"),
    ("castle-point-rochford-2017-18", "plan/castle-point-rochford-2017-18", "hasRegardTo", "plan/essex-pcp-2016-20"),
    ("castle-point-rochford-2017-18", "objective/castle-point-rochford-2017-18/so-15", "addressesPriority", "priority/castle-point-rochford-2017-18/3-3"),
    ("thurrock-2023-24", "action/thurrock-2023-24/s3-6-b1", "contributesToDuty", "duty/pspo-power"),
    ("thurrock-2023-24", "action/thurrock-2023-24/s3-6-b5", "contributesToDuty", "duty/asb-case-review"),
    ("thurrock-2023-24", "funding/thurrock-2023-24/pop-2-1", "fundingStream", "funding-stream/general-fund"),
]


def graphs_holding(store, s: str, p: str, o: str) -> set[str]:
    return {r["g"] for r in select(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{s}> <{p}> <{o}> }} }}")}


@pytest.mark.parametrize("plan,s,p,o", MOVED, ids=[f"{m[1]} {m[2]}" for m in MOVED])
def test_reading_is_in_the_editorial_graph_only_with_a_rationale(store, plan, s, p, o):
    s, p, o = ID + s, CSP + p, ID + o
    assert graphs_holding(store, s, p, o) == {ns.editorial_graph(plan)}
    rationale = select(store, f"""SELECT ?why WHERE {{ GRAPH <{ns.editorial_graph(plan)}> {{
        ?ed a csp:EditorialAssertion ; rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object <{o}> ; csp:rationale ?why }} }}""")
    assert rationale and all(len(r["why"]) > 40 for r in rationale)


def test_colchester_pspo_is_no_longer_a_priority_link_in_the_plan(store):
    plan_graph = ns.plan_graph("colchester-2018-19")
    links = select(store, f"""SELECT ?p WHERE {{ GRAPH <{plan_graph}> {{ <{ID}priority/colchester-2018-19/4> ?p <{ID}duty/pspo-power> }} }}""")
    assert links == []
    words = select(store, f"SELECT ?w WHERE {{ GRAPH <{plan_graph}> {{ <{ID}priority/colchester-2018-19/4> csp:legalDutyAsStated ?w }} }}")
    assert [r["w"] for r in words] == ["Public Space Protection Orders (PSPOs)"]


@pytest.mark.parametrize("duty,actions", [
    ("pspo-power", {"thurrock-2023-24/s3-6-b1"}),
    ("asb-case-review", {"thurrock-2023-24/s3-6-b5"}),
])
def test_a_power_named_by_one_bullet_reaches_that_bullet_only(store, duty, actions):
    """No whole priority is tied to the power or the case review: Premier League Kicks does not contribute to PSPOs."""
    contributors = select(store, f"SELECT DISTINCT ?a WHERE {{ ?a csp:contributesToDuty <{ID}duty/{duty}> }}")
    assert {r["a"].removeprefix(ID + "action/") for r in contributors} == actions
    priorities = select(store, f"SELECT ?x WHERE {{ ?x csp:relatesToDuty <{ID}duty/{duty}> }}")
    assert priorities == []


@pytest.mark.parametrize("plan,duty,kind", [
    ("braintree-2022-23", "serious-violence-duty", "supportsDuty"),
    ("castle-point-rochford-2017-18", "crime-disorder-scrutiny", "mentionsDuty"),
])
def test_a_plan_that_says_less_does_not_fulfil(store, plan, duty, kind):
    plan_iri, duty_iri = f"{ID}plan/{plan}", f"{ID}duty/{duty}"
    assert graphs_holding(store, plan_iri, CSP + "fulfilsDuty", duty_iri) == set()
    assert graphs_holding(store, plan_iri, CSP + kind, duty_iri) == {ns.plan_graph(plan)}
    # after the build (reasoning included) no action of the plan implements the duty via the plan
    via_plan = select(store, f"SELECT ?a WHERE {{ ?a csp:actionOf <{plan_iri}> ; csp:implementsDutyViaPlan <{duty_iri}> }}")
    assert via_plan == []


def test_a_plan_that_is_made_under_a_duty_still_passes_it_to_every_action(store):
    """The chain itself still works: Castle Point and Rochford's plan is made under CDA 1998 s6."""
    plan_iri = f"{ID}plan/castle-point-rochford-2017-18"
    rows = select(store, f"""SELECT (COUNT(DISTINCT ?a) AS ?n) (COUNT(DISTINCT ?all) AS ?total) WHERE {{
        {{ ?a csp:actionOf <{plan_iri}> ; csp:implementsDutyViaPlan <{ID}duty/cda-crime-disorder-strategies> }}
        UNION {{ ?all csp:actionOf <{plan_iri}> ; a csp:Action }} }}""")
    assert int(rows[0]["n"]) == int(rows[0]["total"]) == 36


def plan_links(store, plan: str) -> list[dict]:
    kinds = ", ".join(f"csp:{k}" for k in LINK_KINDS)
    return select(store, f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{ns.plan_graph(plan)}> {{ ?s ?p ?o FILTER(?p IN ({kinds})) }} }}""")


def normalise(text: str) -> str:
    """Words as printed, without the text copy's markdown emphasis, list marks and spacing."""
    return " ".join(re.sub(r"[*_]", "", text).split())


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_level_duty_link_quotes_the_plan(store, plan):
    seed_name = select(store, f"SELECT ?f WHERE {{ GRAPH <{ns.plan_graph(plan)}> {{ ?d csp:seedFile ?f }} }}")[0]["f"]
    seed = SEEDS / seed_name
    lines = seed.read_text(encoding="utf-8").splitlines() if seed.exists() else None
    for link in plan_links(store, plan):
        quoted = select(store, f"""SELECT ?q ?line WHERE {{ GRAPH <{ns.plan_graph(plan)}> {{
            ?st a rdf:Statement ; rdf:subject <{link['s']}> ; rdf:predicate <{link['p']}> ; rdf:object <{link['o']}> ;
                csp:quote ?q ; csp:sourceLine ?line }} }}""")
        assert len(quoted) == 1, link
        if lines is not None:
            line = int(quoted[0]["line"])
            assert normalise(quoted[0]["q"]) in normalise(lines[line - 1]), (link, line)


def test_plan_level_link_kinds_are_as_the_plans_word_them(store):
    found = {(link["s"].removeprefix(ID + "plan/"), link["p"].removeprefix(CSP), link["o"].removeprefix(ID + "duty/"))
             for plan in PLANS for link in plan_links(store, plan) if link["s"].startswith(ID + "plan/")}
    assert ("braintree-2022-23", "supportsDuty", "serious-violence-duty") in found
    assert ("castle-point-rochford-2017-18", "fulfilsDuty", "cda-crime-disorder-strategies") in found
    assert ("castle-point-rochford-2017-18", "mentionsDuty", "crime-disorder-scrutiny") in found
    assert not any(kind == "fulfilsDuty" and duty in ("serious-violence-duty", "crime-disorder-scrutiny") for _, kind, duty in found)


# Thurrock's LEGAL DUTY column (plan on a page), where it names an Act: priority -> Act.
THURROCK_ACTS = {"2": "ukpga/2021/17", "5": "ukpga/2014/12", "7": "ukpga/2015/30"}


def test_thurrock_priorities_cite_the_acts_their_legal_duty_column_names(store):
    rows = select(store, f"""SELECT ?pri ?words ?act WHERE {{ GRAPH <{ns.plan_graph('thurrock-2023-24')}> {{
        ?pri csp:priorityOf <{ID}plan/thurrock-2023-24> ; csp:legalDutyAsStated ?words .
        OPTIONAL {{ ?pri csp:citesLegislation ?act }} }} }}""")
    cited = {r["pri"].rsplit("/", 1)[1]: r["act"] for r in rows if r["act"]}
    assert cited == {k: "http://www.legislation.gov.uk/id/" + v for k, v in THURROCK_ACTS.items()}
    for r in rows:  # an Act named with its year is cited with that year; a duty's name is not an Act
        year = re.search(r"\bAct (\d{4})\b", r["words"])
        assert bool(year) == bool(r["act"]) and (not year or f"/{year.group(1)}/" in r["act"]), r


@pytest.mark.parametrize("plan", PLANS)
def test_every_editorial_graph_is_attributed_to_an_agent_and_dated(store, plan):
    g = ns.editorial_graph(plan)
    rows = select(store, f"""SELECT ?who ?created ?name WHERE {{
        GRAPH <{g}> {{ <{g}> prov:wasAttributedTo ?who ; dct:created ?created }}
        ?who a prov:Agent ; rdfs:label ?name .
        FILTER(isIRI(?who) && datatype(?created) = xsd:date) }}""")
    assert rows, f"{g} has no prov:wasAttributedTo agent resource with an xsd:date dct:created"
    literal_creators = select(store, f"SELECT ?c WHERE {{ GRAPH <{g}> {{ <{g}> dct:creator ?c FILTER(isLiteral(?c)) }} }}")
    assert literal_creators == []


@pytest.mark.parametrize("plan", PLANS)
def test_every_editorial_link_has_its_rationale(store, plan):
    """Themes aside, each statement of an editorial graph is the subject of an editorial assertion with a rationale."""
    g = ns.editorial_graph(plan)
    bare = select(store, f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{
        ?s ?p ?o .
        FILTER(?s != <{g}> && ?p != csp:hasTheme && !STRSTARTS(STR(?s), "{ID}editorial/"))
        FILTER NOT EXISTS {{ ?ed rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; csp:rationale ?why }} }} }}""")
    assert bare == [], bare
